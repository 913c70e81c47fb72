//! Device page `/devices/:pk/:dn?tab=info|tsl|messages|logs|connect|events|network`.
//!
//! One subscription to the device's live stream feeds all tabs: status changes update the header
//! and Info, property posts update "TSL data", every message lands in "Messages".

use std::collections::VecDeque;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use model::auth::Role;
use model::registry::{Device, DeviceStatus, PropertyValue};
use model::ws::{Direction, LiveEvent, Stream};

use super::detail_connect::ConnectTab;
use super::detail_events::EventsTab;
use super::detail_info::InfoTab;
use super::detail_logs::LogsTab;
use super::detail_messages::MessagesTab;
use super::detail_tsl::TslDataTab;
use super::rows::{delete_device, reset_device, set_enabled};
use crate::api::{registry, ws};
use crate::components::states::Empty;
use crate::components::status::{LiveIndicator, StatusDot};
use crate::components::table_state::TableState;
use crate::components::tabs::{Tab, Tabs};
use crate::i18n::{t, tf, tr};
use crate::pages::monitoring::network::NetworkStatus;
use crate::state::can;
use crate::util::enc;

/// One message in the live pane.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveMsg {
    pub seq: u64,
    pub at: i64,
    pub direction: Direction,
    pub topic: String,
    pub payload: String,
}

const TABS: &[Tab] = &[
    Tab::new("info", "device.tab.info"),
    Tab::new("tsl", "device.tab.tsl"),
    Tab::new("messages", "device.tab.messages"),
    Tab::new("logs", "device.tab.logs"),
    Tab::new("connect", "device.tab.connect"),
    // history (issue 14)
    Tab::new("events", "device.tab.events"),
    Tab::new("network", "device.tab.network"),
];

/// Messages kept in the pane (newest first); older ones fall off.
pub const MAX_MESSAGES: usize = 500;

#[component]
pub fn DeviceDetail() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| params.with(|p| (p.get("pk").unwrap_or_default(), p.get("dn").unwrap_or_default())));
    // Re-created per device so the live subscription follows navigation.
    move || {
        let (pk, dn) = key.get();
        view! { <DeviceView pk dn/> }
    }
}

#[component]
fn DeviceView(pk: String, dn: String) -> impl IntoView {
    let ids = StoredValue::new((pk.clone(), dn.clone()));
    let reload = RwSignal::new(0u32);
    let res = LocalResource::new(move || {
        let _ = reload.get();
        let (pk, dn) = ids.get_value();
        async move { registry::device(&pk, &dn).await }
    });
    // Filled by each answer (before the body that reads it is built), then kept current by the
    // live stream without rebuilding the page.
    let device = RwSignal::new(None::<Device>);
    let props = RwSignal::new(Vec::<PropertyValue>::new());
    let messages = RwSignal::new(VecDeque::<LiveMsg>::new());
    let paused = RwSignal::new(false);
    let seq = StoredValue::new(0u64);

    let sub = ws::subscribe(Stream::Device { product_key: pk.clone(), device_name: dn.clone() }, move |ev| match ev {
        LiveEvent::Status { status, reason, at, .. } => device.update(|d| {
            if let Some(d) = d {
                model::live_list::set_status(d, status, reason, at);
            }
        }),
        LiveEvent::Properties { values, .. } => props.update(|ps| merge_props(ps, values)),
        LiveEvent::Message { direction, topic, payload, at, .. } => {
            if paused.get_untracked() {
                return;
            }
            seq.update_value(|s| *s += 1);
            let m = LiveMsg { seq: seq.get_value(), at, direction, topic, payload };
            messages.update(|ms| {
                ms.push_front(m);
                ms.truncate(MAX_MESSAGES);
            });
        }
        LiveEvent::Log { .. } | LiveEvent::Metrics { .. } => {}
        // Deleted meanwhile (elsewhere): reloading shows the page's "not found" state.
        LiveEvent::Removed { .. } => reload.update(|n| *n += 1),
    });
    on_cleanup(move || ws::unsubscribe(sub));

    // A device that does not exist gets a way back, not only Retry.
    let missing = Memo::new(move |_| res.with(|r| matches!(r, Some(Err(f)) if f.status == 404)));
    view! {
        <div class="page">
            <Show
                when=move || missing.get()
                fallback=move || view! {
                    <TableState res let:loaded>
                        {
                            device.set(Some(loaded));
                            view! { <DeviceBody device props messages paused reload/> }
                        }
                    </TableState>
                }
            >
                <DeviceMissing pk=pk.clone() dn=dn.clone() retry=Callback::new(move |_| res.refetch())/>
            </Show>
        </div>
    }
}

/// The page of a device that is not there (deleted, or a wrong link).
#[component]
fn DeviceMissing(pk: String, dn: String, retry: Callback<()>) -> impl IntoView {
    let title = Signal::derive(move || tf("device.missing_title", &[("dn", dn.clone())]));
    view! {
        <div class="card" data-testid="device-missing">
            <Empty title=title hint=tr("device.missing_hint")>
                <a class="btn btn-primary" href=format!("/devices?product={}", enc(&pk)) data-testid="device-missing-product-devices">
                    {move || t("device.missing_product_devices")} " " <span class="mono">{pk.clone()}</span>
                </a>
                <a class="btn" href="/devices" data-testid="device-missing-all">{move || t("device.missing_all")}</a>
                <button class="btn btn-ghost" data-testid="retry" on:click=move |_| retry.run(())>{move || t("common.retry")}</button>
            </Empty>
        </div>
    }
}

/// Newer values replace older ones per identifier; the list stays sorted by identifier.
pub fn merge_props(ps: &mut Vec<PropertyValue>, values: Vec<PropertyValue>) {
    for v in values {
        match ps.iter_mut().find(|p| p.identifier == v.identifier) {
            Some(p) if p.time <= v.time => *p = v,
            Some(_) => {}
            None => ps.push(v),
        }
    }
    ps.sort_by(|a, b| a.identifier.cmp(&b.identifier));
}

#[component]
fn DeviceBody(
    device: RwSignal<Option<Device>>,
    props: RwSignal<Vec<PropertyValue>>,
    messages: RwSignal<VecDeque<LiveMsg>>,
    paused: RwSignal<bool>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let navigate = use_navigate();
    let d = move || device.get().expect("DeviceBody renders only with a device");
    let (pk, dn) = device
        .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default());
    let net_ids = StoredValue::new((pk.clone(), dn.clone()));
    let after_toggle = Callback::new(move |_| reload.update(|n| *n += 1));
    let after_delete = Callback::new(move |_| navigate("/devices", NavigateOptions::default()));
    view! {
        <div class="page-head">
            <h1 class="mono" data-testid="device-title">{dn.clone()}</h1>
            <StatusDot status=Signal::derive(move || d().status)/>
            <span class="muted">{move || d().nickname}</span>
            <a class="mono muted" href=format!("/products/{}", enc(&pk))>{pk.clone()}</a>
            <LiveIndicator/>
            <div class="page-head-actions">
                <a class="btn" href=format!("/debug/{}/{}", enc(&pk), enc(&dn)) data-testid="device-debug">{move || t("device.debug")}</a>
                <Show when=move || can(Role::Operator)>
                    <button class="btn" data-testid="device-toggle"
                        on:click=move |_| { let d = d(); set_enabled(&d, d.status == DeviceStatus::Disabled, after_toggle) }>
                        {move || if d().status == DeviceStatus::Disabled { t("device.enable") } else { t("device.disable") }}
                    </button>
                    <Show when=move || d().activated_at.is_some()>
                        <button class="btn" data-testid="device-reset" title=move || t("device.reset_hint")
                            on:click=move |_| reset_device(&d(), after_toggle)>
                            {move || t("device.reset")}
                        </button>
                    </Show>
                    <button class="btn btn-danger-ghost" data-testid="device-delete" on:click=move |_| delete_device(&d(), after_delete)>
                        {move || t("common.delete")}
                    </button>
                </Show>
            </div>
        </div>
        <Tabs tabs=TABS let:tab>
            {match tab {
                "tsl" => view! { <TslDataTab device props/> }.into_any(),
                "messages" => view! { <MessagesTab messages paused/> }.into_any(),
                "logs" => view! { <LogsTab device/> }.into_any(),
                "connect" => view! { <ConnectTab device/> }.into_any(),
                "events" => view! { <EventsTab device messages/> }.into_any(),
                "network" => {
                    let (pk, dn) = net_ids.get_value();
                    view! { <NetworkStatus pk dn/> }.into_any()
                }
                _ => view! { <InfoTab device/> }.into_any(),
            }}
        </Tabs>
    }
}
