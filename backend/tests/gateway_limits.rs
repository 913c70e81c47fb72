//! Per-device rate limits on the real broker, with an injected clock: time only moves when the
//! test says so, so the windows are exact and nothing sleeps.

use backend::clock::FakeClock;
use backend::config::DeviceLimits;
use backend::gateway::limits::device_events;
use backend::gateway::DownlinkError;
use bytes::Bytes;
use devclient::{ConnackCode, QoS};
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::DeviceStatus;
use model::runlog::BizType;
use testkit::{eventually, Inbox, TestApp, DEADLINE, T0};

async fn limited() -> (TestApp, FakeClock) {
    let clock = FakeClock::new(T0);
    let limits = DeviceLimits { connects_per_minute: 2, uplink_qps: 3, downlink_qps: 2, ..Default::default() };
    let app = TestApp::builder().gateway().clock(clock.clone()).settings(move |s| s.limits = limits).build().await;
    (app, clock)
}

async fn wait_events(app: &TestApp, pk: &str, dn: &str, name: &str) -> usize {
    eventually(DEADLINE, &format!("a {name} event"), || async {
        let n = device_events(app.db(), pk, dn).await.unwrap().iter().filter(|e| e.name == name).count();
        (n > 0).then_some(n)
    })
    .await
}

#[tokio::test]
async fn connects_per_minute() {
    let (app, clock) = limited().await;
    let pk = "a1LimitConnect";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev1").await;
    let creds = device_credentials(Sdk::C4, pk, "dev1", &secret, C_SDK_TIMESTAMP);
    for _ in 0..2 {
        // Closed without DISCONNECT as soon as it is accepted.
        drop(app.connect(&creds).await.expect("within the limit"));
        // The broker answers a reconnect with the same clientId "unavailable" while it is still
        // closing the old session: wait until the device is offline (only connects count here).
        app.wait_device(pk, "dev1", "offline", |r| r.device.status == DeviceStatus::Offline).await;
    }
    assert_eq!(app.connect(&creds).await.err(), Some(ConnackCode::NotAuthorized));
    app.wait_log(pk, "dev1", "auth", 1942).await;
    assert_eq!(wait_events(&app, pk, "dev1", "Device_Connect_QPM_Limit").await, 1);
    // Still refused in the same minute, but logged only once.
    assert_eq!(app.connect(&creds).await.err(), Some(ConnackCode::NotAuthorized));
    assert_eq!(app.log_count(pk, "dev1", BizType::Device, 1942).await, 1);
    clock.advance_ms(60_000);
    app.connect(&creds).await.expect("a new minute");
}

#[tokio::test]
async fn uplink_and_downlink_messages_per_second() {
    let (app, clock) = limited().await;
    let pk = "a1LimitMsgs";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev1").await;
    let d = app.connect(&device_credentials(Sdk::C4, pk, "dev1", &secret, C_SDK_TIMESTAMP)).await.unwrap();

    let post = format!("/sys/{pk}/dev1/thing/event/property/post");
    for i in 0..5 {
        d.publish(&post, QoS::AtMostOnce, format!(r#"{{"id":"{i}","version":"1.0","params":{{}}}}"#)).await.unwrap();
    }
    app.wait_log(pk, "dev1", "limit", 9324).await;
    wait_events(&app, pk, "dev1", "Device_Uplink_QPS_Limit").await;
    assert_eq!(app.log_count(pk, "dev1", BizType::Uplink, 9324).await, 1, "one entry per window");

    // Another device for downlinks: the router answers dev1's posts, which spends dev1's budget.
    let secret = app.device(pk, "dev2").await;
    let mut d = app.connect(&device_credentials(Sdk::C4, pk, "dev2", &secret, C_SDK_TIMESTAMP)).await.unwrap();
    let topic = format!("/sys/{pk}/dev2/thing/service/Reboot");
    for _ in 0..2 {
        app.running().downlink.publish(pk, "dev2", &topic, Bytes::from_static(b"{}"), 0).await.unwrap();
        d.next_message().await;
    }
    let err = app.running().downlink.publish(pk, "dev2", &topic, Bytes::from_static(b"{}"), 0).await.unwrap_err();
    assert_eq!(err, DownlinkError::Throttled);
    wait_events(&app, pk, "dev2", "Device_Downlink_QPS_Limit").await;
    let entry = app.wait_log(pk, "dev2", "limit", 9324).await;
    assert_eq!(entry.biz_type, BizType::Downlink);
    clock.advance_ms(1_000);
    app.running().downlink.publish(pk, "dev2", &topic, Bytes::from_static(b"after"), 0).await.unwrap();
    assert_eq!(&d.next_message().await.payload[..], b"after");
}
