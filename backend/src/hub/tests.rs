use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use model::ws::Direction;
use tokio::sync::broadcast::error::TryRecvError;

use super::*;
use crate::clock::FakeClock;

fn message(i: usize) -> Fact {
    Fact::Message {
        direction: Direction::Up,
        topic: "/sys/pk/dn/thing/event/property/post".into(),
        payload: Bytes::from_static(b"{}"),
        message_id: Some(i.to_string()),
        code: 200,
        delivered: true,
    }
}

fn offline() -> Fact {
    Fact::Disconnected { device_id: Some(1), client_id: "c".into(), ip: None, code: 1911, reason: "closed".into() }
}

fn clock() -> SharedClock {
    Arc::new(FakeClock::new(1_000))
}

/// Counts what a lane receives, slowly (it yields between events), answering barriers.
fn slow_consumer(mut rx: mpsc::Receiver<Delivery>) -> (Arc<AtomicUsize>, tokio::task::JoinHandle<Vec<String>>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let task = tokio::spawn(async move {
        let mut ids = Vec::new();
        while let Some(d) = rx.recv().await {
            match d {
                Delivery::Event(ev) => {
                    for _ in 0..20 {
                        tokio::task::yield_now().await;
                    }
                    if let Fact::Message { message_id: Some(id), .. } = &ev.fact {
                        ids.push(id.clone());
                    }
                    s.fetch_add(1, Ordering::SeqCst);
                }
                Delivery::Barrier(ack) => {
                    let _ = ack.send(());
                }
            }
        }
        ids
    });
    (seen, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_lossless_consumer_loses_nothing_while_a_lagging_browser_is_told_what_it_missed() {
    let mut b = HubBuilder::default();
    let (seen, consumer) = slow_consumer(b.lane("slow", 16, everything));
    let bus = LiveBus::with_capacity(64);
    let mut browser = bus.subscribe();
    let hub = b.build(clock(), bus);
    let d = DeviceRef::new("pk", "dn");
    let n = 10_000;
    for i in 0..n {
        hub.emit(&d, None, message(i)).await;
    }
    hub.flush().await;
    assert_eq!(seen.load(Ordering::SeqCst), n, "a flush returns once the slow lane has everything");
    hub.close();
    let ids = consumer.await.unwrap();
    let expected: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected, "every fact, in order");
    // The browser read nothing meanwhile: it is told how many it missed, then gets the newest.
    match browser.try_recv() {
        Err(TryRecvError::Lagged(missed)) => assert_eq!(missed as usize, n - 64),
        other => panic!("expected a drop notice, got {other:?}"),
    }
}

#[tokio::test]
async fn a_lane_gets_only_what_it_wants_and_a_closed_hub_ends_it() {
    let mut b = HubBuilder::default();
    let mut offline_lane = b.lane("offline", 4, DeviceEvent::is_offline);
    let hub = b.build(clock(), LiveBus::default());
    let d = DeviceRef::new("pk", "dn");
    // More messages than the lane holds: they never reach it, so nothing waits.
    for i in 0..10 {
        hub.emit(&d, None, message(i)).await;
    }
    hub.emit(&d, Some("t1"), offline()).await;
    hub.close();
    match offline_lane.recv().await {
        Some(Delivery::Event(ev)) => {
            assert!(ev.is_offline());
            assert_eq!((ev.trace.as_str(), ev.at), ("t1", 1_000), "the given trace, the injected time");
        }
        other => panic!("expected the offline event, got {other:?}"),
    }
    assert!(offline_lane.recv().await.is_none(), "closed after draining");
}

#[tokio::test]
async fn a_tap_sees_what_it_wants_before_publish_returns_and_nothing_after_close() {
    let mut b = HubBuilder::default();
    let offline_seen = Arc::new(AtomicUsize::new(0));
    let all_seen = Arc::new(AtomicUsize::new(0));
    let (o, a) = (offline_seen.clone(), all_seen.clone());
    b.tap(
        DeviceEvent::is_offline,
        Arc::new(move |_| {
            o.fetch_add(1, Ordering::SeqCst);
        }),
    );
    b.tap(
        everything,
        Arc::new(move |_| {
            a.fetch_add(1, Ordering::SeqCst);
        }),
    );
    let hub = b.build(clock(), LiveBus::default());
    let d = DeviceRef::new("pk", "dn");
    for i in 0..10_000 {
        hub.emit(&d, None, message(i)).await;
        // No queue in between: counted by the time the producer goes on.
        assert_eq!(all_seen.load(Ordering::SeqCst), i + 1);
    }
    hub.emit(&d, None, offline()).await;
    assert_eq!(offline_seen.load(Ordering::SeqCst), 1, "the filter: only the offline fact");
    hub.close();
    hub.emit(&d, None, message(0)).await;
    assert_eq!(all_seen.load(Ordering::SeqCst), 10_001, "a closed hub stores nothing, so counts nothing");
}

#[tokio::test]
async fn a_full_lane_holds_the_producer_back_until_the_consumer_catches_up() {
    let mut b = HubBuilder::default();
    let mut lane = b.lane("held", 2, everything);
    let hub = b.build(clock(), LiveBus::default());
    let d = DeviceRef::new("pk", "dn");
    hub.emit(&d, None, message(0)).await;
    hub.emit(&d, None, message(1)).await;
    let h = hub.clone();
    let third = tokio::spawn(async move { h.emit(&DeviceRef::new("pk", "dn"), None, message(2)).await });
    // The producer is parked on the full lane, not finished and not dropping.
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert!(!third.is_finished(), "the producer waits while the lane is full");
    assert!(matches!(lane.recv().await, Some(Delivery::Event(_))));
    third.await.unwrap();
    let mut rest = 0;
    while let Ok(Delivery::Event(_)) = lane.try_recv() {
        rest += 1;
    }
    assert_eq!(rest, 2);
}

#[test]
fn trace_ids_are_unique_and_carry_the_start_time() {
    let hub = HubBuilder::default().build(clock(), LiveBus::default());
    let (a, b) = (hub.new_trace(), hub.new_trace());
    assert_ne!(a, b);
    assert!(a.starts_with(&format!("{:x}", 1_000)));
}

/// Browsers are offered exactly the facts they are shown, each built only when its kind is
/// wanted: the kind checked before building is the kind built.
#[test]
fn a_fact_becomes_a_live_event_of_its_kind_only_when_that_kind_is_wanted() {
    use model::ws::EventKind as K;
    let value = model::registry::PropertyValue { identifier: "t".into(), value: serde_json::json!(1), time: 0 };
    let facts = [
        (
            Fact::Connected { device_id: 1, client_id: "c".into(), ip: None, sdk: None, keepalive: None },
            Some(K::Status),
        ),
        (offline(), Some(K::Status)),
        (Fact::Disconnected { device_id: None, client_id: "c".into(), ip: None, code: 1911, reason: "r".into() }, None),
        (Fact::SubDeviceOnline { device_id: 2, gateway: DeviceRef::new("pk", "gw") }, Some(K::Status)),
        (Fact::SubDeviceOffline { device_id: 2, code: 1913 }, Some(K::Status)),
        (message(1), Some(K::Message)),
        (Fact::PropertiesPosted { device_id: 1, values: vec![value] }, Some(K::Properties)),
        (Fact::Removed, Some(K::Removed)),
        (Fact::Checked { message_id: None, code: 200, content: "ok".into() }, None),
    ];
    for (fact, kind) in facts {
        let ev = DeviceEvent { at: 1, device: DeviceRef::new("pk", "dn"), trace: "t".into(), fact };
        assert_eq!(live::to_live(&ev, |_| true).map(|e| e.kind()), kind, "{:?}", ev.fact);
        assert!(live::to_live(&ev, |k| Some(k) != kind).is_none(), "{:?} built though unwanted", ev.fact);
    }
}
