//! The simulator's message pane: what it sent (↑), what arrived (↓) and how it answered, newest
//! first, with a link to the platform's own run log of the device ("View cloud logs", seed).
//! These are the simulated device's own lines; the platform's run log shows beside them.

use leptos::prelude::*;
use model::simulate::{SimulationStatus, TraceLine};

use crate::i18n::t;
use crate::util::{enc, fmt_time};

fn dir_label(dir: &str) -> &'static str {
    match dir {
        "up" => t("sim.dir.up"),
        "down" => t("sim.dir.down"),
        _ => t("sim.dir.info"),
    }
}

#[component]
pub fn Pane(status: RwSignal<Option<SimulationStatus>>, pk: String, dn: String) -> impl IntoView {
    let lines = Memo::new(move |_| {
        status
            .with(|s| s.as_ref().map(|s| s.lines.iter().rev().cloned().collect::<Vec<TraceLine>>()).unwrap_or_default())
    });
    let policy = move || {
        status.with(|s| {
            s.as_ref().and_then(|s| {
                s.policy
                    .as_ref()
                    .map(|_| format!("{} {} / {}", t("sim.policy_state"), s.pushes, s.pushes + s.pushes_left))
            })
        })
    };
    let cloud = format!("/logs?product={}&device={}", enc(&pk), enc(&dn));
    view! {
        <div class="sim-pane-head">
            <h2>{move || t("sim.device_log")}</h2>
            <span class="muted small" data-testid="sim-policy-state">{policy}</span>
            <a class="btn-link" href=cloud data-testid="sim-cloud-logs">{move || t("sim.cloud_logs")}</a>
        </div>
        <Show
            when=move || !lines.get().is_empty()
            fallback=|| view! { <p class="muted" data-testid="sim-log-empty">{move || t("sim.log_empty")}</p> }
        >
            <ol class="sim-lines" data-testid="sim-lines">
                <For each=move || lines.get() key=|l| (l.at_ms, l.dir.clone(), l.topic.clone(), l.payload.clone()) let:l>
                    <li class=format!("sim-line sim-{}", l.dir) data-testid="sim-line" data-dir=l.dir.clone()>
                        <div class="sim-line-head">
                            <span class="mono small muted">{fmt_time(l.at_ms)}</span>
                            <span class="badge">{dir_label(&l.dir)}</span>
                            <span class="mono small sim-topic">{l.topic.clone()}</span>
                        </div>
                        <pre class="mono small sim-payload">{l.payload.clone()}</pre>
                        {(!l.reply.is_null()).then(|| view! {
                            <div class="small sim-reply" data-testid="sim-reply">{move || t("sim.answer")} ": " <span class="mono">{l.reply.to_string()}</span></div>
                        })}
                    </li>
                </For>
            </ol>
        </Show>
    }
}
