use std::sync::Arc;

use model::alink::DeviceRef;
use model::runlog::BizType;
use model::ws::Direction;
use tokio::sync::broadcast;

use super::*;
use crate::clock::FakeClock;
use crate::hub::{everything, Hub, HubBuilder};
use crate::store::sql;

fn value(identifier: &str, value: i64, time: i64) -> PropertyValue {
    PropertyValue { identifier: identifier.into(), value: value.into(), time }
}

/// A store with product `pk` and device `dn` (id 1), and a writer on a hub lane of `capacity`.
async fn writer(
    capacity: usize,
    bus: LiveBus,
) -> (tempfile::TempDir, crate::store::Db, Hub, std::thread::JoinHandle<()>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let db = crate::store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    db.execute(sql(
        "INSERT INTO products (product_key, name, product_secret, node_type, data_format, tsl, created_at) \
         VALUES ('pk', 'p', 's', 'direct', 'alink', '{}', 0)",
    ))
    .await
    .unwrap();
    db.execute(sql("INSERT INTO devices (id, product_key, device_name, device_secret, status, created_at) \
         VALUES (1, 'pk', 'dn', 's', 'inactive', 0)"))
        .await
        .unwrap();
    let mut b = HubBuilder::default();
    let rx = b.lane("store", capacity, everything);
    let thread = spawn(&path, rx, bus.clone());
    (dir, db, b.build(Arc::new(FakeClock::new(5)), bus), thread)
}

fn posted(device_id: i64, values: Vec<PropertyValue>) -> Fact {
    Fact::PropertiesPosted { device_id, values }
}

#[tokio::test]
async fn a_value_of_a_missing_device_is_skipped_and_the_rest_of_the_round_is_stored() {
    let (_dir, db, hub, _t) = writer(16, LiveBus::default()).await;
    let d = DeviceRef::new("pk", "dn");
    // Device 2 does not exist: its row fails the foreign key, alone.
    hub.emit(&d, None, posted(1, vec![value("a", 1, 10), value("a", 3, 30)])).await;
    hub.emit(&d, None, posted(2, vec![value("a", 5, 10)])).await;
    // An older value after a newer one: history keeps it, latest does not go back.
    hub.emit(&d, None, posted(1, vec![value("a", 2, 20)])).await;
    hub.flush().await;
    let history: Vec<(i64, String)> = db
        .fetch_all(sql("SELECT time, value FROM property_history WHERE device_id = 1 ORDER BY time"))
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("time").unwrap(), r.get("value").unwrap()))
        .collect();
    assert_eq!(history, vec![(10, "1".into()), (20, "2".into()), (30, "3".into())]);
    let r = db.fetch_one(sql("SELECT time, value FROM property_latest WHERE device_id = 1")).await.unwrap();
    let latest: (i64, String) = (r.get("time").unwrap(), r.get("value").unwrap());
    assert_eq!(latest, (30, "3".into()));
    let orphans: i64 = db.scalar(sql("SELECT COUNT(*) FROM property_history WHERE device_id = 2")).await.unwrap();
    assert_eq!(orphans, 0);
}

#[tokio::test]
async fn every_entry_reaches_the_store_in_order_even_past_the_lane_size_and_after_close() {
    let bus = LiveBus::default();
    let mut live = bus.subscribe();
    let (_dir, db, hub, thread) = writer(64, bus).await;
    let d = DeviceRef::new("pk", "dn");
    let n = 1_000;
    for i in 0..n {
        let fact = Fact::Message {
            direction: Direction::Up,
            topic: "/sys/pk/dn/thing/event/property/post".into(),
            payload: bytes::Bytes::from_static(b"{}"),
            message_id: Some(i.to_string()),
            code: 200,
        };
        hub.emit(&d, None, fact).await;
    }
    // Closing the hub lets the writer finish its last round and end.
    hub.close();
    tokio::task::spawn_blocking(move || thread.join().unwrap()).await.unwrap();
    let count: i64 = db.scalar(sql("SELECT COUNT(*) FROM run_log")).await.unwrap();
    assert_eq!(count, n);
    let (at, biz): (i64, String) = db
        .fetch_one(sql("SELECT MIN(at) AS at, MIN(biz_type) AS biz FROM run_log"))
        .await
        .map(|r| (r.get("at").unwrap(), r.get("biz").unwrap()))
        .unwrap();
    assert_eq!((at, biz.as_str()), (5, BizType::Uplink.as_str()), "time comes from the injected clock");
    let last: String = db.scalar(sql("SELECT message_id FROM run_log ORDER BY id DESC LIMIT 1")).await.unwrap();
    assert_eq!(last, (n - 1).to_string(), "stored in the order published");
    // The first thing a browser hears about is the message itself, then stored entries.
    loop {
        match live.try_recv().as_deref() {
            Ok(LiveEvent::Log { entry }) => {
                assert!(entry.id > 0, "announced with its id");
                break;
            }
            Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(e) => panic!("expected stored entries on the bus: {e:?}"),
        }
    }
}
