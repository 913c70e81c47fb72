//! Issue 14 on either store (`FLEETDECK_TEST_STORE=postgres`): property history (downsampled
//! on the server, min/max kept), the events list and its filters, the network status table
//! (Collected At empty without `_time`, `err_stats` records and bad ones), and the network
//! status retention purge on the fake clock.

use std::sync::Arc;

use backend::clock::FakeClock;
use backend::history::purge;
use backend::store::{self, sql, Sql};
use model::auth::Role;
use serde_json::{json, Value};
use testkit::registry::*;
use testkit::{TestApp, T0};
use tokio_util::sync::CancellationToken;

const DAY: i64 = 24 * 3600 * 1000;

fn base() -> String {
    format!("/api/v1/devices/{PK}/{DN}")
}

async fn env() -> TestApp {
    TestApp::builder().recording_downlink().fleet().build().await
}

#[tokio::test]
async fn property_history_is_downsampled_keeping_spikes_and_dips() {
    let env = env().await;
    let id = env.device_id(PK, DN).await;
    // 6,000 temperatures a second apart ending at T0, one spike and one dip among them.
    let rows: Vec<Sql> = (0..6000i64)
        .map(|i| {
            let v = match i {
                1234 => 119.5,
                4321 => -39.5,
                _ => 20.0 + (i % 10) as f64 / 10.0,
            };
            sql("INSERT INTO property_history (device_id, identifier, value, time) VALUES ($1, 'Temperature', $2, $3)")
                .bind(id)
                .bind(v.to_string())
                .bind(T0 - 6000 * 1000 + i * 1000)
        })
        .collect();
    env.db().transaction(rows).await.unwrap();
    let viewer = env.client(Role::Viewer).await;
    let h = viewer
        .get(&format!(
            "{}/properties/Temperature/history?from={}&to={}&max_points=200",
            base(),
            T0 - 2 * 3_600_000,
            T0 + 1
        ))
        .await
        .ok();
    assert_eq!((h["total"].clone(), h["downsampled"].clone()), (json!(6000), json!(true)));
    let pts = h["points"].as_array().unwrap();
    assert!(pts.len() <= 200 && pts.len() > 100, "{} points", pts.len());
    let times: Vec<i64> = pts.iter().map(|p| p["time"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert!(pts.iter().any(|p| p["value"] == json!(119.5)), "the spike survives");
    assert!(pts.iter().any(|p| p["value"] == json!(-39.5)), "the dip survives");
    assert_eq!(*times.last().unwrap(), T0 - 1000, "the newest value is there");

    // A short range is not downsampled: every value, as stored.
    let h = viewer.get(&format!("{}/properties/Temperature/history?from={}&to={}", base(), T0 - 10_000, T0)).await.ok();
    assert_eq!((h["total"].clone(), h["downsampled"].clone()), (json!(10), json!(false)));
    assert_eq!(h["points"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn property_history_from_real_posts_and_bad_queries() {
    let env = env().await;
    for (i, on) in [(1, 0), (2, 1), (3, 0)] {
        env.up(
            &topic("thing/event/property/post"),
            &format!(
                r#"{{"id":"{i}","version":"1.0","params":{{"LightSwitch":{{"value":{on},"time":{}}}}}}}"#,
                T0 - 100 + i
            ),
        )
        .await;
    }
    env.hub().flush().await;
    let viewer = env.client(Role::Viewer).await;
    // Default range: the last hour up to now, inclusive of this millisecond.
    let h = viewer.get(&format!("{}/properties/LightSwitch/history", base())).await.ok();
    let vals: Vec<(i64, Value)> =
        h["points"].as_array().unwrap().iter().map(|p| (p["time"].as_i64().unwrap(), p["value"].clone())).collect();
    assert_eq!(vals, vec![(T0 - 99, json!(0)), (T0 - 98, json!(1)), (T0 - 97, json!(0))]);

    let path = format!("{}/properties/LightSwitch/history", base());
    for (q, code, needle) in [
        ("?from=10&to=5", "validation", "before"),
        ("?from=0&to=9999999999999", "validation", "31 days"),
        ("?max_points=0", "validation", "max_points"),
        ("?max_points=5000", "validation", "max_points"),
        ("?from=yesterday", "invalid_query", "from"),
    ] {
        let r = viewer.get(&format!("{path}{q}")).await;
        assert_eq!(r.status.as_u16(), 400, "{q}: {}", r.body);
        assert_eq!(r.body["code"], json!(code), "{q}");
        assert!(r.body["message"].as_str().unwrap().contains(needle), "{q}: {}", r.body);
    }
    let r = viewer.get(&format!("/api/v1/devices/{PK}/nobody/properties/LightSwitch/history")).await;
    assert_eq!(r.status.as_u16(), 404);
    let r = env.anonymous().get(&path).await;
    assert_eq!(r.status.as_u16(), 401);
}

#[tokio::test]
async fn events_list_filters_by_identifier_and_type() {
    let env = env().await;
    let id = env.device_id(PK, DN).await;
    env.up(
        &topic("thing/event/Alarm/post"),
        r#"{"id":"2","version":"1.0","params":{"value":{"ErrorCode":3}},"method":"thing.event.Alarm.post"}"#,
    )
    .await;
    // Types the fleet's model has no event for, stored as the router would.
    store::properties::insert_event(env.db(), id, "Boot", "info", &json!({}), T0 - 50).await.unwrap();
    store::properties::insert_event(env.db(), id, "Fault", "error", &json!({"code": 7}), T0 - 40).await.unwrap();
    store::properties::insert_event(env.db(), id, "Old", "info", &json!({}), T0 - 8 * DAY).await.unwrap();
    let viewer = env.client(Role::Viewer).await;
    let all = viewer.get(&format!("{}/events", base())).await.ok();
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|e| e["identifier"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Alarm", "Fault", "Boot"], "newest first, a week back by default");
    assert_eq!(all["items"][0]["event_type"], json!("alert"));
    assert_eq!(all["items"][0]["params"], json!({"ErrorCode": 3}));

    let alerts = viewer.get(&format!("{}/events?type=error", base())).await.ok();
    assert_eq!(alerts["items"].as_array().unwrap().len(), 1);
    assert_eq!(alerts["items"][0]["params"], json!({"code": 7}));
    let boot = viewer.get(&format!("{}/events?identifier=Boot&from={}", base(), T0 - 9 * DAY)).await.ok();
    assert_eq!(boot["items"].as_array().unwrap().len(), 1, "Old is not a Boot");
    let none = viewer.get(&format!("{}/events?identifier=Boot&type=alert", base())).await.ok();
    assert_eq!(none["items"], json!([]));
    let one = viewer.get(&format!("{}/events?limit=1", base())).await.ok();
    assert_eq!((one["items"].as_array().unwrap().len(), one["truncated"].clone()), (1, json!(true)));

    let r = viewer.get(&format!("{}/events?type=warning", base())).await;
    assert_eq!((r.status.as_u16(), r.body["code"].clone()), (400, json!("invalid_query")));
    let r = viewer.get(&format!("{}/events?limit=0", base())).await;
    assert_eq!((r.status.as_u16(), r.body["code"].clone()), (400, json!("validation")));
}

#[tokio::test]
async fn network_status_rows_as_the_seed_shows_them() {
    let env = env().await;
    let diag = |id: &str, p: Value| {
        json!({"id": id, "version": "1.0", "params": {"p": p, "model": "format=simple|quantity=single|time=now"}})
            .to_string()
    };
    let t = topic("_thing/diag/post");
    env.up(
        &t,
        &diag(
            "1",
            json!({"wifi": {"rssi": -61, "snr": 22, "per": 3, "err_stats": "10,02,01;10,05,02"}, "_time": T0 - 5000}),
        ),
    )
    .await;
    env.up(&t, &diag("2", json!({"wifi": {"rssi": -70, "snr": "18", "per": 0}}))).await;
    env.up(&t, &diag("3", json!({"wifi": {"rssi": -75, "err_stats": "10,02"}}))).await;
    let viewer = env.client(Role::Viewer).await;
    let page = viewer.get(&format!("{}/network-status", base())).await.ok();
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let r0 = &rows[0];
    assert_eq!((r0["reported_at"].clone(), r0["collected_at"].clone()), (json!(T0), json!(T0 - 5000)));
    assert_eq!(
        (r0["rssi"].clone(), r0["snr"].clone(), r0["packet_loss"].clone()),
        (json!(-61.0), json!(22.0), json!(3.0))
    );
    assert_eq!(r0["connection"], json!("wifi"));
    assert_eq!(
        r0["errors"],
        json!([{"err_type": "10", "code": "02", "count": 1}, {"err_type": "10", "code": "05", "count": 2}])
    );
    assert!(rows[1].get("collected_at").is_none_or(Value::is_null), "no _time, no collection time: {}", rows[1]);
    assert_eq!((rows[1]["snr"].clone(), rows[1]["errors"].clone()), (json!(18.0), json!([])));
    assert!(rows[1]["err_stats_error"].is_null());
    // A malformed err_stats is kept and explained, not dropped and not a failure.
    assert_eq!(rows[2]["err_stats"], json!("10,02"));
    assert!(rows[2]["err_stats_error"].as_str().unwrap().contains("type,code,count"), "{}", rows[2]);

    // Stored as NULL, not as the receive time.
    let id = env.device_id(PK, DN).await;
    let nulls: i64 = env
        .db()
        .scalar(
            sql("SELECT COUNT(*) FROM device_network_status WHERE device_id = $1 AND collected_at IS NULL").bind(id),
        )
        .await
        .unwrap();
    assert_eq!(nulls, 2);

    let r = viewer.get(&format!("{}/network-status?limit=99999", base())).await;
    assert_eq!((r.status.as_u16(), r.body["code"].clone()), (400, json!("validation")));
    let last = viewer.get(&format!("{}/network-status?limit=1", base())).await.ok();
    assert_eq!((last["rows"][0]["rssi"].clone(), last["truncated"].clone()), (json!(-75.0), json!(true)));
}

async fn insert_samples(env: &TestApp, received_at: &[i64]) {
    let id = env.device_id(PK, DN).await;
    let rows = received_at
        .iter()
        .map(|t| {
            sql("INSERT INTO device_network_status (device_id, rssi, raw, time, received_at) VALUES ($1, -50, '{}', $2, $2)")
                .bind(id)
                .bind(*t)
        })
        .collect();
    env.db().transaction(rows).await.unwrap();
}

#[tokio::test]
async fn network_status_is_purged_after_the_retention_on_the_clock() {
    let env = env().await;
    insert_samples(&env, &[T0 - 8 * DAY, T0 - 6 * DAY, T0 - 1000]).await;
    let clock = FakeClock::new(T0);
    let cancel = CancellationToken::new();
    let job = tokio::spawn(purge::run(env.db().clone(), Arc::new(clock.clone()), 7, cancel.clone()));
    // The first run is at once; then the job parks until the next one.
    clock.wait_for_sleepers(1).await;
    assert_eq!(env.count("device_network_status").await, 2, "the 8-day-old sample went at once");
    // A day later the 6-day-old one is past a week; it goes at the next run, not before.
    clock.advance_ms(DAY + 1000 - purge::EVERY_MS);
    clock.wait_for_sleepers(1).await;
    assert_eq!(env.count("device_network_status").await, 2);
    clock.advance_ms(purge::EVERY_MS);
    testkit::wait::eventually(std::time::Duration::from_secs(10), "the second purge", || async {
        (env.count("device_network_status").await == 1).then_some(())
    })
    .await;
    cancel.cancel();
    job.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_backlog_is_purged_in_small_batches() {
    let env = env().await;
    let old: Vec<i64> = (0..2500).map(|i| T0 - 30 * DAY + i).collect();
    insert_samples(&env, &old).await;
    insert_samples(&env, &[T0]).await;
    assert_eq!(store::history::purge_network_status(env.db(), T0 - 7 * DAY, 1000).await.unwrap(), 1000);
    assert_eq!(purge::purge_once(env.db(), T0, 7, 1000).await.unwrap(), 1500);
    assert_eq!(env.count("device_network_status").await, 1);
}

/// The demo fleet's Wi-Fi diagnoses (`model::simulate::wifi_diag`, posted by every demo lamp,
/// sensor and gateway) are read as the seed's records, so "View details" lists them on the demo
/// console instead of calling each one unreadable (they were `0x0f,0x02,0x00`).
#[tokio::test]
async fn the_demo_fleets_diag_errors_are_listed_with_their_counts() {
    let env = env().await;
    let t = topic("_thing/diag/post");
    // Every post carries errors at `error_every` 1.
    for (i, seed) in [3_u64, 8, 21].into_iter().enumerate() {
        let params = model::simulate::wifi_diag(seed, T0 - 1000 * i as i64, 1);
        env.up(&t, &json!({"id": i.to_string(), "version": "1.0", "params": params}).to_string()).await;
    }
    let viewer = env.client(Role::Viewer).await;
    let page = viewer.get(&format!("{}/network-status", base())).await.ok();
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for r in rows {
        assert!(r["err_stats_error"].is_null(), "{r}");
        let errors = r["errors"].as_array().unwrap();
        assert!(!errors.is_empty(), "{r}");
        assert!(errors.iter().all(|e| e["count"].as_u64() >= Some(1)), "{r}");
        assert!(r["collected_at"].is_i64() && r["packet_loss"].as_f64() > Some(0.0), "{r}");
    }
}
