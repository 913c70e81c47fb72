//! Issue 14's metrics on either store (`FLEETDECK_TEST_STORE=postgres`), from real MQTT devices
//! on the real broker and the fake clock: exact counts of good posts, ACL refusals, TSL-invalid
//! posts, throttled posts, failing sets and a service that times out, in the REST series (the
//! minute still counting, then closed and stored) and in `/metrics`; who may read what; the
//! token; `--metrics off`; rollups, alignment and retention.

use std::collections::BTreeMap;
use std::time::Duration;

use backend::clock::FakeClock;
use backend::commands::DeviceCall;
use backend::config::DeviceLimits;
use backend::store::sql;
use devclient::{Client, QoS};
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::{DeviceRef, Sdk};
use model::monitor::{minute_floor, HOUR_MS, MINUTE_MS};
use model::registry::{DeviceStatus, NodeType};
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp, DEADLINE, T0};

const PK: &str = "a1Monitor001";
const OTHER: &str = "a1Monitor002";
/// The minute the test's traffic happens in.
const M: i64 = T0 - T0 % MINUTE_MS + 4 * MINUTE_MS;
const DAY: i64 = 24 * HOUR_MS;

async fn app(clock: &FakeClock, tweak: impl FnOnce(&mut backend::config::Settings) + Send + 'static) -> TestApp {
    let limits = DeviceLimits { uplink_qps: 5, ..Default::default() };
    let app = TestApp::builder()
        .gateway()
        .clock(clock.clone())
        .settings(move |s| {
            s.limits = limits;
            tweak(s);
        })
        .build()
        .await;
    app.product_with(PK, NodeType::Direct, false, Some(&testkit::registry::model(PK))).await;
    app.product_with(OTHER, NodeType::Direct, false, Some(&testkit::registry::model(OTHER))).await;
    app
}

async fn online(app: &TestApp, pk: &str, dn: &str) -> Client {
    let secret = app.device(pk, dn).await;
    let d = app.connect(&device_credentials(Sdk::C4, pk, dn, &secret, C_SDK_TIMESTAMP)).await.unwrap();
    app.wait_device(pk, dn, "online", |r| r.device.status == DeviceStatus::Online).await;
    d
}

/// Publish and wait for the platform's reply (so the count of replies is known).
async fn post_answered(d: &mut Client, topic: &str, body: Value) -> Value {
    d.publish(topic, QoS::AtLeastOnce, body.to_string()).await.unwrap();
    let reply =
        d.recv_on("_reply", Duration::from_secs(10)).await.unwrap_or_else(|| panic!("no reply to {topic} {body}"));
    reply.json()
}

/// `/metrics` as (name, labels) → value.
fn parse(text: &str) -> BTreeMap<(String, BTreeMap<String, String>), f64> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let (name, labels) = match series.split_once('{') {
            Some((n, rest)) => (n, rest.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split(',')
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once('=').unwrap();
                (k.to_string(), v.trim_matches('"').to_string())
            })
            .collect();
        out.insert((name.to_string(), labels), value.parse().unwrap());
    }
    out
}

/// The value of the series `name` whose labels include `labels`.
fn value(m: &BTreeMap<(String, BTreeMap<String, String>), f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    let hits: Vec<f64> = m
        .iter()
        .filter(|((n, l), _)| n == name && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v)))
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(hits.len(), 1, "{name} {labels:?}: {hits:?}");
    hits[0]
}

async fn scrape(app: &TestApp) -> BTreeMap<(String, BTreeMap<String, String>), f64> {
    app.hub().flush().await;
    let r = app.anonymous().get("/metrics").await;
    assert_eq!(r.status, 200, "{}", r.body);
    parse(r.body.as_str().unwrap())
}

/// One series' points from the series endpoint.
async fn points(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app.client(Role::Viewer).await.get(&format!("/api/v1/monitoring/series?{query}")).await.ok();
    assert_eq!(r["series"].as_array().unwrap().len(), 1, "{r}");
    r["series"][0]["points"].as_array().unwrap().clone()
}

/// The value at minute `t` of a series.
async fn at(app: &TestApp, metric: &str, product: &str, t: i64) -> (f64, bool) {
    let q = format!("metrics={metric}&product={product}&from={}&to={}", t, t + MINUTE_MS);
    let p = points(app, &q).await;
    let p = p.iter().find(|p| p["t"] == t).unwrap_or_else(|| panic!("{metric} has no point at {t}: {p:?}"));
    (p["v"].as_f64().unwrap(), p.get("partial").is_some_and(|v| v == true))
}

#[tokio::test]
async fn exact_counts_from_real_devices_in_the_series_and_in_metrics() {
    let clock = FakeClock::new(M + 1_000);
    let app = app(&clock, |_| {}).await;
    let mut d1 = online(&app, PK, "dev1").await;
    let mut d2 = online(&app, PK, "dev2").await;
    app.device(PK, "dev3").await;
    let post = |dn: &str| format!("/sys/{PK}/{dn}/thing/event/property/post");
    let ok = |i: u32| json!({"id": i.to_string(), "version": "1.0", "params": {"Brightness": i}});

    // dev1: 3 good posts, 2 out of the model's range, 1 event out of range: 6 up, 6 replies
    // (in two seconds: 5 uplinks a second is the limit here).
    for i in 0..3 {
        assert_eq!(post_answered(&mut d1, &post("dev1"), ok(i)).await["code"], 200);
    }
    clock.advance_ms(1_000);
    for i in 0..2 {
        let bad = json!({"id": format!("10{i}"), "version": "1.0", "params": {"Brightness": 500}});
        assert_ne!(post_answered(&mut d1, &post("dev1"), bad).await["code"], 200);
    }
    let alarm = json!({"id": "20", "version": "1.0", "params": {"ErrorCode": 99}});
    assert_ne!(post_answered(&mut d1, &format!("/sys/{PK}/dev1/thing/event/Alarm/post"), alarm).await["code"], 200);
    // 25 publishes the ACL refuses (another device's topic): refusals only, every one counted
    // though the run log keeps only its budget of them (20 a minute per source).
    for _ in 0..25 {
        d1.publish(&format!("/sys/{OTHER}/x/thing/event/property/post"), QoS::AtMostOnce, "{}").await.unwrap();
    }

    // dev2, in a second of its own: 5 posts within its limit (answered), 3 throttled.
    clock.advance_ms(1_000);
    for i in 0..5 {
        assert_eq!(post_answered(&mut d2, &post("dev2"), ok(i)).await["code"], 200);
    }
    for i in 5..8 {
        d2.publish(&post("dev2"), QoS::AtLeastOnce, ok(i).to_string()).await.unwrap();
    }
    app.wait_log(PK, "dev2", "limit", 9324).await;

    // A set the device refuses, one it accepts (1 down + 1 up each), a service that times out.
    clock.advance_ms(1_000);
    let cmds = app.running().commands.clone();
    let dev1 = DeviceRef::new(PK, "dev1");
    let set = |v: i64| {
        let (cmds, dev1) = (cmds.clone(), dev1.clone());
        async move { cmds.call(&dev1, DeviceCall::SetProperties(json!({"Brightness": v})), Duration::from_secs(30)).await }
    };
    for code in [9201, 200] {
        let device = async {
            let m = d1.recv_on("property/set", Duration::from_secs(10)).await.expect("the set");
            let reply = json!({"id": m.json()["id"], "code": code, "data": {}});
            d1.publish(&format!("{}_reply", m.topic), QoS::AtLeastOnce, reply.to_string()).await.unwrap();
        };
        let (r, ()) = tokio::join!(set(7), device);
        assert_eq!(r.unwrap().code, code, "the device's answer comes back as it was");
    }
    let reboot = DeviceCall::InvokeService { identifier: "Reboot".into(), params: json!({"delay": 1}) };
    let answered = std::cell::Cell::new(false);
    let call = async {
        let r = cmds.call(&dev1, reboot, Duration::from_millis(2_000)).await;
        answered.set(true);
        r
    };
    let (r, _) = tokio::join!(call, async {
        let m = d1.recv_on("service/Reboot", Duration::from_secs(10)).await.expect("the call");
        // No answer: the call's 2 s pass on the fake clock, in steps, until it gives up.
        while !answered.get() {
            clock.advance_ms(250);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        m
    });
    assert!(r.is_err(), "{r:?}");

    // Up: 6 (dev1) + 2 set replies + 5 (dev2) = 13. Down: 6 + 5 replies + 2 sets + 1 call = 14.
    let m = scrape(&app).await;
    let msgs =
        |dir| value(&m, "fleetdeck_messages_total", &[("direction", dir), ("product_key", PK), ("protocol", "MQTT")]);
    assert_eq!((msgs("up"), msgs("down")), (13.0, 14.0));
    let tsl = |kind| value(&m, "fleetdeck_tsl_errors_total", &[("kind", kind), ("product_key", PK)]);
    assert_eq!(
        (tsl("property_report"), tsl("event_report"), tsl("property_setting"), tsl("service_call")),
        (2.0, 1.0, 1.0, 1.0)
    );
    assert_eq!(value(&m, "fleetdeck_refused_total", &[("stage", "acl")]), 25.0, "every refusal, the suppressed too");
    assert_eq!(value(&m, "fleetdeck_limit_hits_total", &[("kind", "Device_Uplink_QPS_Limit")]), 1.0);
    let throttled = |kind| value(&m, "fleetdeck_throttled_total", &[("kind", kind), ("product_key", PK)]);
    assert_eq!(
        (throttled("Device_Uplink_QPS_Limit"), throttled("Device_Connect_QPM_Limit")),
        (3.0, 0.0),
        "every throttled post, not only the window's first"
    );
    // The broker's own figures: the two devices' connections, nothing left in flight.
    let broker = |name| value(&m, name, &[]);
    assert_eq!(broker("fleetdeck_broker_connections"), 2.0);
    assert_eq!(broker("fleetdeck_broker_device_sessions"), 2.0);
    assert_eq!((broker("fleetdeck_broker_inflight_in"), broker("fleetdeck_broker_inflight_out")), (0.0, 0.0));
    assert_eq!(value(&m, "fleetdeck_connects_total", &[("product_key", PK)]), 2.0);
    assert_eq!(value(&m, "fleetdeck_devices_online", &[("product_key", PK), ("protocol", "MQTT")]), 2.0);
    assert_eq!(value(&m, "fleetdeck_devices", &[("product_key", PK)]), 3.0);
    assert_eq!(value(&m, "fleetdeck_devices", &[("product_key", OTHER)]), 0.0);
    assert_eq!(value(&m, "fleetdeck_messages_total", &[("direction", "up"), ("product_key", OTHER)]), 0.0);
    assert!(value(&m, "fleetdeck_message_bytes_total", &[("direction", "up"), ("product_key", PK)]) > 13.0);

    // The minute still counting, in the series: marked partial.
    let expect = [
        ("MessageCountSentToIoT_MQTT", 13.0),
        ("MessageCountSentFromIoT_MQTT", 14.0),
        ("MessageCountPerMinute", 27.0),
        ("DevicePropertyReportError", 2.0),
        ("DeviceEventReportError", 1.0),
        ("DevicePropertySettingError", 1.0),
        ("DeviceServiceCallError", 1.0),
        ("ConnectCountPerMinute", 2.0),
        ("OnlineDevicesCount_MQTT", 2.0),
        ("DeviceCount_Product", 3.0),
    ];
    for (metric, v) in expect {
        assert_eq!(at(&app, metric, PK, M).await, (v, true), "{metric} while counting");
    }
    let instance = points(&app, &format!("metrics=DeviceNum_instance&from={M}&to={}", M + MINUTE_MS)).await;
    assert_eq!(instance[0]["v"], 0.02, "2 online of the default 10,000: {instance:?}");

    // The minute closes on the clock: stored by the writer, the same figures, final.
    clock.advance_ms(60_000);
    eventually(DEADLINE, "the minute stored", || async {
        let q = sql("SELECT COUNT(*) FROM metric_minutes WHERE t = $1 AND product_key = $2").bind(M).bind(PK);
        (app.db().scalar::<i64>(q).await.unwrap() > 0).then_some(())
    })
    .await;
    for (metric, v) in expect {
        assert_eq!(at(&app, metric, PK, M).await, (v, false), "{metric} once stored");
    }
    let db = app.db().clone();
    let up = |p: &str| {
        let db = db.clone();
        let q = sql(
            "SELECT value FROM metric_minutes WHERE t = $1 AND product_key = $2 AND metric = 'MessageCountSentToIoT'",
        )
        .bind(M)
        .bind(p.to_string());
        async move { db.scalar::<f64>(q).await.unwrap() }
    };
    assert_eq!((up(PK).await, up("").await), (13.0, 13.0), "the instance holds every product");
    let q = format!("metrics=UpstreamQPS&from={M}&to={}", M + MINUTE_MS);
    assert_eq!(points(&app, &q).await[0]["v"].as_f64().unwrap(), 13.0 / 60.0);
    // Three days downsampled (buckets of 3 minutes, summed by the store): nothing lost or doubled.
    let q = format!("metrics=MessageCountSentToIoT_MQTT&product={PK}&from={}&to={}", M - 3 * DAY, M + 2 * MINUTE_MS);
    let p = points(&app, &q).await;
    assert!(p.len() <= 2_000 && p.len() > 1_000, "{}", p.len());
    assert_eq!(p.iter().map(|p| p["v"].as_f64().unwrap()).sum::<f64>(), 13.0);
    assert_eq!(p.iter().filter_map(|p| p["max"].as_f64()).fold(0.0, f64::max), 13.0, "the minute's peak kept");
    let q = format!("metrics=OnlineDevicesCount&product={PK}&from={}&to={}", M - 3 * DAY, M + 2 * MINUTE_MS);
    let p = points(&app, &q).await;
    assert_eq!(p.last().unwrap()["v"], 2.0, "{:?}", p.last());
    assert_eq!(p.last().unwrap()["partial"], true, "the minute still counting is in the last bucket");
    // Asked together (the counts and the level read at once, one query each): the same series.
    let range = format!("product={PK}&from={}&to={}", M - 3 * DAY, M + 2 * MINUTE_MS);
    let together = app
        .client(Role::Viewer)
        .await
        .get(&format!(
            "/api/v1/monitoring/series?metrics=MessageCountSentToIoT_MQTT,OnlineDevicesCount,MessageCountPerMinute&{range}"
        ))
        .await
        .ok();
    for (i, metric) in ["MessageCountSentToIoT_MQTT", "OnlineDevicesCount", "MessageCountPerMinute"].iter().enumerate()
    {
        let alone = points(&app, &format!("metrics={metric}&{range}")).await;
        assert_eq!(together["series"][i]["points"].as_array().unwrap(), &alone, "{metric}");
    }
    // The hour's rollup was written in the same round.
    let q = sql("SELECT value FROM metric_hours WHERE product_key = $1 AND metric = 'MessageCountSentToIoT'").bind(PK);
    assert_eq!(app.db().scalar::<f64>(q).await.unwrap(), 13.0);

    // The home page's stats in one answer.
    let s = app.client(Role::Viewer).await.get(&format!("/api/v1/monitoring/stats?product={PK}")).await.ok();
    assert_eq!((s["devices"].clone(), s["online"].clone(), s["inactive"].clone()), (json!(3), json!(2), json!(1)));
    assert_eq!(s["last_minute"], json!({"up": 13, "down": 14, "tsl_errors": 5, "connects": 2}), "{s}");
    let all = app.client(Role::Viewer).await.get("/api/v1/monitoring/stats").await.ok();
    assert_eq!((all["products"].clone(), all["devices"].clone()), (json!(2), json!(3)), "{all}");
    drop((d1, d2));
    app.shutdown().await;
}

#[tokio::test]
async fn bad_queries_are_refused_with_a_reason_and_viewers_may_read() {
    let clock = FakeClock::new(M);
    let app = app(&clock, |_| {}).await;
    let viewer = app.client(Role::Viewer).await;
    let get = |q: String| {
        let viewer = viewer.clone();
        async move { viewer.get(&format!("/api/v1/monitoring/series?{q}")).await }
    };
    let r = get("metrics=Nope".into()).await;
    assert_eq!((r.status.as_u16(), r.body["message"].as_str().unwrap()), (400, "unknown metric code `Nope`"));
    let r = get(format!("metrics=MessageCountPerMinute&from={M}&to={}", M + 8 * DAY)).await;
    assert_eq!((r.status.as_u16(), r.body["message"].clone()), (400, json!("the range may be at most 7 days")));
    let r = get("metrics=OnlineDevicesCount&protocol=Zigbee".into()).await;
    assert!(r.body["message"].as_str().unwrap().contains("unknown protocol `Zigbee`"), "{}", r.body);
    let r = get(format!("metrics=DeviceNum_instance&product={PK}")).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = get("metrics=MessageCountPerMinute&product=a1NoSuchPK".into()).await;
    assert_eq!(r.status, 404, "{}", r.body);
    // Asked protocols split the per-protocol metrics; CoAP has zero series.
    let r = get(format!(
        "metrics=MessageCountSentToIoT,MessageCountPerMinute&protocol=MQTT,CoAP&from={M}&to={}",
        M + 120_000
    ))
    .await
    .ok();
    let series: Vec<(Value, Value)> =
        r["series"].as_array().unwrap().iter().map(|s| (s["metric"].clone(), s["protocol"].clone())).collect();
    assert_eq!(
        series,
        [
            (json!("MessageCountSentToIoT"), json!("MQTT")),
            (json!("MessageCountSentToIoT"), json!("CoAP")),
            (json!("MessageCountPerMinute"), Value::Null)
        ]
    );
    assert!(r["series"][1]["points"].as_array().unwrap().iter().all(|p| p["v"] == 0.0));
    let anon = app.anonymous().get("/api/v1/monitoring/series?metrics=MessageCountPerMinute").await;
    assert_eq!(anon.status, 401);
    app.shutdown().await;
}

#[tokio::test]
async fn the_token_guards_metrics_and_metrics_off_counts_nothing() {
    let clock = FakeClock::new(M);
    let app = app(&clock, |s| s.metrics.token = Some("s3cret".into())).await;
    assert_eq!(app.anonymous().get("/metrics").await.status, 401);
    assert_eq!(app.anonymous().bearer("wrong").get("/metrics").await.status, 401);
    let r = app.anonymous().bearer("s3cret").get("/metrics").await;
    assert_eq!(r.status, 200);
    let text = r.body.as_str().unwrap();
    assert!(text.contains("fleetdeck_limit_hits_total{kind=\"Device_Uplink_QPS_Limit\"} 0"), "{text}");
    assert!(text.contains("process_resident_memory_bytes"), "{text}");
    app.shutdown().await;

    let off = app_off(&clock).await;
    let c = off.client(Role::Admin).await;
    assert_eq!(off.anonymous().get("/metrics").await.status, 404);
    let r = c.get("/api/v1/monitoring/series?metrics=MessageCountPerMinute").await;
    assert_eq!(r.status, 404);
    assert!(r.body["message"].as_str().unwrap().contains("--metrics off"), "{}", r.body);
    let ready = off.anonymous().get("/readyz").await.body;
    let jobs: Vec<&str> = ready["jobs"].as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert!(!jobs.iter().any(|j| j.starts_with("metrics")), "{jobs:?}");
    // The home page's stats do not depend on metrics.
    assert_eq!(c.get("/api/v1/monitoring/stats").await.ok()["last_minute"], Value::Null);
    off.shutdown().await;
}

async fn app_off(clock: &FakeClock) -> TestApp {
    app(clock, |s| s.metrics.enabled = false).await
}

#[tokio::test]
async fn an_idle_minute_still_stores_its_levels_and_rollups_align_to_the_hour() {
    let start = minute_floor(T0) - (minute_floor(T0) % HOUR_MS) + HOUR_MS - 2 * MINUTE_MS;
    let clock = FakeClock::new(start + 1_000);
    let app = app(&clock, |_| {}).await;
    let d = online(&app, PK, "dev1").await;
    // Three minute boundaries, the middle one an hour's: one level row per hour at least.
    app.hub().flush().await;
    for i in 1..=3 {
        clock.advance_ms(MINUTE_MS);
        eventually(DEADLINE, "the minute closed", || async {
            (app.state().monitor.counters().floor() == start + i * MINUTE_MS).then_some(())
        })
        .await;
    }
    let rows = eventually(DEADLINE, "online levels stored", || async {
        let q = sql("SELECT t FROM metric_minutes WHERE product_key = $1 AND metric = 'OnlineDevicesCount' ORDER BY t")
            .bind(PK);
        let ts: Vec<i64> = app.db().scalars(q).await.unwrap();
        (ts.len() >= 2).then_some(ts)
    })
    .await;
    assert_eq!(rows, [start, start + 2 * MINUTE_MS], "stored once, then again at the new hour");
    assert!(rows.iter().all(|t| t % MINUTE_MS == 0), "aligned to the minute");
    let q =
        sql("SELECT t FROM metric_hours WHERE product_key = $1 AND metric = 'OnlineDevicesCount' ORDER BY t").bind(PK);
    let hours: Vec<i64> = app.db().scalars(q).await.unwrap();
    assert_eq!(hours, [start - start % HOUR_MS, start + 2 * MINUTE_MS]);
    // Every minute of the range has the level, held between rows.
    let p = points(&app, &format!("metrics=OnlineDevicesCount&product={PK}&from={start}&to={}", start + 3 * MINUTE_MS))
        .await;
    let got: Vec<f64> = p.iter().map(|p| p["v"].as_f64().unwrap()).collect();
    assert_eq!(got, [1.0, 1.0, 1.0]);
    drop(d);
    app.shutdown().await;
}

#[tokio::test]
async fn retention_purges_old_minutes_and_hours_and_old_ranges_read_the_rollups() {
    let clock = FakeClock::new(M);
    let app = app(&clock, |_| {}).await;
    let db = app.db().clone();
    // Minutes 8 days and 2 days old, hours 400 and 8 days old.
    let mut rows = Vec::new();
    for (t, v) in [(M - 8 * DAY, 5.0), (M - 2 * DAY, 7.0)] {
        rows.push(
            sql("INSERT INTO metric_minutes (product_key, metric, protocol, t, value) VALUES ('', 'MessageCountPerMinute', '', $1, $2)")
                .bind(t)
                .bind(v),
        );
    }
    for (t, v) in [(M - 400 * DAY, 1.0), (M - 7 * DAY - HOUR_MS, 50.0)] {
        let t = t - t.rem_euclid(HOUR_MS);
        rows.push(
            sql("INSERT INTO metric_hours (product_key, metric, protocol, t, value, min, max, last_t, minutes) \
                 VALUES ('', 'MessageCountPerMinute', '', $1, $2, 0, $2, $1, 60)")
            .bind(t)
            .bind(v),
        );
    }
    db.transaction(rows).await.unwrap();
    let gone = backend::monitor::job::purge_once(&db, M, 7, 365, 1).await.unwrap();
    assert_eq!(gone, 2, "one minute and one hour, a row per batch");
    let left: Vec<f64> = db.scalars(sql("SELECT value FROM metric_minutes ORDER BY t")).await.unwrap();
    assert_eq!(left, [7.0]);
    // A range reaching past the minutes' retention is read from the hours.
    let from = M - 7 * DAY - 2 * HOUR_MS;
    let r = app
        .client(Role::Viewer)
        .await
        .get(&format!("/api/v1/monitoring/series?metrics=MessageCountPerMinute&from={from}&to={}", from + 7 * DAY))
        .await
        .ok();
    let pts = r["series"][0]["points"].as_array().unwrap();
    assert!(pts.iter().all(|p| p["t"].as_i64().unwrap() % HOUR_MS == 0), "hour buckets");
    assert_eq!(pts.iter().map(|p| p["v"].as_f64().unwrap()).sum::<f64>(), 50.0, "{r}");
    app.shutdown().await;
}

/// The next monitoring sample on the browsers' bus that `want` accepts.
async fn next_sample(
    bus: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<model::ws::LiveEvent>>,
    want: impl Fn(&model::monitor::MinuteSample) -> bool,
) -> model::monitor::MinuteSample {
    let wait = async {
        loop {
            match bus.recv().await {
                Ok(ev) => {
                    if let model::ws::LiveEvent::Metrics { sample } = &*ev {
                        if want(sample) {
                            return sample.clone();
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("the bus ended: {e}"),
            }
        }
    };
    tokio::time::timeout(DEADLINE, wait).await.expect("a monitoring sample")
}

fn up_of(s: &model::monitor::MinuteSample) -> f64 {
    s.values.iter().find(|v| v.metric == model::monitor::Metric::MessageCountSentToIoT).unwrap().value
}

#[tokio::test]
async fn the_minute_reaches_browsers_every_five_seconds_then_its_final_figures() {
    let clock = FakeClock::new(M + 1_000);
    let app = app(&clock, |_| {}).await;
    let mut bus = app.hub().live().subscribe();
    let mut d = online(&app, PK, "dev1").await;
    let body = json!({"id": "1", "version": "1.0", "params": {"Brightness": 1}});
    post_answered(&mut d, &format!("/sys/{PK}/dev1/thing/event/property/post"), body).await;
    app.hub().flush().await;
    // The 5-second tick: the minute so far, for the product and the instance.
    clock.advance_ms(5_000);
    let s = next_sample(&mut bus, |s| s.product_key.is_none() && s.partial).await;
    assert_eq!((s.t, up_of(&s)), (M, 1.0), "the instance first");
    let s = next_sample(&mut bus, |s| s.product_key.as_deref() == Some(PK) && s.partial).await;
    assert_eq!((s.t, up_of(&s)), (M, 1.0));
    let devices = s.values.iter().find(|v| v.metric == model::monitor::Metric::DeviceCountProduct).unwrap().value;
    assert_eq!(devices, 1.0, "a device registered after the start counts in the live minute at once");
    // The minute closes: its final figures, then the new minute counts from zero.
    clock.advance_ms(MINUTE_MS);
    let s = next_sample(&mut bus, |s| s.product_key.as_deref() == Some(PK) && !s.partial).await;
    assert_eq!((s.t, up_of(&s)), (M, 1.0));
    let s = next_sample(&mut bus, |s| s.product_key.is_none() && s.partial).await;
    assert_eq!((s.t, up_of(&s)), (M + MINUTE_MS, 0.0));
    drop(d);
    app.shutdown().await;
}
