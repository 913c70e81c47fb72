//! The router's device → platform paths, driven with `Router::dispatch` over a temp SQLite and
//! a recording fake downlink.

use backend::store::sql;
use backend::store::{self, device_state};
use model::runlog::BizType;
use model::ws::{Direction, LiveEvent};
use serde_json::{json, Value};
use testkit::registry::*;
use testkit::{Published, TestApp, T0};

fn reply_of(p: &Published) -> Value {
    let v = p.json();
    for k in ["id", "code", "data", "message", "version", "method"] {
        assert!(v.get(k).is_some(), "reply lacks {k}: {v}");
    }
    v
}

#[tokio::test]
async fn property_post_ok_stores_replies_logs_and_goes_live() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let mut live = env.state().bus().subscribe();
    env.up(
        &topic("thing/event/property/post"),
        r#"{"id":"1","version":"1.0","params":{"LightSwitch":0,"Brightness":30},"method":"thing.event.property.post"}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!(p.topic, topic("thing/event/property/post_reply"));
    assert_eq!((p.pk.as_str(), p.dn.as_str()), (PK, DN));
    let v = reply_of(&p);
    assert_eq!(
        v,
        json!({"code":200,"data":{},"id":"1","message":"success","version":"1.0","method":"thing.event.property.post"})
    );

    env.hub().flush().await;
    let id = env.device_id(PK, DN).await;
    let latest = store::properties::latest(env.db(), id).await.unwrap();
    assert_eq!(latest.len(), 2);
    assert_eq!(latest.iter().find(|p| p.identifier == "Brightness").unwrap().value, json!(30));
    assert_eq!(latest[0].time, T0, "no device time: the receive time");

    let mut saw = (false, false, false);
    while let Ok(ev) = live.try_recv() {
        match &*ev {
            LiveEvent::Properties { values, .. } => saw.0 = values.len() == 2,
            LiveEvent::Message { direction: Direction::Up, .. } => saw.1 = true,
            LiveEvent::Message { direction: Direction::Down, .. } => saw.2 = true,
            _ => {}
        }
    }
    assert_eq!(saw, (true, true, true));

    let logs = env.logs(PK, DN, 3).await;
    let up = logs.iter().find(|l| l.biz_type == BizType::Uplink).unwrap();
    assert_eq!(
        (up.operation.as_str(), up.status, up.message_id.as_deref()),
        (topic("thing/event/property/post").as_str(), 200, Some("1"))
    );
    let check = logs.iter().find(|l| l.biz_type == BizType::ThingModel).unwrap();
    assert_eq!((check.operation.as_str(), check.status), ("check", 200));
    let down = logs.iter().find(|l| l.biz_type == BizType::Downlink).unwrap();
    assert_eq!(down.operation, topic("thing/event/property/post_reply"));
    assert!(logs.iter().all(|l| l.trace_id == up.trace_id), "one flow, one trace");
}

#[tokio::test]
async fn property_post_c4_without_method_and_with_time() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.up(
        &topic("thing/event/property/post"),
        r#"{"id":"5","version":"1.0","params":{"Brightness":{"value":70,"time":1600000000000}},"sys":{"ack":1}}"#,
    )
    .await;
    let v = reply_of(&env.downlink().only());
    assert_eq!((v["code"].clone(), v["method"].clone()), (json!(200), json!("thing.event.property.post")));
    env.hub().flush().await;
    let latest = store::properties::latest(env.db(), env.device_id(PK, DN).await).await.unwrap();
    assert_eq!((latest[0].value.clone(), latest[0].time), (json!(70), 1600000000000));
}

#[tokio::test]
async fn property_post_too_many_is_6106_and_stores_nothing() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let params: serde_json::Map<String, Value> = (0..201).map(|i| (format!("p{i}"), json!(1))).collect();
    let payload = json!({"id":"2","version":"1.0","params":params,"method":"thing.event.property.post"}).to_string();
    env.up(&topic("thing/event/property/post"), &payload).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(6106));
    env.hub().flush().await;
    assert!(store::properties::latest(env.db(), env.device_id(PK, DN).await).await.unwrap().is_empty());
    let logs = env.logs(PK, DN, 3).await;
    assert!(logs.iter().any(|l| l.biz_type == BizType::Uplink && l.status == 6106));
}

#[tokio::test]
async fn property_post_unknown_is_6320_and_keeps_the_good_ones() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.up(
        &topic("thing/event/property/post"),
        r#"{"id":"3","params":{"Nope":1,"Brightness":5},"method":"thing.event.property.post"}"#,
    )
    .await;
    let v = reply_of(&env.downlink().only());
    assert_eq!(v["code"], json!(6320));
    assert_eq!(v["id"], json!("3"));
    env.hub().flush().await;
    let latest = store::properties::latest(env.db(), env.device_id(PK, DN).await).await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].identifier, "Brightness");
}

#[tokio::test]
async fn property_post_type_errors_carry_their_codes() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    for (params, code) in [
        (json!({"Brightness": 101}), 6306),
        (json!({"Brightness": "30"}), 6306),
        (json!({"LightSwitch": 2}), 6308),
        (json!({"Temperature": "hot"}), 6307),
        (json!({"Label": "x".repeat(17)}), 6310),
        (json!({"Brightness": {"value": 1, "time": "yesterday"}}), 6311),
    ] {
        env.downlink().clear();
        env.up(&topic("thing/event/property/post"), &json!({"id":"4","params":params}).to_string()).await;
        assert_eq!(reply_of(&env.downlink().only())["code"], json!(code), "{params}");
    }
    // Params of the wrong shape: a format error, answered.
    env.downlink().clear();
    env.up(&topic("thing/event/property/post"), r#"{"id":"4","params":[1,2]}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(6207));
}

#[tokio::test]
async fn ack_zero_means_no_reply_but_a_log() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.up(
        &topic("thing/event/property/post"),
        r#"{"id":"6","version":"1.0","params":{"Brightness":1},"sys":{"ack":0}}"#,
    )
    .await;
    assert!(env.downlink().sent().is_empty());
    let logs = env.logs(PK, DN, 2).await;
    assert!(logs.iter().any(|l| l.biz_type == BizType::Uplink && l.status == 200));
    assert!(!logs.iter().any(|l| l.biz_type == BizType::Downlink));
}

#[tokio::test]
async fn batch_post_properties_and_events() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let payload = json!({"id":"8","version":"1.0","sys":{"ack":1},"params":{
        "properties":{"Brightness":[{"value":10,"time":1600000000000u64},{"value":20,"time":1600000001000u64}],"LightSwitch":[{"value":1,"time":1600000000000u64}]},
        "events":{"Alarm":[{"value":{"ErrorCode":3},"time":1600000000500u64}]}
    }});
    env.up(&topic("thing/event/property/batch/post"), &payload.to_string()).await;
    let p = env.downlink().only();
    assert_eq!(p.topic, topic("thing/event/property/batch/post_reply"));
    let v = reply_of(&p);
    assert_eq!((v["code"].clone(), v["method"].clone()), (json!(200), json!("thing.event.property.batch.post")));
    env.hub().flush().await;
    let id = env.device_id(PK, DN).await;
    let latest = store::properties::latest(env.db(), id).await.unwrap();
    let b = latest.iter().find(|p| p.identifier == "Brightness").unwrap();
    assert_eq!((b.value.clone(), b.time), (json!(20), 1600000001000));
    let hist = store::properties::history(env.db(), id, "Brightness", 0, i64::MAX, 10).await.unwrap();
    assert_eq!(hist.len(), 2);
    let events: i64 = env
        .db()
        .scalar(sql("SELECT COUNT(*) FROM device_events WHERE device_id = $1 AND identifier = 'Alarm'").bind(id))
        .await
        .unwrap();
    assert_eq!(events, 1);

    // A bad sample: its code, the good ones kept.
    env.downlink().clear();
    env.up(
        &topic("thing/event/property/batch/post"),
        r#"{"id":"9","params":{"properties":{"Brightness":[{"value":500}],"LightSwitch":[{"value":0}]}}}"#,
    )
    .await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(6306));
    env.downlink().clear();
    env.up(&topic("thing/event/property/batch/post"), r#"{"id":"10","params":{"properties":5}}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(6207));
}

#[tokio::test]
async fn event_post_ok_and_unknown_5096() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.up(
        &topic("thing/event/Alarm/post"),
        r#"{"id":"2","version":"1.0","params":{"value":{"ErrorCode":3}},"method":"thing.event.Alarm.post"}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!(p.topic, topic("thing/event/Alarm/post_reply"));
    assert_eq!(reply_of(&p)["code"], json!(200));
    let id = env.device_id(PK, DN).await;
    let row = env
        .db()
        .fetch_one(sql("SELECT event_type, params FROM device_events WHERE device_id = $1").bind(id))
        .await
        .unwrap();
    let (kind, params): (String, String) = (row.get("event_type").unwrap(), row.get("params").unwrap());
    assert_eq!(kind, "alert");
    assert_eq!(serde_json::from_str::<Value>(&params).unwrap(), json!({"ErrorCode":3}));

    env.downlink().clear();
    env.up(&topic("thing/event/Nope/post"), r#"{"id":"3","params":{"value":{}}}"#).await;
    let p = env.downlink().only();
    assert_eq!(p.topic, topic("thing/event/Nope/post_reply"));
    assert_eq!(reply_of(&p)["code"], json!(5096));
    env.downlink().clear();
    env.up(&topic("thing/event/Alarm/post"), r#"{"id":"4","params":{"value":{"ErrorCode":99}}}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(6306));
}

#[tokio::test]
async fn deviceinfo_update_and_delete_tags() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.up(
        &topic("thing/deviceinfo/update"),
        r#"{"id":"3","version":"1.0","params":[{"attrKey":"location","attrValue":"lab-3"},{"attrKey":"SYS_SDK_LANGUAGE","attrValue":"C"}],"method":"thing.deviceinfo.update"}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!(p.topic, topic("thing/deviceinfo/update_reply"));
    assert_eq!(reply_of(&p)["code"], json!(200));
    let d = store::devices::get(env.db(), PK, DN).await.unwrap().unwrap();
    assert_eq!(d.device.tags.len(), 2);
    env.downlink().clear();
    env.up(&topic("thing/deviceinfo/delete"), r#"{"id":"4","params":[{"attrKey":"location"}]}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(200));
    let d = store::devices::get(env.db(), PK, DN).await.unwrap().unwrap();
    assert_eq!(d.device.tags.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(), vec!["SYS_SDK_LANGUAGE"]);
    env.downlink().clear();
    env.up(&topic("thing/deviceinfo/update"), r#"{"id":"5","params":{"attrKey":"x"}}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(460));
}

#[tokio::test]
async fn ntp_echoes_device_send_time() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.clock().advance_ms(5);
    env.up_from(PK, DN, &format!("/ext/ntp/{PK}/{DN}/request"), r#"{"deviceSendTime":"1234"}"#).await;
    let p = env.downlink().only();
    assert_eq!(p.topic, format!("/ext/ntp/{PK}/{DN}/response"));
    let now = (T0 + 5).to_string();
    assert_eq!(p.json(), json!({"deviceSendTime":"1234","serverRecvTime":now,"serverSendTime":now}));
    env.downlink().clear();
    env.up_from(PK, DN, &format!("/ext/ntp/{PK}/{DN}/request"), r#"{"deviceSendTime":98765}"#).await;
    assert_eq!(env.downlink().only().json()["deviceSendTime"], json!(98765), "C3 uptime echoed as it came");
    env.downlink().clear();
    env.up_from(PK, DN, &format!("/ext/ntp/{PK}/{DN}/request"), "nope").await;
    assert!(env.downlink().sent().is_empty());
    let logs = env.logs(PK, DN, 5).await;
    assert!(logs.iter().any(|l| l.status == 6207));
}

#[tokio::test]
async fn shadow_update_get_and_conflict() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let up = format!("/shadow/update/{PK}/{DN}");
    let get = format!("/shadow/get/{PK}/{DN}");
    env.up(&up, r#"{"state":{"reported":{"color":"red"}},"method":"update","version":6}"#).await;
    let p = env.downlink().only();
    assert_eq!(p.topic, get);
    let v = p.json();
    assert_eq!((v["method"].clone(), v["payload"].clone()), (json!("reply"), json!({"status":"success","version":6})));
    env.downlink().clear();
    env.up(&up, r#"{"method":"get"}"#).await;
    let v = env.downlink().only().json();
    assert_eq!(v["payload"]["state"]["reported"], json!({"color":"red"}));
    assert_eq!(v["version"], json!(6));
    assert!(v["payload"]["metadata"]["reported"]["color"]["timestamp"].is_u64());
    env.downlink().clear();
    env.up(&up, r#"{"state":{"reported":{"color":"blue"}},"method":"update","version":6}"#).await;
    let v = env.downlink().only().json();
    assert_eq!(
        (v["payload"]["status"].clone(), v["payload"]["content"]["errorcode"].clone()),
        (json!("error"), json!("409"))
    );
    env.downlink().clear();
    env.up(&up, r#"{"method":"explode"}"#).await;
    assert_eq!(env.downlink().only().json()["payload"]["content"]["errorcode"], json!("406"));
    env.downlink().clear();
    env.up(&up, r#"{"state":{"reported":{"color":"null"}},"method":"update"}"#).await;
    assert_eq!(env.downlink().only().json()["payload"]["version"], json!(7));
    let s = device_state::get_shadow(env.db(), env.device_id(PK, DN).await).await.unwrap();
    assert!(s.reported.is_empty());
}

#[tokio::test]
async fn desired_get_and_delete() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let id = env.device_id(PK, DN).await;
    device_state::set_desired(env.db(), id, "LightSwitch", &json!(1), T0).await.unwrap();
    let v3 = device_state::set_desired(env.db(), id, "LightSwitch", &json!(1), T0).await.unwrap();
    device_state::set_desired(env.db(), id, "Brightness", &json!(50), T0).await.unwrap();
    env.up(
        &topic("thing/property/desired/get"),
        r#"{"id":"7","version":"1.0","params":["LightSwitch"],"sys":{"ack":1}}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!(p.topic, topic("thing/property/desired/get_reply"));
    let v = reply_of(&p);
    assert_eq!(v["data"], json!({"LightSwitch":{"value":1,"version":v3}}));
    assert_eq!(v["method"], json!("thing.property.desired.get"));
    env.downlink().clear();
    env.up(&topic("thing/property/desired/get"), r#"{"id":"8","params":[]}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["data"].as_object().unwrap().len(), 2);
    // An old version does not delete a newer value; the current one does.
    env.downlink().clear();
    env.up(
        &topic("thing/property/desired/delete"),
        r#"{"id":"9","params":{"LightSwitch":{"version":1},"Brightness":{}}}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!(
        (p.topic.clone(), reply_of(&p)["code"].clone()),
        (topic("thing/property/desired/delete_reply"), json!(200))
    );
    let left = device_state::get_desired(env.db(), id, &[]).await.unwrap();
    assert_eq!(left.iter().map(|d| d.identifier.as_str()).collect::<Vec<_>>(), vec!["LightSwitch"]);
    env.downlink().clear();
    env.up(
        &topic("thing/property/desired/delete"),
        &format!(r#"{{"id":"10","params":{{"LightSwitch":{{"version":{v3}}}}}}}"#),
    )
    .await;
    assert!(device_state::get_desired(env.db(), id, &[]).await.unwrap().is_empty());
    env.downlink().clear();
    env.up(&topic("thing/property/desired/get"), r#"{"id":"11","params":{"x":1}}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(460));
}

#[tokio::test]
async fn diag_post_stores_network_status() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.up(
        &topic("_thing/diag/post"),
        r#"{"id":"12","version":"1.0","params":{"p":{"wifi":{"rssi":-61,"snr":22,"per":1,"err_stats":"1,2,3"},"_time":1699999999000},"model":"format=simple|quantity=single|time=now"}}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!((p.topic.clone(), reply_of(&p)["code"].clone()), (topic("_thing/diag/post_reply"), json!(200)));
    let s = device_state::network_status(env.db(), env.device_id(PK, DN).await, 10).await.unwrap();
    assert_eq!((s[0].rssi, s[0].snr, s[0].per, s[0].time), (Some(-61.0), Some(22.0), Some(1.0), 1699999999000));
    assert_eq!(s[0].err_stats.as_deref(), Some("1,2,3"));
    env.downlink().clear();
    env.up(&topic("_thing/diag/post"), r#"{"id":"13","params":{"model":"x"}}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(460));
}

#[tokio::test]
async fn log_post_and_log_switch() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let id = env.device_id(PK, DN).await;
    env.up(
        &topic("thing/config/log/get"),
        r#"{"id":"14","version":"1.0","params":{"getType":"content","configScope":"device"}}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!(p.topic, topic("thing/config/log/get_reply"));
    assert_eq!(reply_of(&p)["data"]["content"]["mode"], json!(0), "off by default");

    // The console turns it on: stored and pushed.
    env.downlink().clear();
    env.router().commands().set_log_switch(&model::alink::DeviceRef::new(PK, DN), true).await.unwrap();
    let push = env.downlink().only();
    assert_eq!(push.topic, topic("thing/config/log/push"));
    assert_eq!(push.json()["params"]["content"]["mode"], json!(1));
    assert!(push.json()["id"].as_str().unwrap().bytes().all(|b| b.is_ascii_digit()));
    env.downlink().clear();
    env.up(&topic("thing/config/log/get"), r#"{"id":"15","params":{}}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["data"]["content"]["mode"], json!(1));

    env.downlink().clear();
    env.up(
        &topic("thing/log/post"),
        r#"{"id":"16","version":"1.0","params":[{"utcTime":"2024-01-01T00:00:00.000Z","logLevel":"ERROR","module":"net","code":"42","traceContext":"t","logContent":"link down"}]}"#,
    )
    .await;
    let p = env.downlink().only();
    assert_eq!((p.topic.clone(), reply_of(&p)["code"].clone()), (topic("thing/log/post_reply"), json!(200)));
    let logs = device_state::logs(env.db(), id, 10).await.unwrap();
    assert_eq!((logs[0].log_level.as_str(), logs[0].content.as_str()), ("ERROR", "link down"));
    env.downlink().clear();
    env.up(&topic("thing/log/post"), r#"{"id":"17","params":{"not":"a list"}}"#).await;
    assert_eq!(reply_of(&env.downlink().only())["code"], json!(460));
}

#[tokio::test]
async fn custom_topic_is_logged_and_live_raw_is_6200() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let mut live = env.state().bus().subscribe();
    env.up(&format!("/{PK}/{DN}/user/telemetry/raw"), "any bytes ✓").await;
    assert!(env.downlink().sent().is_empty());
    let logs = env.logs(PK, DN, 1).await;
    assert_eq!(
        (logs[0].operation.clone(), logs[0].status, logs[0].content.clone()),
        (format!("/{PK}/{DN}/user/telemetry/raw"), 200, "any bytes ✓".into())
    );
    assert!(matches!(live.try_recv().as_deref(), Ok(LiveEvent::Message { direction: Direction::Up, .. })));

    env.router().dispatch(env.uplink_from(PK, DN, &topic("thing/model/up_raw"), vec![0x01u8, 0xff, 0x00])).await;
    assert!(env.downlink().sent().is_empty());
    let logs = env.logs(PK, DN, 3).await;
    let raw = logs.iter().find(|l| l.operation.ends_with("up_raw") && l.biz_type == BizType::Uplink).unwrap();
    assert_eq!(raw.status, 6200);
    assert!(raw.content.starts_with("base64:"));
}

#[tokio::test]
async fn malformed_and_refused_messages_are_logged_not_fatal() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    // Not JSON, id salvageable: a 6207 reply.
    env.up(&topic("thing/event/property/post"), r#"{"id":"21","params":5,"method":7}"#).await;
    let v = reply_of(&env.downlink().only());
    assert_eq!((v["code"].clone(), v["id"].clone()), (json!(6207), json!("21")));
    // No id: nobody to answer, logged.
    env.downlink().clear();
    env.up(&topic("thing/event/property/post"), "\u{1F600} not json").await;
    assert!(env.downlink().sent().is_empty());
    // A platform→device topic published by the device: refused, logged.
    env.up(&topic("thing/service/property/set"), r#"{"id":"22","params":{}}"#).await;
    // Unknown topic and a huge payload.
    env.up("/nope/x", "{}").await;
    env.router().dispatch(env.uplink_from(PK, DN, &topic("thing/event/property/post"), vec![b'{'; 300 * 1024])).await;
    assert!(env.downlink().sent().is_empty());
    let logs = env.logs(PK, DN, 11).await;
    let statuses: Vec<u32> = logs.iter().filter(|l| l.biz_type == BizType::Uplink).map(|l| l.status).collect();
    assert_eq!(statuses, vec![6207, 6207, 460, 460, 6207], "{logs:#?}");
    let huge = logs.iter().rfind(|l| l.biz_type == BizType::Uplink).unwrap();
    assert!(huge.content.contains("truncated") && huge.content.len() < 10_000);
}

#[tokio::test]
async fn tsl_change_is_seen_after_invalidation() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.up(&topic("thing/event/property/post"), r#"{"id":"1","params":{"Humidity":5}}"#).await;
    assert_eq!(env.downlink().only().json()["code"], json!(6320));
    let m = model(PK).with_property(model::tsl::Property::new("Humidity", "H", model::tsl::DataType::int(0, 100)));
    store::products::set_tsl(env.db(), PK, &serde_json::to_string(&m).unwrap()).await.unwrap();
    backend::gateway::router::invalidate_product(PK);
    env.downlink().clear();
    env.up(&topic("thing/event/property/post"), r#"{"id":"2","params":{"Humidity":5}}"#).await;
    assert_eq!(env.downlink().only().json()["code"], json!(200));
}

#[tokio::test]
async fn spawned_router_handles_the_channel_in_order_and_drains_on_close() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let st = env.state();
    let handle =
        backend::gateway::router::spawn(st.db.clone(), st.clock.clone(), env.hub().clone(), env.downlink().clone(), rx);
    for i in 1..=20 {
        let payload = format!(r#"{{"id":"{i}","params":{{"Brightness":{i}}}}}"#);
        tx.send(env.uplink_from(PK, DN, &topic("thing/event/property/post"), payload)).await.unwrap();
    }
    drop(tx);
    handle.closed().await;
    env.hub().flush().await;
    let ids: Vec<Value> = env.downlink().sent().iter().map(|p| p.json()["id"].clone()).collect();
    assert_eq!(
        ids,
        (1..=20).map(|i| json!(i.to_string())).collect::<Vec<_>>(),
        "one device's messages keep their order"
    );
    let latest = store::properties::latest(env.db(), env.device_id(PK, DN).await).await.unwrap();
    assert_eq!(latest[0].value, json!(20));
}
