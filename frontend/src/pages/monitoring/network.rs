//! Device network status (seed 1.3): `/monitoring?tab=network&device=pk/dn`, and the device
//! page's Network tab.
//!
//! The seed's table — Reported At, Collected At (empty when the device sent no `_time`), RSSI
//! (dBm), SNR (dB), packet loss (‰), connection method, error description with "View details"
//! only when errors were reported — and RSSI / SNR / loss charts over the chosen range.

use charming::Chart;
use leptos::prelude::*;
use model::network::{NetworkStatusPage, NetworkStatusRow};
use model::registry::DeviceQuery;

use crate::api::{history, registry};
use crate::components::chart::EChart;
use crate::components::modal::Modal;
use crate::components::series_chart::{time_chart, TPoint, TSeries, TimeChart};
use crate::components::states::Empty;
use crate::components::table::{label, CardTable};
use crate::components::table_state::{empty_when, TableState};
use crate::components::time_range::{TimeRange, TimeRangePicker};
use crate::i18n::{t, tf, tr};
use crate::pages::{query_param, query_setter};
use crate::state::{g, Theme};
use crate::util::{fmt_opt_time, fmt_time, now_ms};

/// The Monitoring page's "Device network status" tab: a device picker (`?device=pk/dn`) over
/// [`NetworkStatus`]. The picker suggests the devices of the top bar's product (`?product=`),
/// or of every product; any `ProductKey/DeviceName` can be typed.
#[component]
pub fn NetworkTab() -> impl IntoView {
    let device_q = query_param("device");
    let product = query_param("product");
    let set_query = query_setter();
    let input = RwSignal::new(device_q().unwrap_or_default());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_query(&[("device", Some(input.get_untracked().trim().to_string()))]);
    };
    // Suggestions only: a failed load leaves the field a plain text box.
    let suggestions = LocalResource::new(move || {
        let q = DeviceQuery { product_key: product(), page: Some(1), page_size: Some(100), ..Default::default() };
        async move { registry::devices(&q).await.map(|p| p.items).unwrap_or_default() }
    });
    let target =
        Memo::new(move |_| device_q().and_then(|d| d.split_once('/').map(|(pk, dn)| (pk.to_string(), dn.to_string()))));
    view! {
        <div class="card">
            <form class="filter-bar" on:submit=apply>
                <label class="sr-only" for="network-device">{move || t("network.pick_device")}</label>
                <input class="input mono network-device" id="network-device" list="network-device-list" data-testid="network-device"
                    placeholder=move || t("network.device_placeholder") bind:value=input/>
                <datalist id="network-device-list">
                    {move || suggestions.get().unwrap_or_default().into_iter().map(|d| {
                        let v = format!("{}/{}", d.product_key, d.device_name);
                        view! { <option value=v></option> }
                    }).collect_view()}
                </datalist>
                <button class="btn btn-small btn-primary" type="submit" data-testid="network-device-apply">{move || t("network.show")}</button>
            </form>
        </div>
        {move || match target.get() {
            // Keyed by device: another device gets a fresh view (its own range and load).
            Some((pk, dn)) => view! { <NetworkStatus pk dn/> }.into_any(),
            None => view! {
                <div class="card"><Empty title=tr("network.pick_title") hint=tr("network.pick_hint")/></div>
            }
            .into_any(),
        }}
    }
}

/// One device's network status over a range.
#[component]
pub fn NetworkStatus(pk: String, dn: String) -> impl IntoView {
    let range = RwSignal::new(TimeRange::HOUR);
    let ids = StoredValue::new((pk, dn));
    let load = LocalResource::new(move || {
        let r = range.get();
        let (pk, dn) = ids.get_value();
        async move {
            let (from, to) = r.bounds(now_ms());
            history::network(&pk, &dn, from, to).await
        }
    });
    let details = RwSignal::new(None::<NetworkStatusRow>);
    let details_open = RwSignal::new(false);
    let show_details = Callback::new(move |row: NetworkStatusRow| {
        details.set(Some(row));
        details_open.set(true);
    });
    let empty = empty_when(load, |p: &NetworkStatusPage| p.rows.is_empty());
    let rows = Signal::derive(move || {
        load.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).map(|p| p.rows.clone())).unwrap_or_default()
    });
    view! {
        <div class="card" data-testid="network-status">
            <div class="card-head history-head">
                <h2>{move || t("network.title")}</h2>
                <TimeRangePicker range testid="network-range"/>
                <button class="btn btn-small" data-testid="network-refresh" on:click=move |_| load.refetch()>{move || t("common.refresh")}</button>
            </div>
            <TableState res=load empty empty_title="network.empty" empty_hint="network.empty_hint" let:page>
                <NetworkBody page rows show_details/>
            </TableState>
        </div>
        <Modal open=details_open title=tr("network.details_title") testid="network-details">
            {move || details.get().map(|r| view! { <ErrorDetails r/> })}
        </Modal>
    }
}

#[component]
fn NetworkBody(
    page: NetworkStatusPage,
    rows: Signal<Vec<NetworkStatusRow>>,
    show_details: Callback<NetworkStatusRow>,
) -> impl IntoView {
    let note = truncated_note(page.truncated, page.rows.len());
    let span = (page.from, page.to);
    view! {
        <div class="network-charts">
            <div>
                <h3 class="chart-title">{move || t("network.rssi")}</h3>
                <EChart id="net-rssi" height=180 make=move || chart(&rows.get(), span, |r| r.rssi, "RSSI", " dBm", 0)/>
            </div>
            <div>
                <h3 class="chart-title">{move || t("network.snr")}</h3>
                <EChart id="net-snr" height=180 make=move || chart(&rows.get(), span, |r| r.snr, "SNR", " dB", 1)/>
            </div>
            <div>
                <h3 class="chart-title">{move || t("network.loss")}</h3>
                <EChart id="net-loss" height=180 make=move || chart(&rows.get(), span, |r| r.packet_loss, "‰", " ‰", 2)/>
            </div>
        </div>
        <CardTable testid="network-table" compact=true>
            <thead>
                <tr>
                    <th>{move || t("network.reported_at")}</th>
                    <th>{move || t("network.collected_at")}</th>
                    <th>{move || t("network.rssi")}</th>
                    <th>{move || t("network.snr")}</th>
                    <th>{move || t("network.loss")}</th>
                    <th>{move || t("network.connection")}</th>
                    <th>{move || t("network.errors")}</th>
                </tr>
            </thead>
            <tbody>
                {page.rows.iter().rev().cloned().map(|r| view! { <NetworkRow r show_details/> }).collect_view()}
            </tbody>
        </CardTable>
        {note}
    }
}

fn truncated_note(truncated: bool, n: usize) -> impl IntoView {
    let note = truncated.then(|| tf("network.truncated", &[("n", n.to_string())]));
    note.map(|s| view! { <p class="muted small" data-testid="network-truncated">{s}</p> })
}

fn num(v: Option<f64>) -> String {
    v.map(|x| if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x}") }).unwrap_or_else(|| "—".into())
}

#[component]
fn NetworkRow(r: NetworkStatusRow, show_details: Callback<NetworkStatusRow>) -> impl IntoView {
    let (reported, collected) = (r.reported_at, r.collected_at);
    let has_errors = r.has_errors();
    let error_count: u64 = r.errors.iter().map(|e| e.count).sum();
    let row = StoredValue::new(r.clone());
    view! {
        <tr data-testid="network-row">
            <td class="cell-key num" data-label=label("network.reported_at") data-testid="network-reported">{move || fmt_time(reported)}</td>
            <td class="num" data-label=label("network.collected_at") data-testid="network-collected">
                {move || collected.map(fmt_time).unwrap_or_default()}
            </td>
            <td class="num" data-label=label("network.rssi") data-testid="network-rssi">{num(r.rssi)}</td>
            <td class="num" data-label=label("network.snr") data-testid="network-snr">{num(r.snr)}</td>
            <td class="num" data-label=label("network.loss") data-testid="network-loss">{num(r.packet_loss)}</td>
            <td data-label=label("network.connection") data-testid="network-connection">
                {r.connection.clone().map(|c| if c == "wifi" { "Wi-Fi".to_string() } else { c }).unwrap_or_else(|| "—".into())}
            </td>
            <td data-label=label("network.errors")>
                {if has_errors {
                    view! {
                        <button class="btn btn-small" data-testid="network-view-details"
                            on:click=move |_| show_details.run(row.get_value())>
                            {move || if error_count > 0 {
                                tf("network.view_details_n", &[("n", error_count.to_string())])
                            } else {
                                t("network.view_details").to_string()
                            }}
                        </button>
                    }
                    .into_any()
                } else {
                    view! { <span class="muted">{move || t("network.no_errors")}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn ErrorDetails(r: NetworkStatusRow) -> impl IntoView {
    let reported = r.reported_at;
    view! {
        <p class="muted small">{move || fmt_time(reported)} " · " {move || fmt_opt_time(r.collected_at)}</p>
        {r.err_stats_error.clone().map(|e| view! {
            <p class="field-error" data-testid="network-details-error">{move || t("network.unreadable")} " " {e.clone()}</p>
        })}
        {(!r.errors.is_empty()).then(|| view! {
            <CardTable testid="network-details-table" compact=true>
                <thead><tr>
                    <th>{move || t("network.err_type")}</th>
                    <th>{move || t("network.err_code")}</th>
                    <th>{move || t("network.err_count")}</th>
                </tr></thead>
                <tbody>
                    {r.errors.iter().map(|e| view! {
                        <tr data-testid="network-details-row">
                            <td class="mono cell-key" data-label=label("network.err_type")>{e.err_type.clone()}</td>
                            <td class="mono cell-key" data-label=label("network.err_code")>{e.code.clone()}</td>
                            <td class="num" data-label=label("network.err_count") data-testid="network-details-count">{e.count}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </CardTable>
        })}
        <p class="muted small">{move || t("network.raw")} " " <span class="mono" data-testid="network-details-raw">{r.err_stats.clone().unwrap_or_default()}</span></p>
    }
}

/// One metric over the shown range; a sample without it is left out (not drawn as zero).
fn chart(
    rows: &[NetworkStatusRow],
    span: (i64, i64),
    pick: fn(&NetworkStatusRow) -> Option<f64>,
    name: &str,
    unit: &str,
    color: usize,
) -> Chart {
    let points = rows.iter().filter_map(|r| pick(r).map(|v| TPoint::new(r.reported_at, v))).collect();
    time_chart(&TimeChart {
        series: vec![TSeries { name: name.to_string(), points }],
        range: Some(span),
        color,
        dark: g().theme.get() == Theme::Dark,
        unit: unit.to_string(),
        ..Default::default()
    })
}
