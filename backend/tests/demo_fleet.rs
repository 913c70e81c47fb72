//! `serve --demo`: the demo catalogue is topped up and its fleet comes alive — 200 simulated
//! devices online within 30 s reporting telemetry, events and diagnostics, gateways logging in
//! their sub-devices — and it yields a device to a real one that connects with its credentials.

use std::time::Duration;

use backend::demo;
use backend::store;
use model::auth::Role;
use model::registry::DeviceStatus;
use serde_json::Value;
use testkit::wait::eventually;
use testkit::TestApp;

async fn online(app: &TestApp) -> i64 {
    let counts = store::devices::count_by_status(app.db()).await.unwrap();
    counts.iter().find(|(s, _)| s == "online").map_or(0, |(_, n)| *n)
}

#[tokio::test]
async fn two_hundred_demo_devices_come_alive_and_yield_to_a_real_device() {
    let app = TestApp::builder()
        .gateway()
        .settings(|s| {
            s.demo = true;
            s.demo_devices = 200;
        })
        .build()
        .await;
    let total: i64 = store::devices::count_by_status(app.db()).await.unwrap().iter().map(|(_, n)| n).sum();
    assert_eq!(total, 200, "the catalogue is topped up to 200 devices");

    let started = std::time::Instant::now();
    eventually(Duration::from_secs(30), "95 % of 200 online", || async {
        let n = online(&app).await;
        (n >= 190).then_some(n)
    })
    .await;
    eprintln!("190 online after {:?}", started.elapsed());

    // Sub-devices log in through their gateway.
    let plug = eventually(Duration::from_secs(15), "a sub-device online through its gateway", || async {
        let r = app.record(demo::PLUG_PK, &demo::plug_name(1, 1)).await?;
        (r.device.status == DeviceStatus::Online).then_some(r)
    })
    .await;
    assert_eq!(plug.device.gateway.as_ref().map(|g| g.dn.as_str()), Some(demo::gateway_name(1).as_str()));

    // Telemetry reaches the device's TSL data, and the run log has messages.
    let op = app.client(Role::Operator).await;
    let props = eventually(Duration::from_secs(15), "a sensor's telemetry", || async {
        let p = op.get(&format!("/api/v1/devices/{}/env-0001/properties", demo::SENSOR_PK)).await.ok();
        let has = |id: &str| p.as_array()?.iter().find(|v| v["identifier"] == id).map(|v| v["value"].clone());
        let t = has("CurrentTemperature").filter(|v| !v.is_null())?;
        Some(t)
    })
    .await;
    let t = props.as_f64().expect("a number");
    assert!((-20.0..=50.0).contains(&t), "{t}");

    // A real device connects with a lamp's credentials: it takes the session (427 for the
    // simulated one) and the fleet does not take it back.
    let rec = app.record(demo::LAMP_PK, "lamp-0002").await.unwrap();
    let id = devclient::Identity::new(demo::LAMP_PK, "lamp-0002", rec.device_secret.clone());
    let mut real = devclient::Device::connect(app.mqtt_addr(), &id, &devclient::DeviceOptions::python()).await.unwrap();
    assert!(
        real.client.closed_within(Duration::from_secs(5)).await.is_none(),
        "the fleet yields the device instead of fighting over the session"
    );
    let r = app.record(demo::LAMP_PK, "lamp-0002").await.unwrap();
    assert_eq!(r.device.status, DeviceStatus::Online);
    assert_eq!(r.device.sdk.as_deref().map(|s| s.to_lowercase().contains("python")), Some(true), "{:?}", r.device.sdk);
    real.disconnect().await;

    let status: Value = op.get("/readyz").await.body;
    assert!(status.to_string().contains("demo-fleet"), "{status}");
    app.shutdown().await;
}
