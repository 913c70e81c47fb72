//! Device page, TSL data tab: the latest value of each property with its time; values posted
//! while the page is open arrive over the WebSocket and replace the shown ones in place.

use leptos::prelude::*;
use model::registry::{Device, PropertyValue};
use model::tsl::{DataType, ThingModel, ValueLabels};

use super::detail::merge_props;
use crate::api::registry;
use crate::components::table_state::{empty_when, TableState};
use crate::i18n::t;
use crate::util::{fmt_time, now_ms};

/// Name, unit and value labels of a property from the product's thing model.
fn describe(tsl: &Option<ThingModel>, id: &str) -> (String, String, Option<ValueLabels>) {
    let Some(p) = tsl.as_ref().and_then(|m| m.properties.iter().find(|p| p.identifier == id)) else {
        return (String::new(), String::new(), None);
    };
    match &p.data_type {
        DataType::Int(s) | DataType::Float(s) | DataType::Double(s) => {
            (p.name.clone(), s.unit.clone().or(s.unit_name.clone()).unwrap_or_default(), None)
        }
        DataType::Bool(l) | DataType::Enum(l) => (p.name.clone(), String::new(), Some(l.clone())),
        _ => (p.name.clone(), String::new(), None),
    }
}

fn show_value(v: &serde_json::Value, labels: Option<&ValueLabels>) -> String {
    let plain = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match labels.and_then(|l| l.label(&plain)) {
        Some(label) => format!("{plain} ({label})"),
        None => plain,
    }
}

#[component]
pub fn TslDataTab(device: RwSignal<Option<Device>>, props: RwSignal<Vec<PropertyValue>>) -> impl IntoView {
    let (pk, dn) = device
        .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default());
    let ids = StoredValue::new((pk, dn));
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
    // Loaded values land in `props` a moment after the answer (and posts arrive live): empty only
    // while both are, so the empty state does not flash before the grid.
    let loaded_none = empty_when(load, Vec::is_empty);
    let empty = Signal::derive(move || loaded_none.get() && props.with(Vec::is_empty));
    view! {
        <div class="card">
            <TableState res=load empty empty_title="device.props_empty" empty_hint="device.props_empty_hint" let:_values>
                <div class="prop-grid" data-testid="property-grid">
                    <For each=move || props.get() key=|p| (p.identifier.clone(), p.time) let:p>
                        {
                            let (name, unit, labels) = tsl.get().map(|m| describe(&m, &p.identifier)).unwrap_or_default();
                            let fresh = now_ms() - p.time < 5_000;
                            view! {
                                <div class="prop-card" class:prop-fresh=fresh data-testid=format!("property-{}", p.identifier)>
                                    <div class="prop-name">
                                        <span>{if name.is_empty() { p.identifier.clone() } else { name }}</span>
                                        <span class="mono muted">{p.identifier.clone()}</span>
                                    </div>
                                    <div class="prop-value num" data-testid="property-value">
                                        <span class="mono">{show_value(&p.value, labels.as_ref())}</span>
                                        " "
                                        <span class="muted">{unit}</span>
                                    </div>
                                    <div class="prop-time num muted" data-testid="property-time">{move || fmt_time(p.time)}</div>
                                </div>
                            }
                        }
                    </For>
                </div>
            </TableState>
            <p class="muted small">{move || t("device.props_live_hint")}</p>
        </div>
    }
}
