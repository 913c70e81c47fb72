//! The writers' contract, one body per test on both stores (see [`store`]).

pub(super) mod store;

use std::time::Duration;

use model::alink::DeviceRef;
use model::runlog::BizType;
use model::ws::Direction;
use tokio::sync::broadcast;

use super::*;
use store::{on_both_stores, Fixture, Store};

on_both_stores!(
    a_value_of_a_missing_device_is_skipped_and_the_rest_of_the_round_is_stored,
    the_latest_value_wins_within_and_across_rounds,
    every_entry_reaches_the_store_in_order_even_past_the_lane_size_and_after_close,
    a_barrier_is_answered_only_after_the_commit,
    awkward_text_is_stored_as_sent,
    metric_minutes_and_their_hour_are_written_in_a_round_and_a_minute_written_again_adds_up,
);

fn value(identifier: &str, value: i64, time: i64) -> PropertyValue {
    PropertyValue { identifier: identifier.into(), value: value.into(), time }
}

fn posted(device_id: i64, values: Vec<PropertyValue>) -> Fact {
    Fact::PropertiesPosted { device_id, values }
}

fn message(message_id: String, payload: &'static [u8]) -> Fact {
    Fact::Message {
        direction: Direction::Up,
        topic: "/sys/pk/dn/thing/event/property/post".into(),
        payload: bytes::Bytes::from_static(payload),
        message_id: Some(message_id),
        code: 200,
        delivered: true,
    }
}

async fn a_value_of_a_missing_device_is_skipped_and_the_rest_of_the_round_is_stored(store: Store) {
    let mut f = Fixture::new(store, 16, LiveBus::default()).await;
    let d = DeviceRef::new("pk", "dn");
    // Emitted before the writer starts: one round. Device 2 does not exist.
    f.hub.emit(&d, None, posted(1, vec![value("a", 1, 10), value("a", 3, 30)])).await;
    f.hub.emit(&d, None, posted(2, vec![value("a", 5, 10)])).await;
    // An older value after a newer one: history keeps it, latest does not go back.
    f.hub.emit(&d, None, posted(1, vec![value("a", 2, 20)])).await;
    f.hub.emit(&d, None, message("m".into(), b"{}")).await;
    let _t = f.start();
    f.hub.flush().await;
    let history: Vec<(i64, String)> =
        f.db.all("SELECT time, value FROM property_history WHERE device_id = 1 ORDER BY time").await;
    assert_eq!(history, vec![(10, "1".into()), (20, "2".into()), (30, "3".into())]);
    let latest: (i64, String) = f.db.one("SELECT time, value FROM property_latest WHERE device_id = 1").await;
    assert_eq!(latest, (30, "3".into()));
    assert_eq!(f.db.count("SELECT COUNT(*) FROM property_history WHERE device_id = 2").await, 0);
    assert_eq!(f.db.count("SELECT COUNT(*) FROM property_latest WHERE device_id = 2").await, 0);
    assert_eq!(f.db.count("SELECT COUNT(*) FROM run_log").await, 1, "the round's run-log line is stored");
}

async fn the_latest_value_wins_within_and_across_rounds(store: Store) {
    let (f, _t) = Fixture::started(store, 64, LiveBus::default()).await;
    let d = DeviceRef::new("pk", "dn");
    // Within a round (one post): the newest by time; on a tie, the later one.
    f.hub.emit(&d, None, posted(1, vec![value("a", 1, 10), value("a", 3, 30), value("a", 2, 20)])).await;
    f.hub.emit(&d, None, posted(1, vec![value("b", 1, 5), value("b", 2, 5)])).await;
    f.hub.flush().await;
    let latest: Vec<(String, i64, String)> =
        f.db.all("SELECT identifier, time, value FROM property_latest ORDER BY identifier").await;
    assert_eq!(latest, vec![("a".into(), 30, "3".into()), ("b".into(), 5, "2".into())]);
    // Across rounds: an older value does not replace a newer one; a newer or equally new one does.
    f.hub.emit(&d, None, posted(1, vec![value("a", 9, 25), value("b", 7, 6)])).await;
    f.hub.flush().await;
    f.hub.emit(&d, None, posted(1, vec![value("a", 8, 30)])).await;
    f.hub.flush().await;
    let latest: Vec<(String, i64, String)> =
        f.db.all("SELECT identifier, time, value FROM property_latest ORDER BY identifier").await;
    assert_eq!(latest, vec![("a".into(), 30, "8".into()), ("b".into(), 6, "7".into())]);
    assert_eq!(f.db.count("SELECT COUNT(*) FROM property_history").await, 8, "history keeps every value");
}

async fn every_entry_reaches_the_store_in_order_even_past_the_lane_size_and_after_close(store: Store) {
    let bus = LiveBus::default();
    let mut live = bus.subscribe();
    let (f, thread) = Fixture::started(store, 64, bus).await;
    let d = DeviceRef::new("pk", "dn");
    let n = 1_000;
    for i in 0..n {
        f.hub.emit(&d, None, message(i.to_string(), b"{}")).await;
    }
    // Closing the hub lets the writer finish its last round and end.
    f.hub.close();
    tokio::task::spawn_blocking(move || thread.join().unwrap()).await.unwrap();
    assert_eq!(f.db.count("SELECT COUNT(*) FROM run_log").await, n);
    let (at, biz): (i64, String) = f.db.one("SELECT MIN(at), MIN(biz_type) FROM run_log").await;
    assert_eq!((at, biz.as_str()), (5, BizType::Uplink.as_str()), "time comes from the injected clock");
    let stored: Vec<(i64, String)> = f.db.all("SELECT id, message_id FROM run_log ORDER BY id").await;
    let order: Vec<String> = stored.iter().map(|(_, m)| m.clone()).collect();
    assert_eq!(order, (0..n).map(|i| i.to_string()).collect::<Vec<_>>(), "ids follow the order published");
    // Browsers hear of every stored entry with the id it was stored under.
    let mut announced = Vec::new();
    loop {
        match live.try_recv().as_deref() {
            Ok(LiveEvent::Log { entry }) => announced.push((entry.id, entry.message_id.clone().unwrap_or_default())),
            Ok(_) => {}
            Err(broadcast::error::TryRecvError::Empty) => break,
            Err(e) => panic!("the bus lost events: {e:?}"),
        }
    }
    assert_eq!(announced, stored, "announced with the ids they were stored under");
}

async fn a_barrier_is_answered_only_after_the_commit(store: Store) {
    let (f, _t) = Fixture::started(store, 16, LiveBus::default()).await;
    let d = DeviceRef::new("pk", "dn");
    let held = f.db.hold_writes().await;
    f.hub.emit(&d, None, message("m".into(), b"{}")).await;
    let hub = f.hub.clone();
    let flushed = tokio::spawn(async move { hub.flush().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!flushed.is_finished(), "the barrier waits while the round cannot commit");
    assert_eq!(f.db.count("SELECT COUNT(*) FROM run_log").await, 0);
    held.release().await;
    tokio::time::timeout(Duration::from_secs(20), flushed).await.expect("answered after the commit").unwrap();
    assert_eq!(f.db.count("SELECT COUNT(*) FROM run_log").await, 1, "committed when the barrier is answered");
}

/// Text that could end a field or a row, or read as NULL, in PostgreSQL's `COPY` arrives as sent;
/// NUL, which PostgreSQL's text cannot hold, must not fail its round (forever).
async fn awkward_text_is_stored_as_sent(store: Store) {
    let (f, _t) = Fixture::started(store, 16, LiveBus::default()).await;
    let d = DeviceRef::new("pk", "dn");
    f.hub.emit(&d, None, message("\\N".into(), b"a\tb\nc\\d\re \\N \\. \xc3\xbc")).await;
    f.hub.emit(&d, None, message("nul".into(), b"x\0y")).await;
    f.hub.emit(&d, None, posted(1, vec![value("p\0q", 1, 10)])).await;
    f.hub.flush().await;
    let sent: (String, String) = f.db.one("SELECT message_id, content FROM run_log WHERE message_id <> 'nul'").await;
    assert_eq!(sent, ("\\N".to_string(), "a\tb\nc\\d\re \\N \\. ü".to_string()));
    let content: String = f.db.one::<(String,)>("SELECT content FROM run_log WHERE message_id = 'nul'").await.0;
    let nul = if store == Store::Postgres { "x\u{FFFD}y" } else { "x\0y" };
    assert_eq!(content, nul);
    assert_eq!(f.db.count("SELECT COUNT(*) FROM property_latest").await, 1);
}

/// PostgreSQL only: the writer's session is killed between rounds; the next round reconnects.
#[tokio::test]
async fn the_postgres_writer_reconnects_and_loses_nothing() {
    if !store::selected(Store::Postgres) {
        return;
    }
    let (f, _t) = Fixture::started(Store::Postgres, 16, LiveBus::default()).await;
    let d = DeviceRef::new("pk", "dn");
    f.hub.emit(&d, None, message("before".into(), b"{}")).await;
    f.hub.flush().await;
    let killed =
        f.db.count(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'fleetdeck-ingest' AND datname = current_database()) k",
        )
        .await;
    assert_eq!(killed, 1, "the writer's session");
    for i in 0..10 {
        f.hub.emit(&d, None, message(format!("after {i}"), b"{}")).await;
    }
    tokio::time::timeout(Duration::from_secs(30), f.hub.flush()).await.expect("stored after reconnecting");
    assert_eq!(f.db.count("SELECT COUNT(*) FROM run_log").await, 11);
}

fn row(pk: &str, metric: &'static str, t: i64, value: f64) -> crate::store::metrics::MetricRow {
    let protocol = if metric == "OnlineDevicesCount" { "MQTT" } else { "" };
    crate::store::metrics::MetricRow { product_key: pk.into(), metric, protocol, t, value }
}

/// A round with only metric minutes runs on a barrier; the hour rolls up counts (summed) and
/// levels (the newest minute); a minute stored again (a restart within a flushed minute) adds
/// its counts and replaces its levels instead of failing the round.
async fn metric_minutes_and_their_hour_are_written_in_a_round_and_a_minute_written_again_adds_up(store: Store) {
    let (f, _t) = Fixture::started(store, 16, LiveBus::default()).await;
    let h = 3_600_000;
    f.minutes.push(vec![
        row("pk", "MessageCountPerMinute", h, 3.0),
        row("pk", "MessageCountPerMinute", h + 60_000, 4.0),
        row("pk", "OnlineDevicesCount", h + 60_000, 7.0),
        row("pk", "OnlineDevicesCount", h, 5.0),
    ]);
    f.hub.flush().await;
    f.minutes.push(vec![row("pk", "MessageCountPerMinute", h, 2.0), row("pk", "OnlineDevicesCount", h, 6.0)]);
    f.hub.flush().await;
    let minute: (f64,) =
        f.db.one("SELECT value FROM metric_minutes WHERE metric = 'MessageCountPerMinute' AND t = 3600000").await;
    assert_eq!(minute.0, 5.0, "a count written again adds up");
    let level: (f64,) =
        f.db.one("SELECT value FROM metric_minutes WHERE metric = 'OnlineDevicesCount' AND t = 3600000").await;
    assert_eq!(level.0, 6.0, "a level written again is replaced");
    let hour: (f64, f64, f64, i64) = f
        .db
        .one("SELECT value, min, max, minutes FROM metric_hours WHERE metric = 'MessageCountPerMinute' AND t = 3600000")
        .await;
    assert_eq!(hour, (9.0, 2.0, 4.0, 3));
    let hour: (f64, f64, f64) =
        f.db.one("SELECT value, min, max FROM metric_hours WHERE metric = 'OnlineDevicesCount' AND t = 3600000").await;
    assert_eq!(hour, (7.0, 5.0, 7.0), "the newest minute's level, whatever the order written");
    assert_eq!(f.db.count("SELECT COUNT(*) FROM run_log").await, 0);
}
