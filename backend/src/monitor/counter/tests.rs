use bytes::Bytes;
use model::alink::DeviceRef;
use serde_json::json;

use super::*;
use crate::gateway::limits::Kind as LimitKind;

const T0: i64 = 1_700_000_040_000; // a minute boundary
const MIN: i64 = 60_000;

fn ev(at: i64, pk: &str, dn: &str, fact: Fact) -> DeviceEvent {
    DeviceEvent { at, device: DeviceRef::new(pk, dn), trace: "t".into(), fact }
}

fn msg(direction: Direction, topic: &str, code: u32, delivered: bool) -> Fact {
    Fact::Message {
        direction,
        topic: topic.into(),
        payload: Bytes::from_static(b"{\"id\":\"1\"}"),
        message_id: None,
        code,
        delivered,
    }
}

fn connected() -> Fact {
    Fact::Connected { device_id: 1, client_id: "c".into(), ip: None, sdk: None, keepalive: None }
}

fn disconnected() -> Fact {
    Fact::Disconnected { device_id: Some(1), client_id: "c".into(), ip: None, code: 0, reason: String::new() }
}

const POST: &str = "/sys/pkA/d1/thing/event/property/post";
const EVENT: &str = "/sys/pkA/d1/thing/event/alarm/post";

#[test]
fn each_fact_counts_where_issue_14_says() {
    let mut c = Counters::new(T0);
    let at = T0 + 1_000;
    c.count(&ev(at, "pkA", "d1", connected()));
    c.count(&ev(at, "pkA", "d2", connected()));
    for _ in 0..3 {
        c.count(&ev(at, "pkA", "d1", msg(Direction::Up, POST, 200, true)));
    }
    c.count(&ev(at, "pkA", "d1", msg(Direction::Up, POST, 6106, true)));
    c.count(&ev(at, "pkA", "d1", msg(Direction::Up, EVENT, 6300, true)));
    c.count(&ev(at, "pkA", "d1", msg(Direction::Down, "/sys/pkA/d1/thing/service/property/set", 200, true)));
    // A downlink whose publish failed is not a message from the platform.
    c.count(&ev(at, "pkA", "d1", msg(Direction::Down, "/sys/pkA/d1/x", 9201, false)));
    let set = Fact::CallReplied { message_id: "1".into(), code: 9201, service: Some("set".into()) };
    c.count(&ev(at, "pkA", "d1", set));
    let ok = Fact::CallReplied { message_id: "2".into(), code: 200, service: Some("set".into()) };
    c.count(&ev(at, "pkA", "d1", ok));
    let get = Fact::CallReplied { message_id: "3".into(), code: 9201, service: Some("get".into()) };
    c.count(&ev(at, "pkA", "d1", get));
    let timeout = Fact::CallTimedOut {
        topic: "/sys/pkA/d1/thing/service/reboot".into(),
        message_id: "4".into(),
        timeout_ms: 5000,
        service: Some("reboot".into()),
    };
    c.count(&ev(at, "pkA", "d1", timeout));
    let refused = Fact::Refused { stage: crate::hub::Stage::Acl, code: 403, detail: json!({"suppressed": 4}) };
    c.count(&ev(at, "pkA", "d1", refused));
    c.count(&ev(at, "pkA", "d1", Fact::LimitHit { kind: LimitKind::Uplink, limit: 5 }));
    c.count(&ev(at, "pkB", "x", msg(Direction::Up, "/sys/pkB/x/thing/event/property/post", 200, true)));
    c.count(&ev(at, "pkA", "d2", disconnected()));

    let (t, now) = c.current(at);
    assert_eq!(t, T0);
    let a = now.iter().find(|(s, _)| s == "pkA").unwrap().1;
    assert_eq!((a.up, a.down, a.connects), (5, 1, 2));
    assert_eq!(
        (a.property_report_errors, a.event_report_errors, a.property_setting_errors, a.service_call_errors),
        (1, 1, 1, 1)
    );
    let inst = now.iter().find(|(s, _)| s == INSTANCE).unwrap().1;
    assert_eq!((inst.up, inst.down, inst.tsl_errors()), (6, 1, 4));
    assert_eq!(inst.peak_tps, 7, "every message of the busiest second, both directions");
    assert_eq!((c.online("pkA"), c.online("pkB"), c.online(INSTANCE)), (1, 0, 1));
    assert_eq!(c.totals.limit_hits["Device_Uplink_QPS_Limit"], 1);
    let a = c.totals.products["pkA"];
    assert_eq!((a.up, a.down, a.connects), (5, 1, 2));
    assert_eq!(a.tsl_errors, [1, 1, 1, 1], "by TslError::ALL's order");
    assert_eq!(a.up_bytes, 5 * 10, "payload bytes of the messages counted");
}

#[test]
fn minutes_close_at_the_clock_boundary_and_late_facts_join_the_open_one() {
    let mut c = Counters::new(T0);
    let devices = HashMap::from([("pkA".to_string(), 3u64)]);
    c.count(&ev(T0 + 59_999, "pkA", "d1", connected()));
    assert!(c.close(T0 + 59_999, &devices).is_empty(), "nothing closes inside the minute");
    let closed = c.close(T0 + MIN, &devices);
    let scopes: Vec<(&str, i64, u64, u64, u64)> =
        closed.iter().map(|m| (m.scope.as_str(), m.t, m.acc.connects, m.online, m.devices)).collect();
    assert_eq!(scopes, [("", T0, 1, 1, 3), ("pkA", T0, 1, 1, 3)]);
    assert_eq!(c.last_closed("pkA").unwrap().connects, 1);
    // Stamped in the closed minute but counted after its close: joins the open minute.
    c.count(&ev(T0 + 59_999, "pkA", "d1", msg(Direction::Up, POST, 200, true)));
    let (t, now) = c.current(T0 + MIN + 1);
    assert_eq!(t, T0 + MIN);
    assert_eq!(now.iter().find(|(s, _)| s == "pkA").unwrap().1.up, 1);
    // An idle hour closes in one go: the counts' minutes, and the levels once (the newest).
    let closed = c.close(T0 + 61 * MIN + 5_000, &devices);
    let ts: Vec<(i64, &str)> = closed.iter().map(|m| (m.t, m.scope.as_str())).collect();
    assert_eq!(ts, [(T0 + MIN, ""), (T0 + MIN, "pkA"), (T0 + 60 * MIN, ""), (T0 + 60 * MIN, "pkA")]);
    assert_eq!(c.floor(), T0 + 61 * MIN);
}

#[test]
fn levels_are_stored_when_they_change_and_once_an_hour_counts_when_not_zero() {
    let cap = Capacity { devices: 10, tps: 100 };
    let mut c = Counters::new(T0);
    let mut f = super::super::rows::LevelFilter::default();
    let devices = HashMap::from([("pkA".to_string(), 4u64)]);
    c.count(&ev(T0, "pkA", "d1", connected()));
    c.count(&ev(T0, "pkA", "d1", msg(Direction::Up, POST, 200, true)));
    let rows = f.rows(&c.close(T0 + MIN, &devices), cap);
    let got: Vec<(&str, &str, &str, f64)> =
        rows.iter().map(|r| (r.product_key.as_str(), r.metric, r.protocol, r.value)).collect();
    assert!(got.contains(&("", "DeviceNum_instance", "", 10.0)), "{got:?}");
    assert!(got.contains(&("pkA", "OnlineDevicesCount", "MQTT", 1.0)));
    assert!(got.contains(&("pkA", "DeviceCount_Product", "", 4.0)));
    assert!(got.contains(&("pkA", "MessageCountSentToIoT", "MQTT", 1.0)));
    assert!(got.contains(&("", "MessageWatermarkTps_instance", "", 1.0)));
    assert!(!got.iter().any(|r| r.1 == "MessageCountSentFromIoT"), "zero counts are not stored");
    assert!(!got.iter().any(|r| r.1 == "UpstreamQPS"), "rates are derived, not stored");
    // Nothing changed in the next minute: only the changed watermark (1 → 0) is stored.
    let rows = f.rows(&c.close(T0 + 2 * MIN, &devices), cap);
    let got: Vec<(&str, &str)> = rows.iter().map(|r| (r.product_key.as_str(), r.metric)).collect();
    assert_eq!(got, [("", "MessageWatermarkTps_instance")]);
    // A new hour stores every level again.
    let hour = model::monitor::hour_floor(T0) + model::monitor::HOUR_MS;
    let rows = f.rows(&c.close(hour + MIN, &devices), cap);
    assert!(rows.iter().any(|r| r.product_key == "pkA" && r.metric == "DeviceCount_Product" && r.t == hour));
}
