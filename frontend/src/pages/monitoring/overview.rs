//! The Monitoring page's Overview tab (seed 1.2): KPI tiles and one chart per metric over
//! 1 h / 1 day / 1 week / a custom range of at most 7 days, for the product the top bar's
//! selector put in `?product=` (or the whole instance).
//!
//! - The series come from one REST query; the newest minute arrives over the WebSocket
//!   (`Stream::Metrics`) every few seconds while it counts and once more when it closes — no
//!   reload, no polling (`live.rs` merges it).
//! - The tiles show the last complete minute (the stats answer, then each closing minute) and,
//!   beneath, the current minute so far. Each state is explicit: loading, failed (with retry),
//!   or a number — a tile never stays on a placeholder.
//! - `?range=1h|24h|7d|<from>_<to>` and `?proto=all` keep the view in its link.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use charming::Chart;
use leptos::prelude::*;
use model::monitor::{Metric, MinuteSample, Protocol, SeriesResponse, MINUTE_MS};
use model::ws::{LiveEvent, Stream};

use super::live::{apply_sample, per_minute, Tiles, TSL_ERRORS};
use crate::api::monitor::{self, Protocols};
use crate::api::ws;
use crate::components::chart::EChart;
use crate::components::series_chart::{time_chart, TSeries, TimeChart};
use crate::components::states::{auto_retry, Empty, LoadError};
use crate::components::time_range::{TimeRange, TimeRangePicker};
use crate::i18n::{t, tf, tr};
use crate::pages::{query_param, query_setter};
use crate::state::{g, Theme};
use crate::util::now_ms;

const HOUR: i64 = 3_600_000;

/// `?range=` ⇄ the picker's value.
pub fn parse_range(s: Option<&str>) -> TimeRange {
    match s {
        Some("24h") => TimeRange::Last(24 * HOUR),
        Some("7d") => TimeRange::Last(7 * 24 * HOUR),
        Some(custom) => custom
            .split_once('_')
            .and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
            .filter(|(a, b)| model::monitor::check_range(*a, *b).is_ok())
            .map(|(a, b)| TimeRange::Custom(a, b))
            .unwrap_or(TimeRange::HOUR),
        None => TimeRange::HOUR,
    }
}

pub fn range_param(r: TimeRange) -> Option<String> {
    match r {
        TimeRange::Last(span) if span == 24 * HOUR => Some("24h".into()),
        TimeRange::Last(span) if span == 7 * 24 * HOUR => Some("7d".into()),
        TimeRange::Last(_) => None,
        TimeRange::Custom(a, b) => Some(format!("{a}_{b}")),
    }
}

/// The metrics shown, in the seed's order; the capacity percentages only for the instance.
pub fn shown_metrics(scoped: bool) -> Vec<Metric> {
    Metric::ALL.into_iter().filter(|m| !(scoped && m.instance_only())).collect()
}

/// i18n key of a metric's name.
pub fn metric_key(m: Metric) -> &'static str {
    match m {
        Metric::OnlineDevicesCount => "monitoring.metric.online",
        Metric::DeviceCountProduct => "monitoring.metric.device_count",
        Metric::MessageCountSentToIoT => "monitoring.metric.sent_to",
        Metric::MessageCountSentFromIoT => "monitoring.metric.sent_from",
        Metric::MessageCountPerMinute => "monitoring.metric.per_minute",
        Metric::DevicePropertyReportError => "monitoring.metric.property_report_error",
        Metric::DeviceEventReportError => "monitoring.metric.event_report_error",
        Metric::DevicePropertySettingError => "monitoring.metric.property_setting_error",
        Metric::DeviceServiceCallError => "monitoring.metric.service_call_error",
        Metric::DeviceNumInstance => "monitoring.metric.device_num",
        Metric::MessageWatermarkTpsInstance => "monitoring.metric.watermark",
        Metric::UpstreamQps => "monitoring.metric.upstream_qps",
        Metric::DownstreamQps => "monitoring.metric.downstream_qps",
        Metric::ConnectCountPerMinute => "monitoring.metric.connects",
        _ => "monitoring.charts",
    }
}

/// The seed's code as a caption: `MessageCountSentToIoT_MQTT`, or `…_*` when all protocols show.
pub fn caption(m: Metric, all: bool) -> String {
    if m.per_protocol() && all {
        format!("{}_*", m.base_code())
    } else {
        m.code(Protocol::Mqtt)
    }
}

/// One metric's lines: one per protocol for split metrics, named by protocol.
fn metric_series(resp: &SeriesResponse, m: Metric) -> Vec<TSeries> {
    resp.series
        .iter()
        .filter(|s| s.metric == m)
        .map(|s| TSeries {
            name: s.protocol.map(|p| p.code().to_string()).unwrap_or_else(|| m.base_code().to_string()),
            points: s.points.iter().map(|p| per_minute(p, resp.step_ms, m)).collect(),
        })
        .collect()
}

fn metric_chart(resp: &SeriesResponse, m: Metric) -> Chart {
    time_chart(&TimeChart {
        series: metric_series(resp, m),
        range: Some((resp.from, resp.to)),
        dark: g().theme.get() == Theme::Dark,
        unit: if m.is_percent() { " %".into() } else { String::new() },
        so_far: t("monitoring.so_far").into(),
        range_word: t("monitoring.range_word").into(),
        integer: !m.is_percent() && !matches!(m, Metric::UpstreamQps | Metric::DownstreamQps),
        ..Default::default()
    })
}

/// Whether nothing at all was counted in the answer (a fresh instance, a quiet product).
fn all_quiet(resp: &SeriesResponse) -> bool {
    resp.series.iter().all(|s| s.points.iter().all(|p| p.v == 0.0 && p.max.unwrap_or(0.0) == 0.0))
}

#[component]
pub fn OverviewTab() -> impl IntoView {
    let product = query_param("product");
    let range_q = query_param("range");
    let proto_q = query_param("proto");
    let set_query = query_setter();

    let range = RwSignal::new(parse_range(range_q().as_deref()));
    // The picker writes the URL; the URL (a link, "back") sets the picker.
    let set_q = set_query.clone();
    Effect::new(move |_| {
        let want = range_param(range.get());
        if want != untrack(range_q) {
            set_q(&[("range", want)]);
        }
    });
    Effect::new(move |_| {
        let r = parse_range(range_q().as_deref());
        if r != range.get_untracked() {
            range.set(r);
        }
    });
    let all = Memo::new(move |_| proto_q().as_deref() == Some("all"));

    let load = LocalResource::new(move || {
        let (r, p, protos) = (range.get(), product(), if all.get() { Protocols::All } else { Protocols::Mqtt });
        let metrics = shown_metrics(p.is_some());
        async move {
            let (from, to) = r.bounds(now_ms());
            monitor::series(&metrics, protos, p, from, to).await
        }
    });
    let stats = LocalResource::new(move || monitor::stats(product()));
    // What is drawn: the last answer, kept current by the live minutes.
    let shown = RwSignal::new(None::<SeriesResponse>);
    let tiles = RwSignal::new(None::<Tiles>);
    Effect::new(move |_| {
        if let Some(Ok(r)) = load.get() {
            tiles.update(|t| {
                if let Some(t) = t {
                    t.seed_now(&r);
                }
            });
            shown.set(Some(r));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(s)) = stats.get() {
            let mut t = Tiles::from_stats(&s);
            // The answers arrive in either order: the minute so far from the charts' answer.
            shown.with_untracked(|r| r.as_ref().map(|r| t.seed_now(r)));
            tiles.set(Some(t));
        }
    });

    let on_sample = move |sample: MinuteSample| {
        tiles.update(|t| {
            if let Some(t) = t {
                t.apply(&sample);
            }
        });
        let r = range.get_untracked();
        let keep_from = match r {
            TimeRange::Last(span) => Some(now_ms() - span),
            TimeRange::Custom(..) => None,
        };
        let mut minute_wide = true;
        shown.update(|s| {
            if let Some(s) = s {
                minute_wide = s.step_ms == MINUTE_MS;
                apply_sample(s, &sample, keep_from);
            }
        });
        // A week's buckets span several minutes: reload them when a minute closes.
        if !minute_wide && !sample.partial && r.is_live() {
            load.refetch();
        }
    };
    let sub = Arc::new(AtomicU32::new(0));
    let current = sub.clone();
    Effect::new(move |_| {
        let p = product();
        let old = current.swap(0, Ordering::Relaxed);
        if old != 0 {
            ws::unsubscribe(old);
        }
        let on_event = move |ev| {
            if let LiveEvent::Metrics { sample } = ev {
                on_sample(sample);
            }
        };
        // Once the stream is in place the snapshot is loaded again, so no minute falls between.
        let ready = move || {
            load.refetch();
            stats.refetch();
        };
        current.store(ws::subscribe_synced(Stream::Metrics { product_key: p }, on_event, ready), Ordering::Relaxed);
    });
    on_cleanup(move || ws::unsubscribe(sub.load(Ordering::Relaxed)));

    let failed = Signal::derive(move || load.with(|r| r.as_ref().and_then(|r| r.as_ref().err().cloned())));
    let retry = Callback::new(move |_| load.refetch());
    let retry_in = auto_retry(failed, retry);
    let stats_failed = Signal::derive(move || stats.with(|r| r.as_ref().and_then(|r| r.as_ref().err().cloned())));
    let stats_retry = Callback::new(move |_| stats.refetch());
    let stats_retry_in = auto_retry(stats_failed, stats_retry);
    // Back after a WebSocket drop: the subscription's `ready` reloads both.

    let set_proto = move |on: bool| {
        let set_query = set_query.clone();
        move |_| set_query(&[("proto", on.then(|| "all".to_string()))])
    };
    let metrics = Memo::new(move |_| shown_metrics(product().is_some()));
    view! {
        <div class="card monitor-toolbar">
            <div class="card-head history-head">
                <TimeRangePicker range testid="monitoring-range" max_days=7/>
                <div class="seg" role="group" aria-label=move || t("monitoring.protocols")>
                    <button type="button" class="btn btn-small" class:active=move || !all.get()
                        data-testid="monitoring-proto-mqtt" on:click=set_proto(false)>{move || t("monitoring.protocol_mqtt")}</button>
                    <button type="button" class="btn btn-small" class:active=move || all.get()
                        data-testid="monitoring-proto-all" on:click=set_proto(true)>{move || t("monitoring.protocol_all")}</button>
                </div>
            </div>
        </div>
        <KpiTiles tiles failed=stats_failed retry=stats_retry retry_in=stats_retry_in/>
        {move || failed.get().map(|f| view! { <div class="card"><LoadError fail=f retry retry_in/></div> })}
        <Show when=move || shown.with(Option::is_some) fallback=move || view! {
            <Show when=move || failed.get().is_none()>
                <div class="card"><crate::components::states::Loading/></div>
            </Show>
        }>
            <p class="muted small monitor-note" data-testid="monitoring-step">
                {move || shown.with(|s| s.as_ref().map(|s| {
                    let n = s.step_ms / MINUTE_MS;
                    if n <= 1 { t("monitoring.step_minute").to_string() } else { tf("monitoring.step", &[("n", n.to_string())]) }
                }))}
            </p>
            <Show when=move || shown.with(|s| s.as_ref().is_some_and(all_quiet))>
                <div class="card" data-testid="monitoring-quiet">
                    <Empty title=tr("monitoring.no_traffic") hint=tr("monitoring.no_traffic_hint")/>
                </div>
            </Show>
            <div class="metric-grid" data-testid="monitoring-charts">
                <For each=move || metrics.get() key=|m| *m let:m>
                    <MetricCard m shown all/>
                </For>
            </div>
        </Show>
    }
}

#[component]
fn MetricCard(m: Metric, shown: RwSignal<Option<SeriesResponse>>, all: Memo<bool>) -> impl IntoView {
    let code = m.base_code();
    let id = format!("m-{code}");
    view! {
        <div class="card metric-card" data-testid=format!("metric-{code}")>
            <div class="metric-head">
                <h3 class="chart-title">{move || t(metric_key(m))}</h3>
                <span class="metric-code mono" data-testid=format!("metric-code-{code}")>{move || caption(m, all.get())}</span>
            </div>
            <EChart id height=200 make=move || shown.with(|s| s.as_ref().map(|s| metric_chart(s, m))).unwrap_or_default()/>
        </div>
    }
}

/// A metric code that may break after its underscores (`MessageCountSentToIoT_` / `MQTT`),
/// never inside a word.
fn breakable(code: &str) -> impl IntoView {
    let parts: Vec<String> = code.split('_').map(str::to_string).collect();
    let n = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| if i + 1 < n { view! { {p} "_" <wbr/> }.into_any() } else { view! { {p} }.into_any() })
        .collect_view()
}

fn fmt_count(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[component]
fn KpiTiles(
    tiles: RwSignal<Option<Tiles>>,
    failed: Signal<Option<crate::api::Fail>>,
    retry: Callback<()>,
    retry_in: Signal<Option<u32>>,
) -> impl IntoView {
    // (test id, label key, caption, value, so far)
    type Pick = fn(&Tiles) -> Option<f64>;
    type Now = fn(&super::live::MinuteNow) -> f64;
    // Four codes do not fit a tile: their common shape, and all four on hover.
    let errors_caption = "Device*Error".to_string();
    let errors_title = TSL_ERRORS.iter().map(|m| m.base_code()).collect::<Vec<_>>().join(" + ");
    let rows: Vec<(&'static str, &'static str, String, Pick, Option<Now>)> = vec![
        ("online", "monitoring.tile.online", Metric::OnlineDevicesCount.code(Protocol::Mqtt), |t| t.online, None),
        ("up", "monitoring.tile.up", Metric::MessageCountSentToIoT.code(Protocol::Mqtt), |t| t.up, Some(|n| n.up)),
        (
            "down",
            "monitoring.tile.down",
            Metric::MessageCountSentFromIoT.code(Protocol::Mqtt),
            |t| t.down,
            Some(|n| n.down),
        ),
        ("tsl-errors", "monitoring.tile.tsl_errors", errors_caption, |t| t.tsl_errors, Some(|n| n.tsl_errors)),
        (
            "connects",
            "monitoring.tile.connects",
            Metric::ConnectCountPerMinute.base_code().to_string(),
            |t| t.connects,
            Some(|n| n.connects),
        ),
    ];
    view! {
        {move || failed.get().filter(|_| tiles.with(Option::is_none)).map(|f| view! {
            <div class="card"><LoadError fail=f retry retry_in/></div>
        })}
        <div class="kpis kpis-5" data-testid="monitoring-tiles">
            {rows.into_iter().map(|(id, label, code, pick, now)| {
                let value = move || match (tiles.get(), failed.get()) {
                    (Some(t), _) => pick(&t).map(fmt_count).unwrap_or_else(|| "—".into()),
                    (None, Some(_)) => "—".into(),
                    (None, None) => "…".into(),
                };
                let state = move || match (tiles.get(), failed.get()) {
                    (Some(_), _) => "ready",
                    (None, Some(_)) => "failed",
                    (None, None) => "loading",
                };
                let title = move || match state() {
                    "loading" => t("monitoring.tile.loading"),
                    "failed" => t("monitoring.tile.unknown"),
                    _ => "",
                };
                let sub = move || match (now, tiles.get()) {
                    (Some(f), Some(Tiles { now: Some(n), .. })) => tf("monitoring.tile.so_far", &[("n", fmt_count(f(&n)))]),
                    (Some(_), _) => t("monitoring.tile.last_minute").to_string(),
                    (None, Some(Tiles { devices: Some(d), .. })) => tf("monitoring.tile.of_devices", &[("n", fmt_count(d))]),
                    (None, _) => String::new(),
                };
                let code_title = if id == "tsl-errors" { errors_title.clone() } else { code.clone() };
                view! {
                    <div class="kpi" data-testid=format!("tile-{id}") data-state=state aria-busy=move || (state() == "loading").to_string()>
                        <div class="kpi-label">{move || t(label)}</div>
                        <div class="kpi-value" data-testid=format!("tile-{id}-value") title=title>{value}</div>
                        <div class="kpi-sub muted small" data-testid=format!("tile-{id}-sub")>{sub}</div>
                        <div class="kpi-code mono" title=code_title>{breakable(&code)}</div>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip_through_the_url() {
        for r in [TimeRange::HOUR, TimeRange::Last(24 * HOUR), TimeRange::Last(7 * 24 * HOUR), TimeRange::Custom(5, 9)]
        {
            assert_eq!(parse_range(range_param(r).as_deref()), r);
        }
        assert_eq!(range_param(TimeRange::HOUR), None, "the default leaves the URL clean");
        assert_eq!(parse_range(Some("nonsense")), TimeRange::HOUR);
        assert_eq!(parse_range(Some("0_999999999999")), TimeRange::HOUR, "longer than 7 days");
        assert_eq!(parse_range(Some("9_5")), TimeRange::HOUR, "backwards");
    }

    #[test]
    fn a_product_never_shows_the_instance_capacity_metrics() {
        assert_eq!(shown_metrics(false).len(), Metric::ALL.len());
        let scoped = shown_metrics(true);
        assert!(!scoped.contains(&Metric::DeviceNumInstance) && !scoped.contains(&Metric::MessageWatermarkTpsInstance));
        assert!(scoped.contains(&Metric::OnlineDevicesCount));
    }

    #[test]
    fn captions_are_the_seed_codes() {
        assert_eq!(caption(Metric::MessageCountSentToIoT, false), "MessageCountSentToIoT_MQTT");
        assert_eq!(caption(Metric::MessageCountSentToIoT, true), "MessageCountSentToIoT_*");
        assert_eq!(caption(Metric::DeviceCountProduct, true), "DeviceCount_Product");
        for m in Metric::ALL {
            assert_ne!(metric_key(m), "monitoring.charts", "{m:?} has a name");
        }
    }
}
