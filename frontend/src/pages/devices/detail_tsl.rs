//! Device page, TSL data tab: the latest value of each property, read through the product's
//! thing model from the first paint — name, value with unit or label, and its age, ticking on.
//! Values of an offline device, values from before its current connection and old ones look
//! stale (see `model::device::age::is_stale`). Posts arriving over the WebSocket replace the shown ones in place.

use std::time::Duration;

use leptos::prelude::*;
use model::debug::DesiredValue;
use model::device::age::{ago, is_stale};
use model::device::value::{show, ShownValue};
use model::device::Locale;
use model::registry::{Device, DeviceStatus, PropertyValue};
use model::tsl::{DataType, ThingModel};

use super::detail::merge_props;
use super::detail_history::PropertyHistoryPanel;
use crate::api::{debug, registry};
use crate::components::table_state::{empty_when, TableState};
use crate::i18n::{t, Lang};
use crate::pages::{query_param, query_setter};
use crate::state::g;
use crate::util::{fmt_time, now_ms};

/// Name and data type of a property from the product's thing model (none if it is not there
/// any more: the value is then shown bare, under its identifier).
fn describe(tsl: &Option<ThingModel>, id: &str) -> (String, Option<DataType>) {
    match tsl.as_ref().and_then(|m| m.properties.iter().find(|p| p.identifier == id)) {
        Some(p) => (p.name.clone(), Some(p.data_type.clone())),
        None => (String::new(), None),
    }
}

fn locale() -> Locale {
    match g().lang.get() {
        Lang::En => Locale::En,
        Lang::Zh => Locale::Zh,
    }
}

#[component]
pub fn TslDataTab(device: RwSignal<Option<Device>>, props: RwSignal<Vec<PropertyValue>>) -> impl IntoView {
    let (pk, dn) = device
        .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default());
    let ids = StoredValue::new((pk, dn));
    // "View data": the property whose history is open (in the URL, so a link opens it).
    let open_prop = query_param("prop");
    let set_query = query_setter();
    let open = Callback::new(move |id: Option<String>| set_query(&[("prop", id)]));
    let load = LocalResource::new(move || {
        let (pk, dn) = ids.get_value();
        async move { registry::properties(&pk, &dn).await }
    });
    let tsl = LocalResource::new(move || {
        let (pk, _) = ids.get_value();
        async move { registry::tsl(&pk).await.ok().and_then(|v| serde_json::from_value::<ThingModel>(v).ok()) }
    });
    Effect::new(move |_| {
        if let Some(Ok(vs)) = load.get() {
            props.update(|ps| merge_props(ps, vs));
        }
    });
    // Desired values (Online Debug's Set expectations) beside the reported ones; asked again
    // whenever a post arrives, since an equal report clears a desired value.
    let desired = LocalResource::new(move || {
        let _ = props.with(Vec::len);
        let (pk, dn) = ids.get_value();
        async move { debug::desired(&pk, &dn).await.map(|d| d.items).unwrap_or_default() }
    });
    let desired = Signal::derive(move || desired.get().unwrap_or_default());
    // The ages tick: one clock for the whole grid, once a second (the shortest unit shown).
    let now = RwSignal::new(now_ms());
    if let Ok(h) = set_interval_with_handle(move || now.set(now_ms()), Duration::from_secs(1)) {
        on_cleanup(move || h.clear());
    }
    // When the current connection began; `None` while offline (see `is_stale`).
    let online_since = Signal::derive(move || {
        device.with(|d| d.as_ref().filter(|d| d.status == DeviceStatus::Online).map(|d| d.last_online_at.unwrap_or(0)))
    });
    let online = Signal::derive(move || online_since.get().is_some());
    // Loaded values land in `props` a moment after the answer (and posts arrive live): empty only
    // while both are, so the empty state does not flash before the grid.
    let loaded_none = empty_when(load, Vec::is_empty);
    let empty = Signal::derive(move || loaded_none.get() && props.with(Vec::is_empty));
    view! {
        <div class="card">
            <TableState res=load empty empty_title="device.props_empty" empty_hint="device.props_empty_hint" let:_values>
                <div class="prop-grid" data-testid="property-grid">
                    <For each=move || props.get() key=|p| (p.identifier.clone(), p.time) let:p>
                        <PropertyCard p tsl online_since now open desired/>
                    </For>
                </div>
            </TableState>
            {move || open_prop().map(|id| {
                let (pk, dn) = ids.get_value();
                let described = {
                    let id = id.clone();
                    Memo::new(move |_| tsl.get().map(|m| describe(&m, &id)).unwrap_or_default())
                };
                let fallback = id.clone();
                let name = Signal::derive(move || described.with(|(n, _)| if n.is_empty() { fallback.clone() } else { n.clone() }));
                let data_type = Signal::derive(move || described.with(|(_, dt)| dt.clone()));
                view! {
                    <PropertyHistoryPanel pk dn identifier=id name data_type props
                        on_close=Callback::new(move |_| open.run(None))/>
                }
            })}
            <p class="muted small">
                {move || if online.get() { t("device.props_live_hint") } else { t("device.props_offline_hint") }}
            </p>
        </div>
    }
}

#[component]
fn PropertyCard(
    p: PropertyValue,
    tsl: LocalResource<Option<ThingModel>>,
    online_since: Signal<Option<i64>>,
    now: RwSignal<i64>,
    open: Callback<Option<String>>,
    desired: Signal<Vec<DesiredValue>>,
) -> impl IntoView {
    let time = p.time;
    let id = p.identifier.clone();
    let described = {
        let id = id.clone();
        Memo::new(move |_| tsl.get().map(|m| describe(&m, &id)).unwrap_or_default())
    };
    let shown = {
        let value = p.value.clone();
        Memo::new(move |_| described.with(|(_, dt)| show(&value, dt.as_ref())))
    };
    let stale = move || is_stale(online_since.get(), time, now.get());
    let fresh = now_ms() - time < 5_000;
    let name = {
        let id = id.clone();
        move || described.with(|(n, _)| if n.is_empty() { id.clone() } else { n.clone() })
    };
    view! {
        <div class="prop-card" class:prop-fresh=fresh class:prop-stale=stale data-testid=format!("property-{id}")
            data-stale=move || stale().to_string()>
            <div class="prop-name">
                <span data-testid="property-name">{name}</span>
                <span class="mono muted">{id.clone()}</span>
            </div>
            <div class="prop-value num" data-testid="property-value">
                {move || {
                    let ShownValue { text, unit, code } = shown.get();
                    view! {
                        <span class="mono" data-testid="property-text">{text}</span>
                        {(!unit.is_empty()).then(|| view! { " " <span class="prop-unit" data-testid="property-unit">{unit}</span> })}
                        {code.map(|c| view! { " " <span class="prop-code mono" data-testid="property-code" title=move || t("device.props_code")>{c}</span> })}
                    }
                }}
            </div>
            {
                let id = id.clone();
                move || {
                    let d = desired.with(|ds| ds.iter().find(|d| d.identifier == id).cloned())?;
                    let text = described.with(|(_, dt)| show(&d.value, dt.as_ref())).with_unit();
                    Some(view! {
                        <div class="prop-desired small" data-testid="property-desired">
                            <span class="muted">{move || t("device.desired")} " "</span>
                            <span class="mono">{text}</span>
                            " " <span class="badge badge-up">{format!("v{}", d.version)}</span>
                        </div>
                    })
                }
            }
            <div class="prop-time small" title=move || fmt_time(time)>
                <span class="num" data-testid="property-age">{move || ago(now.get() - time, locale())}</span>
                <Show when=stale>
                    " · "
                    <span class="prop-stale-mark" data-testid="property-stale">
                        {move || if online_since.get().is_some() { t("device.props_stale") } else { t("device.props_last_known") }}
                    </span>
                </Show>
                <span class="muted num prop-at" data-testid="property-time">{move || fmt_time(time)}</span>
            </div>
            <button class="btn btn-small prop-history-btn" data-testid=format!("property-history-{id}")
                on:click={
                    let id = id.clone();
                    move |_| open.run(Some(id.clone()))
                }>
                {move || t("history.view_data")}
            </button>
        </div>
    }
}
