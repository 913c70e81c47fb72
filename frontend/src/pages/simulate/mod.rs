//! Device Simulation (seed chapter 3): `/simulate` picks a device, `/simulate/:pk/:dn` runs a
//! simulator for it. Upstream: custom topic, property and event submission (now or by a push
//! policy); downstream: a subscription, and everything the console sends the simulated device
//! with its answer, in the message pane; under it the platform's own run log of the device,
//! live (the Online Debug page's log pane).
//!
//! The simulator stops when the page is left (unless pinned): on unmount the page says so, and
//! the server stops it anyway when the page's status polls stop coming.

mod pane;
mod upstream;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use model::auth::Role;
use model::registry::DataFormat;
use model::simulate::SimulationStatus;
use model::tsl::ThingModel;

use crate::api::{registry, report, simulate};
use crate::components::fields::{Checkbox, Select, TextField};
use crate::components::tabs::{Tab, Tabs};
use crate::i18n::{t, tr};
use crate::pages::debug::log_pane::{device_log, LogPane};
use crate::state::can;
use crate::util::enc;

/// `/simulate`: choose a product and a device.
#[component]
pub fn SimulatePicker() -> impl IntoView {
    let products = LocalResource::new(registry::products);
    let pk = RwSignal::new(String::new());
    let dn = RwSignal::new(String::new());
    let options = Signal::derive(move || {
        let list = products.get().and_then(Result::ok).unwrap_or_default();
        list.into_iter()
            .filter(|p| p.data_format == DataFormat::AlinkJson)
            .map(|p| (p.product_key.clone(), format!("{} ({})", p.name, p.product_key)))
            .collect::<Vec<_>>()
    });
    Effect::new(move |_| {
        if pk.get_untracked().is_empty() {
            if let Some((first, _)) = options.get().first() {
                pk.set(first.clone());
            }
        }
    });
    let navigate = use_navigate();
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (p, d) = (pk.get(), dn.get().trim().to_string());
        if !p.is_empty() && !d.is_empty() {
            navigate(&format!("/simulate/{}/{}", enc(&p), enc(&d)), NavigateOptions::default());
        }
    };
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t("nav.simulate")}</h1></div>
            <p class="muted">{move || t("sim.intro")}</p>
            <form class="card sim-picker" on:submit=open>
                <label class="field">
                    <span class="field-label">{move || t("sim.product")}</span>
                    <Select value=pk testid="sim-product" options/>
                </label>
                <TextField label=tr("sim.device") value=dn testid="sim-device" mono=true required=true/>
                <button class="btn btn-primary" type="submit" data-testid="sim-open">{move || t("sim.open")}</button>
            </form>
        </div>
    }
}

/// `/simulate/:pk/:dn`.
#[component]
pub fn SimulatePage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| params.with(|p| (p.get("pk").unwrap_or_default(), p.get("dn").unwrap_or_default())));
    move || {
        let (pk, dn) = key.get();
        view! { <SimulateView pk dn/> }
    }
}

const TABS: &[Tab] = &[
    Tab::new("topic", "sim.tab.topic"),
    Tab::new("properties", "sim.tab.properties"),
    Tab::new("events", "sim.tab.events"),
    Tab::new("downstream", "sim.tab.downstream"),
];

#[component]
fn SimulateView(pk: String, dn: String) -> impl IntoView {
    let status = RwSignal::new(None::<SimulationStatus>);
    let pinned = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let model = LocalResource::new({
        let pk = pk.clone();
        move || {
            let pk = pk.clone();
            async move {
                let v = registry::tsl(&pk).await.ok()?;
                serde_json::from_value::<ThingModel>(v).ok()
            }
        }
    });
    let ids = StoredValue::new((pk.clone(), dn.clone()));
    let refresh = move || {
        let (pk, dn) = ids.get_value();
        spawn_local(async move {
            if let Ok(s) = simulate::status(&pk, &dn).await {
                pinned.set(s.pinned || pinned.get_untracked() && !s.running);
                status.set(Some(s));
            }
        });
    };
    refresh();
    // Polling renews the simulator's lease while this page is open.
    if let Ok(h) = set_interval_with_handle(refresh, std::time::Duration::from_secs(2)) {
        on_cleanup(move || h.clear());
    }
    // Leaving the page stops an unpinned simulator (seed).
    on_cleanup(move || {
        let running = status.with_untracked(|s| s.as_ref().is_some_and(|s| s.running && !s.pinned));
        if running {
            let (pk, dn) = ids.get_value();
            spawn_local(async move {
                let _ = simulate::stop(&pk, &dn).await;
            });
        }
    });
    let running = Signal::derive(move || status.with(|s| s.as_ref().is_some_and(|s| s.running)));
    let start = move |_| {
        let (pk, dn) = ids.get_value();
        busy.set(true);
        spawn_local(async move {
            match simulate::start(&pk, &dn, pinned.get_untracked()).await {
                Ok(s) => status.set(Some(s)),
                Err(e) => report(&e),
            }
            busy.set(false);
        });
    };
    let stop = move |_| {
        let (pk, dn) = ids.get_value();
        spawn_local(async move {
            match simulate::stop(&pk, &dn).await {
                Ok(()) => refresh(),
                Err(e) => report(&e),
            }
        });
    };
    let model_sig = Signal::derive(move || model.get().flatten());
    view! {
        <div class="page sim-page">
            <div class="page-head">
                <a class="btn-link" href="/simulate" data-testid="sim-back">"← " {move || t("nav.simulate")}</a>
            </div>
            <div class="page-head">
                <h1>{move || t("sim.debugging")} " " <span class="mono" data-testid="sim-title">{pk.clone()} " / " {dn.clone()}</span></h1>
                <span class="badge" class:badge-ok=move || running.get() data-testid="sim-state">
                    {move || if running.get() { t("sim.running") } else { t("sim.stopped") }}
                </span>
                <div class="page-head-actions">
                    <Show when=move || can(Role::Operator)>
                        <Checkbox label=tr("sim.pin") checked=pinned testid="sim-pin"/>
                        <Show
                            when=move || running.get()
                            fallback=move || view! {
                                <button class="btn btn-primary" data-testid="sim-start" disabled=move || busy.get() on:click=start>{move || t("sim.start")}</button>
                            }
                        >
                            <button class="btn" data-testid="sim-stop" on:click=stop>{move || t("sim.stop")}</button>
                        </Show>
                    </Show>
                </div>
            </div>
            <p class="muted small">{move || t("sim.limits")}</p>
            <div class="sim-grid">
                <section class="card sim-controls">
                    <Tabs tabs=TABS let:tab>
                        {
                            let (pk, dn) = ids.get_value();
                            match tab {
                                "properties" => view! { <upstream::Properties pk dn model=model_sig running/> }.into_any(),
                                "events" => view! { <upstream::Events pk dn model=model_sig running/> }.into_any(),
                                "downstream" => view! { <upstream::Subscribe pk dn running/> }.into_any(),
                                _ => view! { <upstream::CustomTopic pk dn running/> }.into_any(),
                            }
                        }
                    </Tabs>
                </section>
                <div class="sim-side">
                    <section class="card sim-log">
                        <pane::Pane status pk=ids.get_value().0 dn=ids.get_value().1/>
                    </section>
                    // What the platform logged for this device, live: the simulator's traffic as
                    // the broker, router and run log saw it (the Online Debug page's pane).
                    <section class="card sim-log" data-testid="sim-cloud-log">
                        {
                            let (pk, dn) = ids.get_value();
                            let feed = device_log(pk.clone(), dn.clone());
                            view! { <LogPane feed pk dn/> }
                        }
                    </section>
                </div>
            </div>
        </div>
    }
}
