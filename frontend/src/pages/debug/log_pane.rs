//! The real-time log pane (seed chapter 2, "Real-time Logs"): every uplink, downlink, reply,
//! check and API call of one device, newest first — time, trace id, business type, operation,
//! code and the content, opened as wrapped pretty JSON. Pause, clear, filter by trace, and a
//! link to the Device Log page for the same device or trace.
//!
//! Source: the run log's REST snapshot for the device plus the `Stream::RunLog` live tail
//! ([`crate::pages::log_feed`]). Pause and clear only change what the pane shows: the feed
//! keeps every entry, so the result pane still sees a late `_reply` while the pane is paused.
//!
//! Reusable: `device_log(pk, dn)` and `<LogPane feed …/>` (the Device Simulation page can show
//! the same pane).

use leptos::prelude::*;
use model::runlog::{LogEntry, LogQuery};

use crate::i18n::{t, tf};
use crate::pages::log_feed::{log_feed, LogFeed};
use crate::util::{enc, fmt_clock, fmt_time, pretty_json};

/// Entries kept for the pane.
pub const KEEP: usize = 300;

/// The run log of one device, live.
pub fn device_log(pk: String, dn: String) -> LogFeed {
    let filter = Memo::new(move |_| LogQuery {
        product_key: Some(pk.clone()),
        device_name: Some(dn.clone()),
        limit: Some(100),
        ..Default::default()
    });
    log_feed(filter, Signal::derive(|| true), KEEP)
}

/// The entries the pane shows: newer than the last clear, matching the trace filter.
pub fn visible(entries: &[LogEntry], cleared_after: i64, trace: &str) -> Vec<LogEntry> {
    let trace = trace.trim();
    entries
        .iter()
        .filter(|e| e.id > cleared_after && (trace.is_empty() || e.trace_id.contains(trace)))
        .cloned()
        .collect()
}

/// The Device Log page for this device (and trace, when filtered).
pub fn logs_href(pk: &str, dn: &str, trace: &str) -> String {
    let mut href = format!("/logs?product={}&device={}", enc(pk), enc(dn));
    if !trace.trim().is_empty() {
        href.push_str(&format!("&trace={}", enc(trace.trim())));
    }
    href
}

#[component]
pub fn LogPane(
    feed: LogFeed,
    pk: String,
    dn: String,
    /// The trace filter; the page's result pane sets it ("only this trace").
    #[prop(optional)]
    trace: Option<RwSignal<String>>,
) -> impl IntoView {
    let trace = trace.unwrap_or_else(|| RwSignal::new(String::new()));
    let entries = feed.entries;
    let paused = RwSignal::new(false);
    // While paused the pane shows the entries as they were; the feed goes on underneath.
    let frozen = RwSignal::new(Vec::<LogEntry>::new());
    let cleared_after = RwSignal::new(0i64);
    let pause = move |_| {
        if paused.get_untracked() {
            paused.set(false);
        } else {
            frozen.set(entries.get_untracked());
            paused.set(true);
        }
    };
    let clear = move |_| {
        let newest = entries.with_untracked(|es| es.first().map_or(0, |e| e.id));
        cleared_after.set(newest);
    };
    let shown = Memo::new(move |_| {
        let (after, tr) = (cleared_after.get(), trace.get());
        if paused.get() {
            frozen.with(|es| visible(es, after, &tr))
        } else {
            entries.with(|es| visible(es, after, &tr))
        }
    });
    let new_while_paused = move || {
        let top = frozen.with(|es| es.first().map_or(0, |e| e.id));
        entries.with(|es| es.iter().filter(|e| e.id > top).count())
    };
    let href = move || logs_href(&pk, &dn, &trace.get());
    view! {
        <div class="dbg-log-head">
            <h2>{move || t("dbg.log.title")}</h2>
            <Show when=move || paused.get()>
                <span class="badge badge-dirty" data-testid="dbg-log-paused">
                    {move || tf("dbg.log.paused", &[("n", new_while_paused().to_string())])}
                </span>
            </Show>
            <div class="dbg-log-tools">
                <button class="btn btn-small" data-testid="dbg-log-pause" aria-pressed=move || paused.get().to_string() on:click=pause>
                    {move || if paused.get() { t("dbg.log.resume") } else { t("dbg.log.pause") }}
                </button>
                <button class="btn btn-small" data-testid="dbg-log-clear" on:click=clear>{move || t("dbg.log.clear")}</button>
            </div>
        </div>
        <div class="dbg-log-filter">
            <input
                class="input mono"
                type="search"
                data-testid="dbg-log-trace"
                aria-label=move || t("dbg.log.filter")
                placeholder=move || t("dbg.log.filter")
                prop:value=move || trace.get()
                on:input=move |ev| trace.set(event_target_value(&ev))
            />
            <a class="btn-link small" href=href data-testid="dbg-log-all">{move || t("dbg.log.all")}</a>
        </div>
        <Show
            when=move || !shown.with(Vec::is_empty)
            fallback=|| view! { <p class="muted small dbg-log-empty" data-testid="dbg-log-empty">{move || t("dbg.log.empty")}</p> }
        >
            <ol class="dbg-log" data-testid="dbg-log">
                <For each=move || shown.get() key=|e| e.id let:e>
                    <LogItem e trace/>
                </For>
            </ol>
        </Show>
    }
}

#[component]
fn LogItem(e: LogEntry, trace: RwSignal<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = e.id;
    let tid = e.trace_id.clone();
    let pretty = StoredValue::new(pretty_json(&e.content));
    let failed = e.status != 200;
    view! {
        <li class="dbg-log-item" class:dbg-log-failed=failed data-testid="dbg-log-row"
            data-trace=e.trace_id.clone() data-biz=e.biz_type.as_str() data-status=e.status.to_string()>
            <div class="dbg-log-line">
                <span class="num small muted" title=fmt_time(e.at)>{fmt_clock(e.at)}</span>
                <span class=format!("badge dbg-biz dbg-biz-{}", e.biz_type.as_str())>{e.biz_type.as_str()}</span>
                <span class="num small dbg-log-code" class:dbg-code-bad=failed data-testid="dbg-log-code">{e.status}</span>
                <button class="btn-link mono small dbg-trace" title=move || t("dbg.show_trace")
                    data-testid="dbg-log-trace-link" on:click=move |_| trace.set(tid.clone())>
                    {e.trace_id.clone()}
                </button>
            </div>
            <div class="mono small dbg-log-op" data-testid="dbg-log-op">{e.operation.clone()}</div>
            <button class="dbg-log-content mono small" data-testid=format!("dbg-log-toggle-{id}")
                aria-expanded=move || open.get().to_string() title=move || t("logs.show_content")
                on:click=move |_| open.update(|o| *o = !*o)>
                <span class="dbg-caret">{move || if open.get() { "▾" } else { "▸" }}</span>
                <span class="dbg-log-preview">{e.content.clone()}</span>
            </button>
            <Show when=move || open.get()>
                <pre class="mono small dbg-json" data-testid=format!("dbg-log-json-{id}")>{pretty.get_value()}</pre>
            </Show>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::debug::test_entry as entry;
    use model::runlog::BizType;

    #[test]
    fn clear_hides_what_was_there_and_the_trace_filter_narrows() {
        let es = vec![
            entry(5, "t2", BizType::Uplink, "a"),
            entry(4, "t1", BizType::Downlink, "b"),
            entry(3, "t1", BizType::ApiService, "c"),
        ];
        let ids = |v: Vec<LogEntry>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(ids(visible(&es, 0, "")), vec![5, 4, 3]);
        assert_eq!(ids(visible(&es, 4, "")), vec![5], "cleared at 4: only newer entries");
        assert_eq!(ids(visible(&es, 0, " t1 ")), vec![4, 3]);
        assert_eq!(ids(visible(&es, 4, "t1")), Vec::<i64>::new());
    }
}
