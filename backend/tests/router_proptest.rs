//! Arbitrary topics and payloads (malformed JSON, wrong types, huge, unicode, long topics) into
//! `Router::dispatch`: no panic, and every uplink leaves a run-log entry (and any reply it gets
//! is a well-formed Alink reply or NTP/shadow answer).

use backend::store::sql;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use testkit::registry::*;
use testkit::TestApp;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        prop_oneof![Just("Brightness"), Just("LightSwitch"), Just("Label"), Just("Alarm")].prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    ".{0,8}".boxed(),
                    Just("value".to_string()).boxed(),
                    Just("Brightness".to_string()).boxed()
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn topic_strategy() -> impl Strategy<Value = String> {
    let suffixes = [
        "thing/event/property/post",
        "thing/event/property/batch/post",
        "thing/event/Alarm/post",
        "thing/event/Nope/post",
        "thing/deviceinfo/update",
        "thing/deviceinfo/delete",
        "thing/property/desired/get",
        "thing/property/desired/delete",
        "_thing/diag/post",
        "thing/log/post",
        "thing/config/log/get",
        "thing/model/up_raw",
        "thing/service/property/set_reply",
        "thing/service/Add_reply",
        "thing/topo/add",
        "thing/topo/delete",
        "thing/topo/get",
        "rrpc/response/123",
        "thing/service/property/set",
        "thing/ota/firmware/get",
    ];
    let sys =
        (prop::sample::select(suffixes.to_vec()), prop::sample::select(vec![(PK, DN), (SUB_PK, SUB), (GW_PK, GW)]))
            .prop_map(|(s, (pk, dn))| format!("/sys/{pk}/{dn}/{s}"));
    let other = prop::sample::select(vec![
        format!("/shadow/update/{PK}/{DN}"),
        format!("/ext/ntp/{PK}/{DN}/request"),
        format!("/ext/session/{PK}/{DN}/combine/batch_login"),
        format!("/ext/session/{PK}/{DN}/combine/login"),
        format!("/ext/session/{PK}/{DN}/combine/batch_logout"),
        format!("/ext/rrpc/77/sys/{PK}/{DN}/thing/service/Add"),
        format!("/ext/rrpc/78/{PK}/{DN}/user/cmd"),
        format!("/{PK}/{DN}/user/x"),
        "/ext/register".to_string(),
    ]);
    prop_oneof![
        4 => sys,
        2 => other,
        1 => ".{0,300}",
        1 => "(/[a-zA-Z0-9_+#.\u{e9}\u{1F600}-]{0,12}){0,12}",
        1 => "[a-z]{129,400}".prop_map(|s| format!("/{PK}/{DN}/user/{s}")),
    ]
}

fn payload_strategy() -> impl Strategy<Value = Vec<u8>> {
    let envelope =
        (json_value(), json_value(), json_value(), prop::option::of(0u8..3)).prop_map(|(id, params, method, ack)| {
            let mut o = json!({"id": id, "params": params, "method": method});
            if let Some(a) = ack {
                o["sys"] = json!({"ack": a});
            }
            o.to_string().into_bytes()
        });
    let good_id = (any::<u32>(), json_value()).prop_map(|(id, params)| {
        json!({"id": id.to_string(), "version": "1.0", "params": params}).to_string().into_bytes()
    });
    prop_oneof![
        3 => envelope,
        3 => good_id,
        2 => prop::collection::vec(any::<u8>(), 0..512),
        2 => ".{0,200}".prop_map(String::into_bytes),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => Just(br#"{"method":"get"}"#.to_vec()),
        1 => Just(br#"{"deviceSendTime":"1"}"#.to_vec()),
        1 => (0usize..3).prop_map(|k| {
            // Huge: around and above the 256 KiB limit, and deeply nested.
            match k {
                0 => vec![b'['; 300 * 1024],
                1 => format!(r#"{{"id":"1","params":{{"Label":"{}"}}}}"#, "é".repeat(130_000)).into_bytes(),
                _ => format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            }
        }),
    ]
}

#[test]
fn arbitrary_uplinks_never_panic_and_are_always_logged() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let env = rt.block_on(TestApp::builder().recording_downlink().fleet().build());
    let logged = std::cell::Cell::new(0i64);
    let mut runner = TestRunner::new(Config { cases: 400, failure_persistence: None, ..Config::default() });
    runner
        .run(&(topic_strategy(), payload_strategy()), |(topic, payload)| {
            env.downlink().clear();
            rt.block_on(env.router().dispatch(env.uplink_from(PK, DN, &topic, payload)));
            logged.set(logged.get() + 1);
            // The uplink's own entry is queued before dispatch returns: after a flush it is stored.
            let want = logged.get();
            let count: i64 = rt.block_on(async {
                env.hub().flush().await;
                env.db().scalar(sql("SELECT COUNT(*) FROM run_log WHERE biz_type = 'uplink'")).await.unwrap()
            });
            prop_assert_eq!(count, want, "topic {:?}: no run-log entry", topic);
            for p in env.downlink().sent() {
                let v: Value = serde_json::from_slice(&p.payload).expect("replies are JSON");
                if p.topic.ends_with("_reply") || p.topic.contains("/combine/") {
                    for k in ["id", "code", "data", "message"] {
                        prop_assert!(v.get(k).is_some(), "reply on {} lacks {}: {}", p.topic, k, v);
                    }
                    prop_assert!(v["id"].as_str().is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit())));
                }
            }
            Ok(())
        })
        .unwrap();
}
