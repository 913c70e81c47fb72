//! Browser end-to-end (issue 13, the living demo fleet): `serve --demo` with 200 simulated
//! devices; within 30 s at least 95 % are online and the home KPIs, a device's TSL data, its
//! Messages and the Device Log all show data. Screenshots of each.

use std::time::Duration;

use backend::demo;
use backend::store;
use fleetdeck_tests::browser::Browser;
use testkit::{eventually, TestApp, ADMIN_PW};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_console_shows_a_living_fleet() {
    let app = TestApp::builder()
        .gateway()
        .ui()
        .settings(|s| {
            s.demo = true;
            s.demo_devices = 200;
        })
        .build()
        .await;
    let started = std::time::Instant::now();
    eventually(Duration::from_secs(30), "190 of 200 demo devices online", || async {
        let counts = store::devices::count_by_status(app.db()).await.ok()?;
        let online = counts.iter().find(|(s, _)| s == "online").map_or(0, |(_, n)| *n);
        (online >= 190).then_some(())
    })
    .await;
    eprintln!("95 % online after {:?}", started.elapsed());

    let mut b = Browser::open(&app.base_url(), "demo", 1280).await;
    b.login("admin", ADMIN_PW).await;
    // Home: the KPIs count the fleet.
    b.goto("/").await;
    b.wait_text("kpi-devices", "200").await;
    let online = b.find("kpi-online").await.text().await.unwrap();
    let n: u32 = online.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0);
    assert!(n >= 150, "online KPI {online:?}");
    b.shot("home").await;

    // A sensor's TSL data, its messages, the device log.
    let dev = format!("/devices/{}/env-0001", demo::SENSOR_PK);
    b.goto(&format!("{dev}?tab=tsl")).await;
    b.find("property-CurrentTemperature").await;
    eventually(Duration::from_secs(30), "a temperature value", || async {
        let t = b.find("property-CurrentTemperature").await.text().await.ok()?;
        t.contains('°').then_some(())
    })
    .await;
    b.shot("device-tsl").await;
    // Messages is live from the moment it opens (a sensor reports every 30 s): the device's
    // stored run log shows what came before.
    b.goto(&format!("{dev}?tab=logs")).await;
    b.wait_body("env-0001").await;
    b.shot("device-logs").await;
    b.goto(&format!("/logs?product={}", demo::LAMP_PK)).await;
    b.wait_body("lamp-").await;
    b.shot("device-log").await;
    b.close().await;
    app.shutdown().await;
}
