//! `Commands`: property set/get, async and sync services (both RRPC forms), custom RRPC, errors.

use std::time::Duration;

use backend::commands::{CallError, DeviceCall, Via};
use backend::store;
use bytes::Bytes;
use model::alink::{DeviceRef, Request};
use model::runlog::BizType;
use serde_json::json;
use testkit::registry::*;
use testkit::{Published, TestApp, T0};

const T: Duration = Duration::from_secs(5);

fn dev() -> DeviceRef {
    DeviceRef::new(PK, DN)
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Starts `call` in the background, waits for its publish on a topic starting with `prefix`.
async fn start(
    env: &TestApp,
    req: DeviceCall,
    via: Via,
    prefix: String,
) -> (tokio::task::JoinHandle<Result<model::alink::Reply, CallError>>, Published) {
    let c = env.router().commands();
    let task = tokio::spawn(async move { c.call_via(&dev(), req, via, T).await });
    let p = env.downlink().wait_for(|p| p.topic.starts_with(&prefix)).await;
    (task, p)
}

#[tokio::test]
async fn property_set_reply_is_matched_and_shares_the_trace() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let req = DeviceCall::SetProperties(json!({"Brightness": 40}));
    let (task, p) = start(&env, req, Via::Auto, topic("thing/service/property/set")).await;
    assert_eq!(p.topic, topic("thing/service/property/set"));
    let id = p.json()["id"].as_str().unwrap().to_string();
    assert!(digits(&id), "{id}");
    assert_eq!(p.json()["params"], json!({"Brightness": 40}));
    // Py's automatic set_reply: no message, no method.
    env.up(&topic("thing/service/property/set_reply"), &format!(r#"{{"id":"{id}","code":200,"data":{{}}}}"#)).await;
    let reply = task.await.unwrap().unwrap();
    assert_eq!((reply.code, reply.id.as_str()), (200, id.as_str()));
    assert!(env.downlink().sent().len() == 1, "a reply to a platform request is not answered");

    let logs = env.logs(PK, DN, 4).await;
    let down = logs.iter().find(|l| l.biz_type == BizType::Downlink).unwrap();
    let up = logs.iter().find(|l| l.biz_type == BizType::Uplink).unwrap();
    assert_eq!(down.trace_id, up.trace_id, "request and reply share the trace");
    assert_eq!((down.message_id.as_deref(), up.message_id.as_deref()), (Some(id.as_str()), Some(id.as_str())));
}

#[tokio::test]
async fn property_get_and_async_service() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let (task, p) = start(
        &env,
        DeviceCall::GetProperties(vec!["Brightness".into()]),
        Via::Auto,
        topic("thing/service/property/get"),
    )
    .await;
    let id = p.json()["id"].as_str().unwrap().to_string();
    env.up(
        &topic("thing/service/property/get_reply"),
        &format!(r#"{{"id":"{id}","code":200,"data":{{"Brightness":7}}}}"#),
    )
    .await;
    assert_eq!(task.await.unwrap().unwrap().data, json!({"Brightness": 7}));

    let (task, p) = start(
        &env,
        DeviceCall::InvokeService { identifier: "Reboot".into(), params: json!({"delay": 3}) },
        Via::Auto,
        topic("thing/service/Reboot"),
    )
    .await;
    assert_eq!(p.topic, topic("thing/service/Reboot"));
    let id = p.json()["id"].as_str().unwrap().to_string();
    env.up(&topic("thing/service/Reboot_reply"), &format!(r#"{{"id":"{id}","code":200,"data":{{}}}}"#)).await;
    assert_eq!(task.await.unwrap().unwrap().code, 200);
}

#[tokio::test]
async fn sync_service_over_ext_rrpc() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let (task, p) = start(
        &env,
        DeviceCall::InvokeService { identifier: "Add".into(), params: json!({"a": 2, "b": 3}) },
        Via::Auto,
        "/ext/rrpc/".into(),
    )
    .await;
    let id = p.json()["id"].as_str().unwrap().to_string();
    assert_eq!(p.topic, format!("/ext/rrpc/{id}/sys/{PK}/{DN}/thing/service/Add"));
    // The device answers on the same topic.
    env.up(&p.topic, &format!(r#"{{"id":"{id}","code":200,"data":{{"sum":5}}}}"#)).await;
    let r = task.await.unwrap().unwrap();
    assert_eq!(r.data, json!({"sum": 5}));
    let logs = env.logs(PK, DN, 4).await;
    assert!(logs.iter().any(|l| l.biz_type == BizType::ThingModel && l.status == 200 && l.content.contains("output")));
}

#[tokio::test]
async fn sync_service_over_classic_rrpc_explicit_and_for_c3() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let (task, p) = start(
        &env,
        DeviceCall::InvokeService { identifier: "Add".into(), params: json!({"a": 1, "b": 1}) },
        Via::ClassicRrpc,
        format!("/sys/{PK}/{DN}/rrpc/request/"),
    )
    .await;
    let msg = p.topic.rsplit('/').next().unwrap().to_string();
    assert!(digits(&msg));
    env.up(&topic(&format!("rrpc/response/{msg}")), &format!(r#"{{"id":"{msg}","code":200,"data":{{"sum":2}}}}"#))
        .await;
    assert_eq!(task.await.unwrap().unwrap().data, json!({"sum": 2}));

    // A C3 device gets classic RRPC on Auto.
    let id = env.device_id(PK, DN).await;
    store::devices::mark_online(env.db(), id, None, Some("sdk-c-3.0.1"), T0).await.unwrap();
    env.downlink().clear();
    let (task, p) = start(
        &env,
        DeviceCall::InvokeService { identifier: "Add".into(), params: json!({"a": 1, "b": 2}) },
        Via::Auto,
        format!("/sys/{PK}/{DN}/rrpc/request/"),
    )
    .await;
    let msg = p.topic.rsplit('/').next().unwrap().to_string();
    env.up(&topic(&format!("rrpc/response/{msg}")), &format!(r#"{{"id":"{msg}","code":200,"data":{{"sum":3}}}}"#))
        .await;
    assert_eq!(task.await.unwrap().unwrap().data, json!({"sum": 3}));
}

#[tokio::test]
async fn custom_rrpc_returns_the_raw_answer() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let c = env.router().commands();
    let task = tokio::spawn(async move { c.rrpc_custom(&dev(), "cmd", Bytes::from_static(b"ping"), T).await });
    let p = env.downlink().wait_for(|p| p.topic.starts_with("/ext/rrpc/")).await;
    assert!(p.topic.ends_with(&format!("/{PK}/{DN}/user/cmd")));
    assert_eq!(&p.payload[..], b"ping");
    env.router().dispatch(env.uplink_from(PK, DN, &p.topic, Bytes::from_static(b"pong\xff"))).await;
    assert_eq!(&task.await.unwrap().unwrap()[..], b"pong\xff");
}

#[tokio::test]
async fn timeout_is_1905_and_a_late_reply_is_logged_in_the_calls_trace() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let c = env.router().commands();
    let reboot = DeviceCall::InvokeService { identifier: "Reboot".into(), params: json!({"delay": 1}) };
    let call = tokio::spawn(async move { c.call(&dev(), reboot, Duration::from_secs(5)).await });
    // The timeout runs on the injected clock: not a millisecond early, and without waiting 5 s.
    env.clock().wait_for_sleepers(1).await;
    env.clock().advance_ms(4_999);
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    assert!(!call.is_finished(), "no timeout before its deadline");
    env.clock().advance_ms(1);
    let e = call.await.unwrap().unwrap_err();
    assert_eq!((e.clone(), e.code()), (CallError::Timeout, 1905));
    let id = env.downlink().only().json()["id"].as_str().unwrap().to_string();
    env.up(&topic("thing/service/Reboot_reply"), &format!(r#"{{"id":"{id}","code":200,"data":{{}}}}"#)).await;
    let logs = env.logs(PK, DN, 5).await;
    let timed_out = logs.iter().find(|l| l.biz_type == BizType::Downlink && l.status == 1905).expect("the timeout");
    // The reply nobody waits for any more is still the call's: same trace, with its code.
    let late = logs.iter().find(|l| l.biz_type == BizType::Uplink && l.operation.ends_with("Reboot_reply")).unwrap();
    assert_eq!((&late.trace_id, late.status), (&timed_out.trace_id, 200), "{logs:#?}");
    assert!(logs.iter().any(|l| l.biz_type == BizType::ThingModel && l.content.contains("late reply")), "{logs:#?}");
}

#[tokio::test]
async fn offline_disabled_unknown_and_invalid_fail_at_once() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let c = env.router().commands();
    let set = DeviceCall::SetProperties;

    env.downlink().set_online(PK, DN, false);
    let started = std::time::Instant::now();
    let e = c.call(&dev(), set(json!({"Brightness": 1})), T).await.unwrap_err();
    assert_eq!(e.code(), 9201);
    assert!(started.elapsed() < Duration::from_secs(1), "no waiting for an offline device");
    assert_eq!(
        c.publish(&dev(), &topic("thing/config/push"), Bytes::from_static(b"{}")).await.unwrap_err().code(),
        9201
    );
    assert!(env.downlink().sent().is_empty());
    env.downlink().set_online(PK, DN, true);

    for (req, code) in [
        (set(json!({"Nope": 1})), 5092),
        (set(json!({"Temperature": 1.0})), 6332),
        (set(json!({"Brightness": 500})), 6306),
        (DeviceCall::InvokeService { identifier: "Explode".into(), params: json!({}) }, 5094),
        (DeviceCall::InvokeService { identifier: "Reboot".into(), params: json!({}) }, 6302),
    ] {
        let e = c.call(&dev(), req, T).await.unwrap_err();
        assert_eq!(e.code(), code, "{e}");
    }
    assert!(env.downlink().sent().is_empty(), "invalid requests are not sent");

    assert_eq!(
        c.call(&DeviceRef::new(PK, "ghost"), set(json!({"Brightness": 1})), T).await.unwrap_err(),
        CallError::NotFound
    );
    let id = env.device_id(PK, DN).await;
    store::devices::set_enabled(env.db(), id, false).await.unwrap();
    assert_eq!(c.call(&dev(), set(json!({"Brightness": 1})), T).await.unwrap_err().code(), 6208);

    let logs = env.logs(PK, DN, 8).await;
    assert!(logs.iter().any(|l| l.biz_type == BizType::Downlink && l.status == 9201));
}

#[tokio::test]
async fn publish_is_logged_with_its_id_and_ids_are_digits() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let c = env.router().commands();
    let a = c.next_id();
    let b = c.next_id();
    assert!(digits(&a) && digits(&b) && a != b);
    let req = Request::new(c.next_id(), "thing.config.push", json!({"configId": "x"}));
    c.publish(&dev(), &topic("thing/config/push"), Bytes::from(req.to_json())).await.unwrap();
    let p = env.downlink().only();
    assert_eq!((p.topic.clone(), p.json()["id"].clone()), (topic("thing/config/push"), json!(req.id.clone())));
    let logs = env.logs(PK, DN, 1).await;
    assert_eq!((logs[0].biz_type, logs[0].status, logs[0].message_id.clone()), (BizType::Downlink, 200, Some(req.id)));
}
