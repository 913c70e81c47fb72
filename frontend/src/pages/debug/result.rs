//! The result pane: the answer to the last Get, Set, Set expectations or service call — its
//! code and message, the device's output, the trace (filter the log pane by it, or open it in
//! the Device Log). A call refused by the browser's own check says so: nothing was sent.
//!
//! An async service answers "pending" at once; its `_reply` arrives later in the run log under
//! the same trace, and the pane shows it as soon as the log feed has it.

use leptos::prelude::*;
use model::debug::CallResult;
use model::runlog::{BizType, LogEntry};
use model::tsl::TslError;

use super::log_pane::logs_href;
use crate::i18n::{t, tf};
use crate::util::{fmt_time, pretty_json};

/// What an action ended in.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The server's answer (any code).
    Call(CallResult),
    /// The browser's own check refused it; nothing was sent.
    Refused(Vec<TslError>),
    /// The request itself failed (network, 400, 404).
    Failed(String),
}

/// One action and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// i18n key of the action's name (the button's label).
    pub action: &'static str,
    /// What it was about: property identifiers or the service.
    pub target: String,
    pub at: i64,
    pub answer: Answer,
}

impl Outcome {
    /// The seed's code shown for it.
    pub fn code(&self) -> Option<u32> {
        match &self.answer {
            Answer::Call(r) => Some(r.code),
            Answer::Refused(errs) => errs.first().map(|e| e.code),
            Answer::Failed(_) => None,
        }
    }
}

/// The device's `_reply` to the request of trace `trace`, once it is in the log.
pub fn reply_in(entries: &[LogEntry], trace: &str) -> Option<LogEntry> {
    entries
        .iter()
        .filter(|e| e.trace_id == trace && e.biz_type == BizType::Uplink && e.operation.contains("_reply"))
        .min_by_key(|e| e.id)
        .cloned()
}

#[component]
pub fn ResultPane(
    outcome: RwSignal<Option<Outcome>>,
    /// The log feed's entries (all of them, not what the paused pane shows).
    entries: RwSignal<Vec<LogEntry>>,
    trace_filter: RwSignal<String>,
    pk: String,
    dn: String,
) -> impl IntoView {
    let ids = StoredValue::new((pk, dn));
    view! {
        <section class="dbg-result" data-testid="dbg-result" aria-live="polite">
            <h2>{move || t("dbg.result")}</h2>
            {move || match outcome.get() {
                None => view! { <p class="muted small" data-testid="dbg-result-empty">{move || t("dbg.result_empty")}</p> }.into_any(),
                Some(o) => {
                    let (pk, dn) = ids.get_value();
                    view! { <OutcomeView o entries trace_filter pk dn/> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn OutcomeView(
    o: Outcome,
    entries: RwSignal<Vec<LogEntry>>,
    trace_filter: RwSignal<String>,
    pk: String,
    dn: String,
) -> impl IntoView {
    let code = o.code();
    let ok = code == Some(200);
    let head = view! {
        <div class="dbg-result-head">
            <span class="badge" class:badge-ok=ok class:badge-bad=!ok data-testid="dbg-result-code">
                {code.map_or_else(|| "—".to_string(), |c| c.to_string())}
            </span>
            <strong data-testid="dbg-result-action">{t(o.action)}</strong>
            <span class="mono small dbg-wrap">{o.target.clone()}</span>
            <span class="muted small num">{fmt_time(o.at)}</span>
        </div>
    };
    let body = match o.answer {
        Answer::Refused(errs) => view! {
            <p class="field-error" data-testid="dbg-result-refused">{move || t("dbg.refused")}</p>
            <ul class="dbg-errors">
                {errs.into_iter().map(|e| view! {
                    <li class="small dbg-wrap" data-testid="dbg-result-error">
                        <span class="mono">{e.code}</span> " " <span class="mono">{e.path.clone()}</span> ": " {e.message.clone()}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Answer::Failed(text) => view! {
            <p class="field-error dbg-wrap" data-testid="dbg-result-failed">{move || t("dbg.failed")} ": " {text.clone()}</p>
        }
        .into_any(),
        Answer::Call(r) => {
            let trace = r.trace_id.clone();
            let trace_for_filter = trace.clone();
            let href = logs_href(&pk, &dn, &trace);
            let data = (!r.data.is_null()).then(|| pretty_json(&r.data.to_string()));
            let pending = r.pending;
            let reply = {
                let trace = trace.clone();
                Memo::new(move |_| if pending { entries.with(|es| reply_in(es, &trace)) } else { None })
            };
            view! {
                <p class="small dbg-wrap" data-testid="dbg-result-message">{r.message.clone()}</p>
                {pending.then(|| view! {
                    <p class="small" data-testid="dbg-result-pending">
                        <span class="mono dbg-wrap">{tf("dbg.pending", &[("trace", trace.clone())])}</span>
                        " · "
                        {move || if reply.with(Option::is_some) { t("dbg.reply_arrived") } else { t("dbg.waiting_reply") }}
                    </p>
                })}
                {move || reply.get().map(|e| {
                    let status = e.status;
                    view! {
                        <div class="dbg-reply" data-testid="dbg-result-reply" data-status=status.to_string()>
                            <span class="mono small">{e.operation.clone()}</span>
                            <pre class="mono small dbg-json">{pretty_json(&e.content)}</pre>
                        </div>
                    }
                })}
                {data.map(|d| view! {
                    <div class="small muted">{move || t("dbg.output")}</div>
                    <pre class="mono small dbg-json" data-testid="dbg-result-data">{d}</pre>
                })}
                <div class="dbg-result-trace small">
                    <span class="muted">{move || t("dbg.trace")} ": "</span>
                    <span class="mono dbg-wrap" data-testid="dbg-result-trace">{trace.clone()}</span>
                    <button class="btn-link" data-testid="dbg-result-filter" on:click=move |_| trace_filter.set(trace_for_filter.clone())>
                        {move || t("dbg.show_trace")}
                    </button>
                    <a class="btn-link" href=href data-testid="dbg-result-logs">{move || t("dbg.open_logs")}</a>
                </div>
            }
            .into_any()
        }
    };
    view! { {head} {body} }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::debug::test_entry as entry;

    #[test]
    fn the_late_reply_is_the_uplink_reply_of_the_same_trace() {
        let mut es = vec![
            entry(3, "t1", BizType::ThingModel, "check"),
            entry(2, "t1", BizType::Downlink, "/sys/pk/dn/thing/service/Blink"),
            entry(1, "t0", BizType::Uplink, "/sys/pk/dn/thing/service/Blink_reply"),
        ];
        assert_eq!(reply_in(&es, "t1"), None, "no reply yet; another trace's does not count");
        es.insert(0, entry(4, "t1", BizType::Uplink, "/sys/pk/dn/thing/service/Blink_reply"));
        assert_eq!(reply_in(&es, "t1").map(|e| e.id), Some(4));
    }
}
