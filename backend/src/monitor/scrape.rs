//! `GET /metrics`: the Prometheus text format, live (the counters include the minute still
//! counting, so a scrape right after traffic sees it).
//!
//! The crate is tikv's `prometheus` 0.14 rather than `prometheus-client`: its process collector
//! (CPU, RSS, open fds, start time from `/proc`) comes with it, and its families can be built
//! per scrape from the counters ([`families`]) instead of mirroring every product into
//! registered metric vectors that would then need deleting when a product goes. With default
//! features off it brings no protobuf.
//!
//! Series are per product, never per device: 100,000 devices are one `fleetdeck_devices` line
//! per product. Devices and messages are split by product only (sum them for the instance;
//! there is no separate total to double-count). Unauthenticated by default (a scraper reads
//! it); `--metrics-token` requires `Authorization: Bearer TOKEN`.

use std::collections::BTreeMap;
use std::time::Instant;

use ::prometheus::proto::{Counter, Gauge, LabelPair, Metric, MetricFamily, MetricType};
use ::prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::counter::{Counters, TslError};
use crate::gateway::limits::Kind as LimitKind;
use crate::hub::Stage;
use crate::state::{AppState, BrokerStats};
use crate::store;
use crate::store::metrics::MinuteQueue;

/// The registered metrics: process, store writer, HTTP.
pub struct Telemetry {
    registry: Registry,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
}

impl Telemetry {
    pub fn new(minutes: &MinuteQueue) -> Telemetry {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new("fleetdeck_http_requests_total", "HTTP requests answered, by route template, method and status"),
            &["route", "method", "status"],
        )
        .expect("valid metric options");
        let http_seconds = HistogramVec::new(
            HistogramOpts::new("fleetdeck_http_request_duration_seconds", "Time to answer an HTTP request, by route")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0]),
            &["route"],
        )
        .expect("valid metric options");
        // Registering distinct names in a new registry cannot fail.
        let _ = registry.register(Box::new(http_requests.clone()));
        let _ = registry.register(Box::new(http_seconds.clone()));
        let _ = registry.register(Box::new(minutes.round_seconds.clone()));
        #[cfg(target_os = "linux")]
        let _ = registry.register(Box::new(::prometheus::process_collector::ProcessCollector::for_self()));
        Telemetry { registry, http_requests, http_seconds }
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.http_requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.http_seconds.with_label_values(&[route]).observe(seconds);
    }
}

/// Counts every HTTP request by its route template (bounded: never the concrete path).
pub async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("(unrouted)", |p| p.as_str()).to_owned();
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let resp = next.run(req).await;
    st.monitor.telemetry().observe(&route, &method, resp.status().as_u16(), started.elapsed().as_secs_f64());
    resp
}

/// `GET /metrics`.
pub async fn metrics(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let monitor = &st.monitor;
    if !monitor.enabled() {
        return (StatusCode::NOT_FOUND, "metrics are off (--metrics off)\n").into_response();
    }
    if let Some(token) = &monitor.settings().token {
        if !bearer_matches(&headers, token) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"fleetdeck metrics\"")],
                "a bearer token is required (--metrics-token)\n",
            )
                .into_response();
        }
    }
    let devices = match store::metrics::device_counts(&st.db).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "/metrics: device counts not read");
            Default::default()
        }
    };
    let mut out = monitor.telemetry().registry.gather();
    {
        let c = monitor.counters();
        out.extend(families(&c, &devices));
    }
    if let Some(b) = st.devices.broker_stats() {
        out.extend(broker_families(&b, &devices));
    }
    let lanes: Vec<_> =
        st.hub.lane_depths().into_iter().map(|(lane, n)| (vec![("lane", lane.to_owned())], n as f64)).collect();
    out.push(gauge(
        "fleetdeck_hub_lane_depth",
        "Facts waiting in each lossless consumer's lane (`store` is the store writer's queue)",
        lanes,
    ));
    // The encoder refuses a family without a series (a label set not seen yet).
    out.retain(|f| !f.get_metric().is_empty());
    out.sort_by(|a, b| a.name().cmp(b.name()));
    let mut body = Vec::with_capacity(16 * 1024);
    if let Err(e) = TextEncoder::new().encode(&out, &mut body) {
        tracing::error!(error = %e, "/metrics: encoding failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, ::prometheus::TEXT_FORMAT)], body).into_response()
}

/// The embedded broker's figures. Every product with devices has its throttled series from the
/// start (zeros), as the message counters do.
pub fn broker_families(b: &BrokerStats, devices: &std::collections::HashMap<String, u64>) -> Vec<MetricFamily> {
    let one = |name: &str, help: &str, v: i64| gauge(name, help, vec![(vec![], v as f64)]);
    let mut throttled: BTreeMap<(&str, String), u64> = BTreeMap::new();
    for pk in devices.keys() {
        for kind in LimitKind::ALL {
            throttled.insert((kind.event_name(), pk.clone()), 0);
        }
    }
    for (kind, pk, n) in &b.throttled {
        *throttled.entry((kind, pk.clone())).or_default() += n;
    }
    let by_kind: Vec<(Labels, f64)> = throttled
        .iter()
        .map(|((k, pk), n)| (vec![("kind", (*k).to_owned()), ("product_key", pk.clone())], *n as f64))
        .collect();
    let mut refused: Vec<(Labels, f64)> = b
        .refused
        .iter()
        .map(|(stage, code, n)| {
            let stage = match stage {
                Stage::Auth => "auth",
                Stage::Acl => "acl",
            };
            (vec![("stage", stage.to_owned()), ("code", code.to_string())], *n as f64)
        })
        .collect();
    refused.sort_by(|a, b| a.0.cmp(&b.0));
    vec![
        one("fleetdeck_broker_device_sessions", "Device MQTT sessions the embedded broker serves", b.device_sessions),
        one("fleetdeck_broker_connections", "MQTT connections the embedded broker holds open", b.connections),
        one("fleetdeck_broker_sessions", "Sessions the embedded broker keeps, connected or not", b.sessions),
        one(
            "fleetdeck_broker_inflight_in",
            "QoS 1/2 messages received from clients and not yet completed",
            b.inflight_in,
        ),
        one(
            "fleetdeck_broker_inflight_out",
            "QoS 1/2 messages sent to clients and not yet acknowledged",
            b.inflight_out,
        ),
        one("fleetdeck_broker_queued", "Messages waiting in session queues for an inflight slot", b.queued),
        counter(
            "fleetdeck_refused_total",
            "CONNECTs and PUBLISHes refused, by stage (auth, acl) and seed code, every one (the run log keeps a budget of them per source)",
            refused,
        ),
        counter(
            "fleetdeck_throttled_total",
            "Messages and connects refused by a per-device limit, every one (fleetdeck_limit_hits_total counts windows)",
            by_kind,
        ),
    ]
}

/// Constant-time as far as the token goes: the digests are compared, not the strings.
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some(given) = given.strip_prefix("Bearer ") else { return false };
    Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes())
}

type Labels = Vec<(&'static str, String)>;

/// The device and message families, from the counters (totals since start) and the store's
/// device counts.
pub fn families(c: &Counters, devices: &std::collections::HashMap<String, u64>) -> Vec<MetricFamily> {
    let mqtt = || ("protocol", "MQTT".to_owned());
    let mut online: BTreeMap<&str, u64> = devices.keys().map(|pk| (pk.as_str(), 0)).collect();
    for (pk, n) in c.online_by_product() {
        online.insert(pk, n);
    }
    let sorted = |m: Vec<(Labels, f64)>| {
        let mut m = m;
        m.sort_by(|a, b| a.0.cmp(&b.0));
        m
    };
    // Every product with devices has its series from the start (zeros), so a dashboard's
    // rate() has a baseline before the first message or error.
    let mut messages: BTreeMap<(String, &str), (u64, u64)> = BTreeMap::new();
    let mut errors: BTreeMap<(&str, String), u64> = BTreeMap::new();
    let mut connects: BTreeMap<String, u64> = BTreeMap::new();
    for pk in devices.keys() {
        for d in ["up", "down"] {
            messages.insert((pk.clone(), d), (0, 0));
        }
        for k in TslError::ALL {
            errors.insert((k.label(), pk.clone()), 0);
        }
        connects.insert(pk.clone(), 0);
    }
    let t = &c.totals;
    for (pk, p) in &t.products {
        messages.insert((pk.clone(), "up"), (p.up, p.up_bytes));
        messages.insert((pk.clone(), "down"), (p.down, p.down_bytes));
        for (k, n) in TslError::ALL.iter().zip(p.tsl_errors) {
            errors.insert((k.label(), pk.clone()), n);
        }
        connects.insert(pk.clone(), p.connects);
    }
    let mut limit_hits: BTreeMap<&str, u64> = LimitKind::ALL.iter().map(|k| (k.event_name(), 0)).collect();
    limit_hits.extend(t.limit_hits.iter().map(|(k, n)| (*k, *n)));
    let msg_labels = |pk: &str, d: &str| vec![("direction", d.to_owned()), ("product_key", pk.to_owned()), mqtt()];
    vec![
        gauge(
            "fleetdeck_devices_online",
            "Devices online now (own MQTT session or logged in through a gateway)",
            online.iter().map(|(pk, n)| (vec![("product_key", pk.to_string()), mqtt()], *n as f64)).collect(),
        ),
        gauge(
            "fleetdeck_devices",
            "Devices registered",
            sorted(devices.iter().map(|(pk, n)| (vec![("product_key", pk.clone())], *n as f64)).collect()),
        ),
        counter(
            "fleetdeck_messages_total",
            "MQTT messages: up = accepted from devices (replies included), down = delivered to devices",
            messages.iter().map(|((pk, d), (n, _))| (msg_labels(pk, d), *n as f64)).collect(),
        ),
        counter(
            "fleetdeck_message_bytes_total",
            "Payload bytes of the messages counted in fleetdeck_messages_total",
            messages.iter().map(|((pk, d), (_, b))| (msg_labels(pk, d), *b as f64)).collect(),
        ),
        counter(
            "fleetdeck_tsl_errors_total",
            "Property/event posts answered with a code other than 200; property sets and service calls answered so, or timed out (1905)",
            errors.iter().map(|((k, pk), n)| (vec![("kind", (*k).to_owned()), ("product_key", pk.clone())], *n as f64)).collect(),
        ),
        counter(
            "fleetdeck_limit_hits_total",
            "Windows in which a device exceeded a rate limit (its further messages in the window were refused)",
            limit_hits.iter().map(|(k, n)| (vec![("kind", (*k).to_owned())], *n as f64)).collect(),
        ),
        counter(
            "fleetdeck_connects_total",
            "Device MQTT sessions established",
            connects.iter().map(|(pk, n)| (vec![("product_key", pk.clone())], *n as f64)).collect(),
        ),
        counter(
            "fleetdeck_downlinks_dropped_total",
            "Downlinks the broker dropped before delivery",
            vec![(vec![], t.dropped as f64)],
        ),
    ]
}

fn family(name: &str, help: &str, kind: MetricType, metrics: Vec<Metric>) -> MetricFamily {
    let mut f = MetricFamily::new();
    f.set_name(name.to_owned());
    f.set_help(help.to_owned());
    f.set_field_type(kind);
    f.set_metric(metrics);
    f
}

fn labels(l: Labels) -> Vec<LabelPair> {
    l.into_iter()
        .map(|(k, v)| {
            let mut p = LabelPair::new();
            p.set_name(k.to_owned());
            p.set_value(v);
            p
        })
        .collect()
}

fn gauge(name: &str, help: &str, values: Vec<(Labels, f64)>) -> MetricFamily {
    let metrics = values
        .into_iter()
        .map(|(l, v)| {
            let mut g = Gauge::new();
            g.set_value(v);
            let mut m = Metric::from_gauge(g);
            m.set_label(labels(l));
            m
        })
        .collect();
    family(name, help, MetricType::GAUGE, metrics)
}

fn counter(name: &str, help: &str, values: Vec<(Labels, f64)>) -> MetricFamily {
    let metrics = values
        .into_iter()
        .map(|(l, v)| {
            let mut c = Counter::new();
            c.set_value(v);
            let mut m = Metric::new();
            m.set_counter(c);
            m.set_label(labels(l));
            m
        })
        .collect();
    family(name, help, MetricType::COUNTER, metrics)
}
