//! Device Log `/logs?tab=run|local|reports|export`: the cloud run log of the whole fleet
//! (filters in the URL, optional live tail). The other tabs of the seed's chapter are not built.

use leptos::prelude::*;
use model::runlog::{BizType, LogEntry, LogQuery};

use crate::components::json_view::JsonView;
use crate::components::states::Empty;
use crate::components::table::{label, CardTable};
use crate::components::tabs::{Tab, Tabs};
use crate::i18n::{t, tr};
use crate::pages::log_feed::{log_feed, LogResults};
use crate::pages::{query_param, query_setter};
use crate::util::{enc, fmt_time, parse_local_datetime};

pub const BIZ: [BizType; 6] =
    [BizType::Device, BizType::Uplink, BizType::Downlink, BizType::ThingModel, BizType::Ota, BizType::SubDevice];

/// The run log as a table (cards on a phone). A row's content is cut to one line; its toggle
/// (a button, so Tab + Enter work) opens the full content below it as pretty JSON.
#[component]
pub fn LogTable(entries: RwSignal<Vec<LogEntry>>, show_device: bool) -> impl IntoView {
    // Columns of the detail row (`colspan`): toggle, time, [device], trace, type, operation, status, content.
    let cols = if show_device { 8 } else { 7 };
    view! {
        <CardTable testid="log-table" compact=true class="tbl-log">
            <thead><tr>
                <th class="toggle-col"><span class="sr-only">{move || t("common.expand")}</span></th>
                <th class="col-time">{move || t("common.time")}</th>
                {show_device.then(|| view! { <th class="col-device">{move || t("device.name")}</th> })}
                <th class="col-trace">{move || t("logs.trace_id")}</th>
                <th class="col-type">{move || t("logs.type")}</th>
                <th class="col-op">{move || t("logs.operation")}</th>
                <th class="col-status">{move || t("logs.status")}</th>
                <th>{move || t("logs.content")}</th>
            </tr></thead>
            <tbody>
                <For each=move || entries.get() key=|e| e.id let:e>
                    <LogRow e show_device cols/>
                </For>
            </tbody>
        </CardTable>
    }
}

#[component]
fn LogRow(e: LogEntry, show_device: bool, cols: u32) -> impl IntoView {
    let open = RwSignal::new(false);
    let (id, at) = (e.id, e.at);
    let content = e.content.clone();
    let detail = StoredValue::new(e.content.clone());
    // The operation (a whole topic) is cut in the row; the opened row shows it whole.
    let operation = e.operation.clone();
    view! {
        <tr data-testid="log-row" data-id=id.to_string() class:row-failed=e.status != 200 class:row-open=move || open.get()>
            <td class="cell-key toggle-col">
                <button
                    class="btn-icon row-toggle"
                    data-testid=format!("log-toggle-{id}")
                    aria-expanded=move || open.get().to_string()
                    aria-controls=format!("log-detail-{id}")
                    title=move || if open.get() { t("common.collapse") } else { t("logs.show_content") }
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "▾" } else { "▸" }}
                </button>
            </td>
            <td class="num nowrap cell-key" data-label=label("common.time")>{move || fmt_time(at)}</td>
            {show_device.then(|| view! {
                <td class="mono small cell-key cell-title" data-label=label("device.name")>
                    <a href=format!("/devices/{}/{}?tab=logs", enc(&e.product_key), enc(&e.device_name)) title=e.device_name.clone()>{e.device_name.clone()}</a>
                </td>
            })}
            <td class="mono small" data-label=label("logs.trace_id")>{e.trace_id.clone()}</td>
            <td data-label=label("logs.type")>{e.biz_type.as_str()}</td>
            <td class="mono small" data-label=label("logs.operation") title=e.operation.clone()>{e.operation.clone()}</td>
            <td class="num cell-key log-status" data-label=label("logs.status")>{e.status}</td>
            <td class="mono small log-content" data-label=label("logs.content") title=content.clone()>{content.clone()}</td>
        </tr>
        <Show when=move || open.get()>
            <tr class="log-detail" id=format!("log-detail-{id}") data-testid=format!("log-detail-{id}")>
                <td colspan=cols.to_string()>
                    <div class="log-meta mono small" data-testid=format!("log-meta-{id}")>{operation.clone()}</div>
                    <JsonView text=detail.get_value() testid=format!("log-json-{id}")/>
                </td>
            </tr>
        </Show>
    }
}

const TABS: &[Tab] = &[
    Tab::new("run", "logs.tab.run"),
    Tab::new("local", "logs.tab.local"),
    Tab::new("reports", "logs.tab.reports"),
    Tab::new("export", "logs.tab.export"),
];

#[component]
pub fn LogsPage() -> impl IntoView {
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t("nav.logs")}</h1></div>
            <Tabs tabs=TABS let:tab>
                {if tab == "run" {
                    view! { <crate::components::scope::ScopeBanner/><RunLog/> }.into_any()
                } else {
                    view! {
                        <div class="card">
                            <Empty title=tr("placeholder.title") hint=tr("placeholder.hint")/>
                        </div>
                    }.into_any()
                }}
            </Tabs>
        </div>
    }
}

#[component]
fn RunLog() -> impl IntoView {
    let p = |k| query_param(k);
    let (product, device, trace, biz, status, since, until) =
        (p("product"), p("device"), p("trace"), p("biz"), p("status"), p("since"), p("until"));
    let set_query = query_setter();
    let filter = Memo::new(move |_| LogQuery {
        product_key: product(),
        device_name: device(),
        trace_id: trace(),
        biz_type: biz().and_then(|b| BizType::parse(&b)),
        status: status().and_then(|s| s.parse().ok()),
        since: since().and_then(|s| parse_local_datetime(&s)),
        until: until().and_then(|s| parse_local_datetime(&s)),
        limit: Some(200),
    });
    // Live tail: new entries matching the filter are prepended while "live" is on.
    let live = RwSignal::new(false);
    let feed = log_feed(filter, live.into(), 1000);
    let res = feed.res;

    let fields =
        [("device", device), ("trace", trace), ("biz", biz), ("status", status), ("since", since), ("until", until)]
            .map(|(k, get)| (k, RwSignal::new(get().unwrap_or_default())));
    let [f_device, f_trace, f_biz, f_status, f_since, f_until] = fields.map(|(_, s)| s);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let changes: Vec<(&str, Option<String>)> =
            fields.iter().map(|(k, s)| (*k, Some(s.get_untracked().trim().to_string()))).collect();
        set_query(&changes);
    };
    let biz_options = Signal::derive(|| {
        let mut v = vec![(String::new(), t("logs.all_types").to_string())];
        v.extend(BIZ.iter().map(|b| (b.as_str().to_string(), b.as_str().to_string())));
        v
    });
    view! {
        <div class="card">
            <form class="filter-bar" on:submit=apply>
                <input class="input mono" data-search data-testid="logs-filter-device" placeholder=move || t("device.name") bind:value=f_device/>
                <input class="input mono" data-testid="logs-filter-trace" placeholder=move || t("logs.trace_id") bind:value=f_trace/>
                <crate::components::fields::Select value=f_biz testid="logs-filter-biz" options=biz_options/>
                <input class="input num input-narrow" data-testid="logs-filter-status" placeholder=move || t("logs.status") bind:value=f_status/>
                <input class="input" type="datetime-local" data-testid="logs-since" title=move || t("common.since") bind:value=f_since/>
                <input class="input" type="datetime-local" data-testid="logs-until" title=move || t("common.until") bind:value=f_until/>
                <button class="btn btn-primary" type="submit" data-testid="logs-apply">{move || t("common.apply")}</button>
                <div class="filter-spacer"></div>
                <label class="field-check"><input type="checkbox" data-testid="logs-live" bind:checked=live/>{move || t("logs.live_tail")}</label>
                <button class="btn" type="button" data-testid="logs-refresh" on:click=move |_| res.refetch()>{move || t("common.refresh")}</button>
            </form>
            <LogResults feed empty_hint="logs.empty_hint_all" show_device=true scope_note=crate::components::scope::product_note()/>
        </div>
    }
}
