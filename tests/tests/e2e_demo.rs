//! Browser end-to-end (issue 13, the living demo fleet; issue 14 §2 on it): `serve --demo` with
//! 200 simulated devices; within 30 s at least 95 % are online and the home KPIs, a device's TSL
//! data, its Messages and the Device Log all show data. Screenshots of each.
//!
//! The Monitoring page on the demo fleet, as an on-call engineer sees it:
//! - the online tiles (home and Monitoring) equal the stats endpoint's online count;
//! - the messages-up chart's current, partial (dashed) minute is not zero and grows live without
//!   a reload (a `window` marker survives; the figures come over the WebSocket);
//! - the top bar's product selector scopes tiles and charts to one demo product;
//! - the Network tab shows a demo device's Wi-Fi status from its diag posts;
//! - a viewer sees the same page, at phone width and dark, and nothing scrolls sideways.

use std::time::Duration;

use backend::demo;
use backend::store;
use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::charts::{chart_series, scrolls_sideways, tile, Line};
use serde_json::Value;
use testkit::{eventually, Client, Role, TestApp, ADMIN_PW, USER_PW};

/// The metric the "messages up" chart draws.
const UP: &str = "MessageCountSentToIoT";

/// The stats endpoint's figures for the instance or one product.
async fn stats(api: &Client, product: Option<&str>) -> Value {
    let q = product.map(|p| format!("?product={p}")).unwrap_or_default();
    api.get(&format!("/api/v1/monitoring/stats{q}")).await.ok()
}

fn digits(s: &str) -> Option<u64> {
    s.chars().filter(char::is_ascii_digit).collect::<String>().parse().ok()
}

/// Wait until the element's figure equals the stats endpoint's `online` (devices flap, so both
/// are read again until they agree).
async fn online_agrees(b: &Browser, api: &Client, product: Option<&str>, read: impl AsyncFn(&Browser) -> String) {
    eventually(Duration::from_secs(20), "the online figure to equal the stats endpoint's", || async {
        let shown = digits(&read(b).await)?;
        let want = stats(api, product).await["online"].as_u64()?;
        (shown == want && want > 0).then_some(())
    })
    .await;
}

/// The up chart's single MQTT line once its current minute is drawn, partial and not zero.
async fn live_up_line(b: &Browser) -> Line {
    eventually(Duration::from_secs(30), "a non-zero partial minute on the messages-up chart", || async {
        let line = chart_series(b, UP).await?.into_iter().next()?;
        (line.partial && line.partial_value > 0.0).then_some(line)
    })
    .await
}

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
    let api = app.client(Role::Admin).await;

    let mut b = Browser::open(&app.base_url(), "demo", 1280).await;
    b.login("admin", ADMIN_PW).await;
    // Home: the KPIs count the fleet; online is what the stats endpoint says.
    b.goto("/").await;
    b.wait_text("kpi-devices", "200").await;
    online_agrees(&b, &api, None, async |b| b.find("kpi-online").await.text().await.unwrap_or_default()).await;
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

    // Monitoring, whole instance: the online tile, and the up chart's current minute counts the
    // fleet's reports and rises while the page stays open.
    b.goto("/monitoring").await;
    b.find("monitoring-page").await;
    online_agrees(&b, &api, None, async |b| tile(b, "online").await).await;
    let first = live_up_line(&b).await;
    b.c.execute("window.__sameDocument = 'yes'", vec![]).await.unwrap();
    eventually(Duration::from_secs(40), "the messages-up chart to grow live", || async {
        let now = chart_series(&b, UP).await?.into_iter().next()?;
        (now.total > first.total).then_some(())
    })
    .await;
    let same = b.c.execute("return window.__sameDocument || null", vec![]).await.unwrap();
    assert_eq!(same, serde_json::json!("yes"), "the page was reloaded");
    // Right after a minute turns, its first push honestly says 0 so far: wait for the next one.
    eventually(Duration::from_secs(20), "the up tile to count the minute so far", || async {
        let so_far = b.find("tile-up-sub").await.text().await.ok()?;
        digits(&so_far).is_some_and(|n| n > 0).then_some(())
    })
    .await;
    assert!(!scrolls_sideways(&b).await, "the page scrolls sideways at 1280 px");
    b.shot("monitoring").await;
    let js =
        "document.querySelector('[data-testid=\"metric-MessageCountSentToIoT\"]').scrollIntoView({block: 'center'})";
    b.c.execute(js, vec![]).await.unwrap();
    b.shot("monitoring-messages").await;

    // The top bar's product selector: the sensors alone.
    b.select("product-selector", demo::SENSOR_PK).await;
    b.find("scope-banner").await;
    let url = b.c.current_url().await.unwrap().to_string();
    assert!(url.contains(&format!("product={}", demo::SENSOR_PK)), "{url}");
    online_agrees(&b, &api, Some(demo::SENSOR_PK), async |b| tile(b, "online").await).await;
    eventually(Duration::from_secs(10), "the instance capacity charts to go", || async {
        (!b.exists("metric-DeviceNum_instance").await).then_some(())
    })
    .await;
    let sensors = stats(&api, Some(demo::SENSOR_PK)).await;
    let instance = stats(&api, None).await;
    assert!(sensors["devices"].as_u64() < instance["devices"].as_u64(), "{sensors} vs {instance}");
    let want = sensors["devices"].as_f64();
    eventually(Duration::from_secs(20), "DeviceCount_Product to count the sensors", || async {
        let line = chart_series(&b, "DeviceCount_Product").await?.into_iter().next()?;
        (Some(line.last) == want).then_some(())
    })
    .await;
    live_up_line(&b).await;
    eventually(Duration::from_secs(10), "the sensors' up tile to count the minute so far", || async {
        let sub = b.find("tile-up-sub").await.text().await.ok()?;
        digits(&sub).filter(|n| *n > 0)
    })
    .await;
    b.shot("monitoring-sensors").await;

    // The Network tab: a demo lamp's Wi-Fi status from its diag posts (every fifth report).
    let lamps = demo::catalogue(200).into_iter().find(|p| p.product_key == demo::LAMP_PK).unwrap().devices;
    let (lamp, row) = eventually(Duration::from_secs(90), "a demo lamp's network status", || async {
        for dn in &lamps {
            let page = api.get(&format!("/api/v1/devices/{}/{dn}/network-status", demo::LAMP_PK)).await.success()?;
            if let Some(row) = page["rows"].as_array().and_then(|r| r.last()).cloned() {
                return Some((dn.clone(), row));
            }
        }
        None
    })
    .await;
    assert_eq!(row["connection"], "wifi", "{row}");
    assert!(row["collected_at"].is_i64(), "the demo sends _time: {row}");
    let rssi = row["rssi"].as_f64().unwrap();
    b.goto(&format!("/monitoring?tab=network&device={}/{lamp}", demo::LAMP_PK)).await;
    b.wait_text("network-row", &format!("{rssi}")).await;
    b.find_css(&format!("{} canvas", Browser::tid("chart-net-rssi"))).await;
    let js =
        "const e = document.querySelector('[data-testid=\"network-device\"]'); return e.scrollWidth > e.clientWidth";
    assert_eq!(b.c.execute(js, vec![]).await.unwrap(), serde_json::json!(false), "the picker clips {lamp}");
    b.shot("network").await;
    b.close().await;

    // A viewer sees the same page: at phone width, light and dark, and dark at 1280 px.
    app.user("oncall", Role::Viewer).await;
    for (width, theme) in [(390, "light"), (390, "dark"), (1280, "dark")] {
        let mut v = Browser::open(&app.base_url(), &format!("demo-viewer-{width}-{theme}"), width).await;
        v.login("oncall", USER_PW).await;
        v.c.execute(&format!("localStorage.setItem('fd.theme', '{theme}')"), vec![]).await.unwrap();
        v.goto("/monitoring").await;
        online_agrees(&v, &api, None, async |b| tile(b, "online").await).await;
        live_up_line(&v).await;
        assert!(!scrolls_sideways(&v).await, "the page scrolls sideways at {width} px");
        v.shot("monitoring").await;
        if width == 390 && theme == "dark" {
            v.goto(&format!("/monitoring?tab=network&device={}/{lamp}", demo::LAMP_PK)).await;
            v.wait_text("network-row", &format!("{rssi}")).await;
            v.shot("network").await;
        }
        v.close().await;
    }
    app.shutdown().await;
}
