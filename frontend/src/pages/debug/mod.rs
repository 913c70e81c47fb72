//! Online Debug (seed chapter 2): `/debug` picks a device, `/debug/:pk/:dn?module=&tab=`
//! debugs it — Property Debugging (Get, Set, Set expectations, Reset per property and for all)
//! and Service Calls with the result of the last action on the left, the real-time log pane on
//! the right (below on a narrow screen).
//!
//! The server decides (its codes show in the result pane); the page only saves round trips:
//! inputs are checked by `model::debug_form` (the server's own validation) before sending, an
//! offline device only takes Set expectations, a viewer reads but cannot act.

pub mod log_pane;
mod picker;
mod properties;
pub mod result;
mod services;

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use model::auth::Role;
use model::debug::{CallResult, DesiredValue};
use model::registry::{Device, DeviceStatus, PropertyValue};
use model::tsl::ThingModel;
use model::ws::{LiveEvent, Stream};

pub use picker::DebugPicker;
use result::{Answer, Outcome, ResultPane};

use crate::api::client::ApiResult;
use crate::api::{debug, registry, ws};
use crate::components::fields::Select;
use crate::components::status::StatusDot;
use crate::components::tabs::{Tab, Tabs};
use crate::i18n::t;
use crate::pages::devices::detail::merge_props;
use crate::pages::{query_param, query_setter};
use crate::state::can;
use crate::util::{enc, now_ms};

/// `/debug/:pk/:dn`.
#[component]
pub fn DebugPage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| params.with(|p| (p.get("pk").unwrap_or_default(), p.get("dn").unwrap_or_default())));
    // Re-created per device so the subscriptions follow navigation.
    move || {
        let (pk, dn) = key.get();
        view! { <DebugView pk dn/> }
    }
}

const TABS: &[Tab] = &[Tab::new("properties", "dbg.tab.properties"), Tab::new("services", "dbg.tab.services")];

/// What the tabs share: the device, its model (the selected module), reported and desired
/// values, and where answers go.
#[derive(Clone, Copy)]
pub struct Ctx {
    ids: StoredValue<(String, String)>,
    pub device: RwSignal<Option<Device>>,
    /// The selected module's model.
    pub model: Signal<Option<ThingModel>>,
    pub reported: RwSignal<Vec<PropertyValue>>,
    pub desired: RwSignal<Vec<DesiredValue>>,
    pub outcome: RwSignal<Option<Outcome>>,
    pub busy: RwSignal<bool>,
}

impl Ctx {
    pub fn pk(&self) -> String {
        self.ids.get_value().0
    }
    pub fn dn(&self) -> String {
        self.ids.get_value().1
    }

    /// Why the device cannot be called now (i18n key), reactive; `None` when it can.
    pub fn call_blocked(&self) -> Option<&'static str> {
        if !can(Role::Operator) {
            return Some("dbg.viewer_reason");
        }
        match self.device.with(|d| d.as_ref().map(|d| d.status)) {
            Some(DeviceStatus::Online) => None,
            Some(DeviceStatus::Disabled) => Some("dbg.disabled_reason"),
            _ => Some("dbg.offline_reason"),
        }
    }

    /// Why desired values cannot be stored now (only the role: an offline device gets them
    /// when it connects).
    pub fn store_blocked(&self) -> Option<&'static str> {
        (!can(Role::Operator)).then_some("dbg.viewer_reason")
    }

    /// Run one call; its answer goes to the result pane, `then` sees it first.
    pub fn run<Fut>(self, action: &'static str, target: String, call: Fut, then: impl FnOnce(&CallResult) + 'static)
    where
        Fut: Future<Output = ApiResult<CallResult>> + 'static,
    {
        self.busy.set(true);
        spawn_local(async move {
            let answer = match call.await {
                Ok(r) => {
                    then(&r);
                    Answer::Call(r)
                }
                Err(f) => Answer::Failed(f.text()),
            };
            self.outcome.set(Some(Outcome { action, target, at: now_ms(), answer }));
            self.busy.set(false);
            self.reload_desired();
        });
    }

    /// The browser's check refused an action: say so, send nothing.
    pub fn refuse(self, action: &'static str, target: String, errors: Vec<model::tsl::TslError>) {
        self.outcome.set(Some(Outcome { action, target, at: now_ms(), answer: Answer::Refused(errors) }));
    }

    pub fn reload_desired(self) {
        let (pk, dn) = self.ids.get_value();
        spawn_local(async move {
            if let Ok(d) = debug::desired(&pk, &dn).await {
                self.desired.set(d.items);
            }
        });
    }
}

#[component]
fn DebugView(pk: String, dn: String) -> impl IntoView {
    let ids = StoredValue::new((pk.clone(), dn.clone()));
    let device = RwSignal::new(None::<Device>);
    let reported = RwSignal::new(Vec::<PropertyValue>::new());
    let desired = RwSignal::new(Vec::<DesiredValue>::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let trace_filter = RwSignal::new(String::new());
    let missing = RwSignal::new(false);

    // Device, stored values and desired values; then the device stream keeps them current.
    spawn_local({
        let (pk, dn) = (pk.clone(), dn.clone());
        async move {
            match registry::device(&pk, &dn).await {
                Ok(d) => device.set(Some(d)),
                Err(f) if f.status == 404 => missing.set(true),
                Err(f) => crate::api::report(&f),
            }
            if let Ok(vs) = registry::properties(&pk, &dn).await {
                reported.update(|ps| merge_props(ps, vs));
            }
        }
    });
    let sub = ws::subscribe(Stream::Device { product_key: pk.clone(), device_name: dn.clone() }, move |ev| match ev {
        LiveEvent::Status { status, reason, at, .. } => device.update(|d| {
            if let Some(d) = d {
                model::live_list::set_status(d, status, reason, at);
            }
        }),
        LiveEvent::Properties { values, .. } => {
            reported.update(|ps| merge_props(ps, values));
            // A reported value may have cleared a desired one.
            let (pk, dn) = ids.get_value();
            spawn_local(async move {
                if let Ok(d) = debug::desired(&pk, &dn).await {
                    desired.set(d.items);
                }
            });
        }
        _ => {}
    });
    on_cleanup(move || ws::unsubscribe(sub));

    let tsl = LocalResource::new(move || {
        let (pk, _) = ids.get_value();
        async move { registry::tsl(&pk).await.ok().and_then(|v| serde_json::from_value::<ThingModel>(v).ok()) }
    });
    // Modules: the default model, and the module the model itself names (if any).
    let module_q = query_param("module");
    let set_query = query_setter();
    let module = RwSignal::new(module_q().unwrap_or_default());
    Effect::new(move |_| {
        let m = module.get();
        if module_q() != Some(m.clone()).filter(|m| !m.is_empty()) {
            set_query(&[("module", Some(m))]);
        }
    });
    let module_options = Signal::derive(move || {
        let mut v = vec![(String::new(), t("dbg.module_default").to_string())];
        if let Some(fb) = tsl.get().flatten().and_then(|m| m.function_block_id) {
            v.push((fb.clone(), fb));
        }
        v
    });
    let model = Signal::derive(move || tsl.get().flatten());
    let ctx = Ctx { ids, device, model, reported, desired, outcome, busy };
    ctx.reload_desired();

    let feed = log_pane::device_log(pk.clone(), dn.clone());
    let entries = feed.entries;
    let status = Signal::derive(move || device.with(|d| d.as_ref().map_or(DeviceStatus::Inactive, |d| d.status)));
    let offline_note = move || {
        let blocked = ctx.call_blocked();
        (blocked.is_some() && blocked != Some("dbg.viewer_reason")).then(|| blocked.map(t))
    };
    view! {
        <div class="page dbg-page">
            <div class="page-head dbg-head">
                <h1>{move || t("nav.debug")}</h1>
                <span class="mono dbg-wrap" data-testid="dbg-title">{pk.clone()} " / " {dn.clone()}</span>
                <Show when=move || device.with(Option::is_some)>
                    <StatusDot status/>
                </Show>
                <div class="page-head-actions">
                    <a class="btn btn-small" href=format!("/debug?product={}", enc(&pk)) data-testid="dbg-change">{move || t("dbg.change_device")}</a>
                    <a class="btn btn-small" href=format!("/devices/{}/{}", enc(&pk), enc(&dn)) data-testid="dbg-device-page">{move || t("dbg.device_page")}</a>
                </div>
            </div>
            <Show when=move || missing.get()>
                <div class="card"><p data-testid="dbg-missing">{move || t("device.missing_hint")}</p></div>
            </Show>
            {move || offline_note().flatten().map(|text| view! {
                <p class="dbg-note small" data-testid="dbg-offline">{text}</p>
            })}
            <div class="dbg-grid">
                <section class="card dbg-controls">
                    <label class="dbg-module">
                        <span class="field-label">{move || t("dbg.module")}</span>
                        <Select value=module testid="dbg-module" options=module_options/>
                    </label>
                    <Tabs tabs=TABS let:tab>
                        {match tab {
                            "services" => view! { <services::ServicesTab ctx/> }.into_any(),
                            _ => view! { <properties::PropertiesTab ctx/> }.into_any(),
                        }}
                    </Tabs>
                    // Under the buttons that caused it; the log pane keeps the right column.
                    <ResultPane outcome entries trace_filter pk=pk.clone() dn=dn.clone()/>
                </section>
                <aside class="dbg-side">
                    <section class="card dbg-card dbg-logs">
                        <log_pane::LogPane feed pk=pk.clone() dn=dn.clone() trace=trace_filter/>
                    </section>
                </aside>
            </div>
        </div>
    }
}

/// A run-log entry of device pk/dn for the pane's and the result's tests.
#[cfg(test)]
pub(crate) fn test_entry(id: i64, trace: &str, biz: model::runlog::BizType, op: &str) -> model::runlog::LogEntry {
    model::runlog::LogEntry {
        id,
        at: id,
        trace_id: trace.into(),
        message_id: None,
        product_key: "pk".into(),
        device_name: "dn".into(),
        biz_type: biz,
        operation: op.into(),
        content: "{}".into(),
        status: 200,
    }
}
