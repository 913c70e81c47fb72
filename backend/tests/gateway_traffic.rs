//! Device traffic through the embedded broker: ACL, server-side subscriptions, no echo,
//! sub-devices through a gateway, takeover, disconnect reasons, and cutting a device off.

use bytes::Bytes;
use devclient::{Behaviour, Client, ConnackCode, ConnectOptions, QoS, SubscribeReasonCode};
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::DeviceStatus;
use model::ws::LiveEvent;
use testkit::{eventually, options, Inbox, Role, TestApp, DEADLINE};

async fn start() -> TestApp {
    TestApp::builder().gateway().build().await
}

async fn device(app: &TestApp, pk: &str, dn: &str) -> Client {
    let secret = app.device(pk, dn).await;
    let d = app.connect(&device_credentials(Sdk::C4, pk, dn, &secret, C_SDK_TIMESTAMP)).await.unwrap();
    app.wait_device(pk, dn, "online", |r| r.device.status == DeviceStatus::Online).await;
    d
}

/// SUBSCRIBE one filter: whether the SUBACK grants it.
async fn suback(d: &Client, filter: &str) -> bool {
    let codes = tokio::time::timeout(DEADLINE, d.subscribe(filter, QoS::AtMostOnce)).await.expect("no SUBACK in time");
    matches!(codes.unwrap()[..], [SubscribeReasonCode::Success(_)])
}

/// A QoS 1 publish the broker accepts with a PUBACK.
async fn publish_acked(d: &Client, topic: &str, payload: &str) {
    let acked = tokio::time::timeout(DEADLINE, d.publish(topic, QoS::AtLeastOnce, payload.to_string())).await;
    acked.expect("no PUBACK in time").expect("PUBACK");
}

#[tokio::test]
async fn acl_keeps_devices_out_of_each_others_topics() {
    let app = start().await;
    let pk = "a1TrafficAcl";
    app.product(pk, false).await;
    let a = device(&app, pk, "devA").await;
    let _a2 = device(&app, pk, "devA2").await;
    let mut b = device(&app, pk, "devB").await;

    // Publishing as a device whose name extends ours, and into another device's downlink.
    a.publish(&format!("/sys/{pk}/devA2/thing/event/property/post"), QoS::AtMostOnce, "{}").await.unwrap();
    app.wait_log(pk, "devA", "acl", 9236).await;
    a.publish(&format!("/sys/{pk}/devB/thing/service/property/set"), QoS::AtMostOnce, r#"{"spoof":1}"#).await.unwrap();
    eventually(DEADLINE, "the second refusal logged", || async {
        (app.log_count(pk, "devA", model::runlog::BizType::Device, 9236).await >= 2).then_some(())
    })
    .await;
    // devB's first message is ours, not the spoofed one.
    let topic = format!("/sys/{pk}/devB/thing/service/property/set");
    app.running().downlink.publish(pk, "devB", &topic, Bytes::from_static(b"marker"), 0).await.unwrap();
    assert_eq!(&b.next_message().await.payload[..], b"marker");

    assert!(!suback(&a, &format!("/sys/{pk}/devB/thing/service/property/set")).await);
    assert!(!suback(&a, &format!("/sys/{pk}/+/thing/service/+")).await);
    assert!(!suback(&a, "#").await);
    assert!(!suback(&a, &format!("/sys/{pk}/devA2/#")).await);
    assert!(suback(&a, &format!("/sys/{pk}/devA/#")).await, "its own namespace");
    assert!(suback(&b, &format!("/{pk}/devB/user/cmd")).await);
    let refused = app.wait_log(pk, "devA", "acl", 9236).await;
    assert!(refused.content.contains("devA") && refused.content.contains("clientId"), "{}", refused.content);
}

#[tokio::test]
async fn server_side_subscription_delivers_without_subscribe_and_never_echoes() {
    let app = start().await;
    let pk = "a1TrafficSub";
    app.product(pk, false).await;
    let mut d = device(&app, pk, "dev1").await;
    let set = format!("/sys/{pk}/dev1/thing/service/property/set");
    let body = r#"{"id":"1001","version":"1.0","params":{"LightSwitch":1},"method":"thing.service.property.set"}"#;
    app.running().downlink.publish(pk, "dev1", &set, Bytes::from(body), 1).await.unwrap();
    let m = d.next_message().await;
    assert_eq!((m.topic.as_str(), m.qos, &m.payload[..]), (set.as_str(), QoS::AtLeastOnce, body.as_bytes()));

    // A sync-service reply goes out on the request's own topic, which the auto-subscription
    // `/ext/rrpc/+/sys/{pk}/{dn}/thing/service/+` matches: it must not come back.
    let rrpc = format!("/ext/rrpc/777/sys/{pk}/dev1/thing/service/Add");
    publish_acked(&d, &rrpc, r#"{"id":"1003","code":200,"data":{"sum":5}}"#).await;
    let marker = format!("/sys/{pk}/dev1/thing/service/Reboot");
    app.running().downlink.publish(pk, "dev1", &marker, Bytes::from_static(b"next"), 0).await.unwrap();
    let m = d.next_message().await;
    assert_eq!(m.topic, marker, "the device's own publication was echoed back");

    let err = app.running().downlink.publish(pk, "nobody", &set, Bytes::new(), 0).await.unwrap_err();
    assert_eq!(err, backend::gateway::DownlinkError::Offline);
    assert!(app.running().downlink.is_online(pk, "dev1"));
    assert!(!app.running().downlink.is_online(pk, "nobody"));
}

#[tokio::test]
async fn a_gateway_acts_for_attached_sub_devices_only() {
    let app = start().await;
    let (gpk, spk) = ("a1TrafficGw", "a1TrafficSubs");
    app.product(gpk, false).await;
    app.product(spk, false).await;
    let sub1_secret = app.device(spk, "sub1").await;
    app.device(spk, "sub2").await;
    let gw_secret = app.device(gpk, "gw1").await;
    let db = app.db();
    let gw_id = app.record(gpk, "gw1").await.unwrap().id;
    let sub1_id = app.record(spk, "sub1").await.unwrap().id;
    backend::store::devices::set_gateway(db, sub1_id, Some(gw_id)).await.unwrap();

    let mut gw = app.connect(&device_credentials(Sdk::Python, gpk, "gw1", &gw_secret, 1_700_000_000)).await.unwrap();
    app.wait_device(gpk, "gw1", "online", |r| r.device.status == DeviceStatus::Online).await;
    assert!(suback(&gw, &format!("/sys/{spk}/sub1/thing/service/property/set")).await);
    assert!(!suback(&gw, &format!("/sys/{spk}/sub2/thing/service/property/set")).await);
    assert!(!suback(&gw, &format!("/sys/{spk}/+/thing/service/property/set")).await);

    // A downlink for the sub-device reaches the gateway's session.
    assert!(app.running().downlink.is_online(spk, "sub1"));
    let topic = format!("/sys/{spk}/sub1/thing/service/Reboot");
    app.running().downlink.publish(spk, "sub1", &topic, Bytes::from_static(b"{}"), 0).await.unwrap();
    assert_eq!(gw.next_message().await.topic, topic);

    // The sub-device also holds a connection of its own: what the gateway publishes for it is
    // not routed to that connection (the broker holds no subscription for device sessions).
    let mut sub1 =
        app.connect(&device_credentials(Sdk::Python, spk, "sub1", &sub1_secret, 1_700_000_000)).await.unwrap();
    app.wait_device(spk, "sub1", "online", |r| r.device.status == DeviceStatus::Online).await;
    let post = format!("/sys/{spk}/sub1/thing/event/property/post");
    publish_acked(&gw, &post, r#"{"id":"1","params":{}}"#).await;
    app.wait_log(spk, "sub1", &post, 520).await;
    let marker = format!("/sys/{spk}/sub1/thing/service/property/set");
    app.running().downlink.publish(spk, "sub1", &marker, Bytes::from_static(b"{}"), 1).await.unwrap();
    assert_eq!(sub1.next_message().await.topic, marker, "the gateway's publication reached the sub-device");
    sub1.disconnect().await;
    app.wait_device(spk, "sub1", "offline", |r| r.device.status == DeviceStatus::Offline).await;

    // Topo delete: the router detaches and refreshes; the gateway loses the right at once.
    backend::store::devices::set_gateway(db, sub1_id, None).await.unwrap();
    app.running().gateway.refresh_topo(gpk, "gw1").await.unwrap();
    assert!(!suback(&gw, &format!("/sys/{spk}/sub1/thing/service/property/set")).await);
    assert!(!app.running().downlink.is_online(spk, "sub1"));
}

#[tokio::test]
async fn a_second_connection_of_the_same_device_kicks_the_first() {
    let app = start().await;
    let pk = "a1TrafficTakeover";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev1").await;
    let mut first = app.connect(&device_credentials(Sdk::Python, pk, "dev1", &secret, 1_700_000_000)).await.unwrap();
    app.wait_log(pk, "dev1", "online", 200).await;
    // A reconnect carries a new timestamp, i.e. a different MQTT clientId.
    let mut second = app.connect(&device_credentials(Sdk::Python, pk, "dev1", &secret, 1_700_000_060)).await.unwrap();
    first.wait_closed().await;
    app.wait_log(pk, "dev1", "offline", 427).await;
    let rec = app.record(pk, "dev1").await.unwrap();
    assert_eq!(rec.device.status, DeviceStatus::Online, "the newer session keeps the device online");
    let topic = format!("/sys/{pk}/dev1/thing/service/property/set");
    app.running().downlink.publish(pk, "dev1", &topic, Bytes::from_static(b"{}"), 1).await.unwrap();
    assert_eq!(second.next_message().await.topic, topic);
    assert_eq!(app.running().gateway.online_count(), 1);
}

#[tokio::test]
async fn disconnect_reasons_reach_the_store_and_the_bus() {
    let app = start().await;
    let pk = "a1TrafficReasons";
    app.product(pk, false).await;
    let mut bus = app.state().bus().subscribe();

    // Graceful DISCONNECT → 200.
    let d = device(&app, pk, "graceful").await;
    d.disconnect().await;
    let r = app.wait_device(pk, "graceful", "offline", |r| r.device.status == DeviceStatus::Offline).await;
    assert_eq!(r.device.last_disconnect_code, Some(200));

    // TCP closed without DISCONNECT → 1911.
    device(&app, pk, "tcp").await.drop_connection();
    let r = app.wait_device(pk, "tcp", "offline", |r| r.device.status == DeviceStatus::Offline).await;
    assert_eq!(r.device.last_disconnect_code, Some(1911));

    // Silent past the keepalive (2 s, and no PINGREQ) → 1910.
    let secret = app.device(pk, "silent").await;
    let creds = device_credentials(Sdk::C4, pk, "silent", &secret, C_SDK_TIMESTAMP);
    let o = ConnectOptions { keep_alive: 2, ..options(&creds) };
    let _silent = app.connect_with(&o, Behaviour { ping: false, ..Behaviour::default() }).await.unwrap();
    let r = app.wait_device(pk, "silent", "keepalive timeout", |r| r.device.status == DeviceStatus::Offline).await;
    assert_eq!(r.device.last_disconnect_code, Some(1910));
    app.wait_log(pk, "silent", "offline", 1910).await;

    let mut seen = Vec::new();
    while let Ok(e) = bus.try_recv() {
        if let LiveEvent::Status { device_name, status, reason, .. } = &*e {
            seen.push((device_name.clone(), *status, *reason));
        }
    }
    assert!(seen.contains(&("graceful".into(), DeviceStatus::Online, None)), "{seen:?}");
    assert!(seen.contains(&("graceful".into(), DeviceStatus::Offline, Some(200))), "{seen:?}");
    assert!(seen.contains(&("tcp".into(), DeviceStatus::Offline, Some(1911))), "{seen:?}");
}

#[tokio::test]
async fn disabling_a_device_disconnects_it_at_once() {
    let app = start().await;
    let pk = "a1TrafficDisable";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev1").await;
    let creds = device_credentials(Sdk::C4, pk, "dev1", &secret, C_SDK_TIMESTAMP);
    let mut d = app.connect(&creds).await.unwrap();
    app.wait_device(pk, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
    // The console's disable: PATCH as an operator.
    let operator = app.client(Role::Operator).await;
    let body = operator.patch(&format!("/api/v1/devices/{pk}/dev1"), serde_json::json!({"enabled": false})).await.ok();
    assert_eq!(body["status"], "disabled", "{body}");
    d.wait_closed().await;
    let r = app.wait_device(pk, "dev1", "offline code", |r| r.device.last_disconnect_code.is_some()).await;
    assert_eq!((r.device.status, r.device.last_disconnect_code), (DeviceStatus::Disabled, Some(427)));
    assert!(!app.running().downlink.is_online(pk, "dev1"));
    assert_eq!(app.connect(&creds).await.err(), Some(ConnackCode::NotAuthorized));
}

#[tokio::test]
async fn shutdown_closes_sessions_and_flushes_the_run_log() {
    let app = start().await;
    let url = app.state().settings.database_url.clone();
    let pk = "a1TrafficShutdown";
    app.product(pk, false).await;
    let mut d = device(&app, pk, "dev1").await;
    let mqtt = app.mqtt_addr();
    let _dir = tokio::time::timeout(DEADLINE, app.shutdown()).await.expect("shutdown finishes");
    d.wait_closed().await;
    assert!(tokio::net::TcpStream::connect(mqtt).await.is_err(), "the listener is closed");
    let db = backend::store::connect(&url).await.unwrap();
    let rec = backend::store::devices::get(&db, pk, "dev1").await.unwrap().unwrap();
    assert_eq!((rec.device.status, rec.device.last_disconnect_code), (DeviceStatus::Offline, Some(427)));
    let q = model::runlog::LogQuery { product_key: Some(pk.into()), status: Some(427), ..Default::default() };
    let logs = backend::store::runlog::query(&db, &q).await.unwrap();
    assert_eq!(logs.len(), 1, "the offline entry was flushed before the database closed");
}
