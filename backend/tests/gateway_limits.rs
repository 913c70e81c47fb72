//! Per-device rate limits on the real broker, with an injected clock: time only moves when the
//! test says so, so the windows are exact and nothing sleeps.

mod gateway_support;

use std::sync::Arc;

use backend::clock::FakeClock;
use backend::config::DeviceLimits;
use backend::gateway::limits::device_events;
use backend::gateway::DownlinkError;
use bytes::Bytes;
use gateway_support::*;
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::DeviceStatus;
use model::runlog::BizType;
use rumqttc::{ConnectReturnCode, QoS};

async fn limited() -> (Env, FakeClock) {
    let clock = FakeClock::new(1_700_000_000_000);
    let limits = DeviceLimits { connects_per_minute: 2, uplink_qps: 3, downlink_qps: 2, ..Default::default() };
    let env = start_with(|s| s.limits = limits, Arc::new(clock.clone())).await;
    (env, clock)
}

async fn wait_events(env: &Env, pk: &str, dn: &str, name: &str) -> usize {
    let end = tokio::time::Instant::now() + DEADLINE;
    loop {
        let n = device_events(&env.run.state.db, pk, dn).await.unwrap().iter().filter(|e| e.name == name).count();
        if n > 0 {
            return n;
        }
        assert!(tokio::time::Instant::now() < end, "no {name} event");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn connects_per_minute() {
    let (env, clock) = limited().await;
    let pk = "a1LimitConnect";
    env.product(pk, false).await;
    let secret = env.device(pk, "dev1").await;
    let creds = device_credentials(Sdk::C4, pk, "dev1", &secret, C_SDK_TIMESTAMP);
    for _ in 0..2 {
        let (c, ev) = handshake(&env, &creds, 30).await.expect("within the limit");
        drop((c, ev));
        // The broker answers a reconnect with the same clientId "unavailable" while it is still
        // closing the old session: wait until the device is offline (only connects count here).
        env.wait_device(pk, "dev1", "offline", |r| r.device.status == DeviceStatus::Offline).await;
    }
    assert_eq!(handshake(&env, &creds, 30).await.err(), Some(ConnectReturnCode::NotAuthorized));
    env.wait_log(pk, "dev1", "auth", 1942).await;
    assert_eq!(wait_events(&env, pk, "dev1", "Device_Connect_QPM_Limit").await, 1);
    // Still refused in the same minute, but logged only once.
    assert_eq!(handshake(&env, &creds, 30).await.err(), Some(ConnectReturnCode::NotAuthorized));
    assert_eq!(env.log_count(pk, "dev1", BizType::Device, 1942).await, 1);
    clock.advance_ms(60_000);
    handshake(&env, &creds, 30).await.expect("a new minute");
}

#[tokio::test]
async fn uplink_and_downlink_messages_per_second() {
    let (env, clock) = limited().await;
    let pk = "a1LimitMsgs";
    env.product(pk, false).await;
    let secret = env.device(pk, "dev1").await;
    let d = connect(&env, &device_credentials(Sdk::C4, pk, "dev1", &secret, C_SDK_TIMESTAMP)).await.unwrap();

    let post = format!("/sys/{pk}/dev1/thing/event/property/post");
    for i in 0..5 {
        d.publish(&post, &format!(r#"{{"id":"{i}","version":"1.0","params":{{}}}}"#), QoS::AtMostOnce).await;
    }
    env.wait_log(pk, "dev1", "limit", 9324).await;
    wait_events(&env, pk, "dev1", "Device_Uplink_QPS_Limit").await;
    assert_eq!(env.log_count(pk, "dev1", BizType::Uplink, 9324).await, 1, "one entry per window");

    // Another device for downlinks: the router answers dev1's posts, which spends dev1's budget.
    let secret = env.device(pk, "dev2").await;
    let mut d = connect(&env, &device_credentials(Sdk::C4, pk, "dev2", &secret, C_SDK_TIMESTAMP)).await.unwrap();
    let topic = format!("/sys/{pk}/dev2/thing/service/Reboot");
    for _ in 0..2 {
        env.run.downlink.publish(pk, "dev2", &topic, Bytes::from_static(b"{}"), 0).await.unwrap();
        d.next_message().await;
    }
    let err = env.run.downlink.publish(pk, "dev2", &topic, Bytes::from_static(b"{}"), 0).await.unwrap_err();
    assert_eq!(err, DownlinkError::Throttled);
    wait_events(&env, pk, "dev2", "Device_Downlink_QPS_Limit").await;
    let entry = env.wait_log(pk, "dev2", "limit", 9324).await;
    assert_eq!(entry.biz_type, BizType::Downlink);
    clock.advance_ms(1_000);
    env.run.downlink.publish(pk, "dev2", &topic, Bytes::from_static(b"after"), 0).await.unwrap();
    assert_eq!(&d.next_message().await.payload[..], b"after");
}
