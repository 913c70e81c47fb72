//! Browser end-to-end (issue 14 §2, the Monitoring page): real server, real MQTT devices, a
//! viewer's browser.
//!
//! - The overview shows the online tile (a number, never stuck on its placeholder) and one chart
//!   per metric, each captioned with the seed's code.
//! - Test traffic (property posts from a real device) raises the chart's current minute live:
//!   the page is not reloaded (a marker set on `window` survives) and nothing polls — the
//!   figures arrive over the WebSocket. Read from the ECharts option itself.
//! - The range picker changes the range (1 day, 1 week downsampled, a custom range over 7 days
//!   refused); "all protocols" splits the per-protocol charts; the top bar's product selector
//!   scopes the page.
//! - The network tab shows a device's status with "View details". Its table, charts and details
//!   are covered in depth on the device page by `e2e_history.rs`; here only the routing, the
//!   picker and one sample.
//! - Screenshots at 1280 px, 390 px, and dark.

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::charts::{chart_series, chart_total, tile, x_span};
use fleetdeck_tests::device::{Device, DeviceOptions, Identity, QoS};
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp, USER_PW};

const LAMP: &str = "a1MonLamp01";
const FAN: &str = "a1MonFan001";

/// One int property, `Level`, so posts are answered 200.
fn tsl(pk: &str) -> Value {
    json!({
        "schema": "https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json",
        "profile": {"productKey": pk},
        "properties": [{"identifier": "Level", "name": "Level", "accessMode": "rw", "required": false,
            "dataType": {"type": "int", "specs": {"min": "0", "max": "100"}}}],
        "events": [],
        "services": []
    })
}

async fn connect(app: &TestApp, pk: &str, dn: &str, secret: &str) -> Device {
    let id = Identity::new(pk, dn, secret);
    Device::connect(app.mqtt_addr(), &id, &DeviceOptions::python()).await.expect("CONNACK accepted")
}

async fn url(b: &Browser) -> String {
    b.c.current_url().await.unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitoring_page_follows_the_fleet_live() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(LAMP, "Monitor lamp").await;
    api.product_named(FAN, "Monitor fan").await;
    for pk in [LAMP, FAN] {
        api.put(&format!("/api/v1/products/{pk}/tsl"), tsl(pk)).await.ok();
    }
    let l1 = api.device(LAMP, "lamp-01").await;
    let l2 = api.device(LAMP, "lamp-02").await;
    let f1 = api.device(FAN, "fan-01").await;
    app.user("oncall", Role::Viewer).await;
    let lamp1 = connect(&app, LAMP, "lamp-01", &l1).await;
    let _lamp2 = connect(&app, LAMP, "lamp-02", &l2).await;
    let fan = connect(&app, FAN, "fan-01", &f1).await;
    for (pk, dn) in [(LAMP, "lamp-01"), (LAMP, "lamp-02"), (FAN, "fan-01")] {
        app.wait_device(pk, dn, "online", |r| r.device.status.as_str() == "online").await;
    }

    let mut b = Browser::open(&app.base_url(), "monitoring", 1280).await;
    b.login("oncall", USER_PW).await;
    // A viewer has the page in the sidebar.
    b.click("nav-monitoring").await;
    b.find("monitoring-page").await;
    eventually(Duration::from_secs(15), "the online tile to count 3", || async {
        (tile(&b, "online").await == "3").then_some(())
    })
    .await;
    assert_eq!(b.attr("tile-online", "data-state").await.as_deref(), Some("ready"));
    b.wait_text("tile-up", "MessageCountSentToIoT_MQTT").await;
    b.wait_text("metric-code-MessageCountSentToIoT", "MessageCountSentToIoT_MQTT").await;
    b.wait_text("metric-code-OnlineDevicesCount", "OnlineDevicesCount_MQTT").await;
    // Whole instance: the capacity charts are there.
    b.find("metric-DeviceNum_instance").await;
    let before = eventually(Duration::from_secs(15), "the messages chart to be drawn", || async {
        chart_total(&b, "MessageCountSentToIoT").await
    })
    .await;

    // Live: five posts raise the chart by five, without a reload.
    b.c.execute("window.__sameDocument = 'yes'", vec![]).await.unwrap();
    for i in 0..5 {
        assert_eq!(lamp1.post_properties(json!({"Level": i})).await.expect("post_reply").code, 200);
    }
    eventually(Duration::from_secs(20), "the chart's current minute to rise by 5", || async {
        let now = chart_total(&b, "MessageCountSentToIoT").await?;
        (now == before + 5.0).then_some(())
    })
    .await;
    let same = b.c.execute("return window.__sameDocument || null", vec![]).await.unwrap();
    assert_eq!(same, json!("yes"), "the page was reloaded");
    let so_far = b.find("tile-up-sub").await.text().await.unwrap();
    assert!(!so_far.is_empty(), "the tile says what its figure is");
    b.shot("overview").await;

    // The range picker: a day, then a week (downsampled), then a custom range too long.
    b.click("monitoring-range-24h").await;
    eventually(Duration::from_secs(10), "a day on the x axis", || async {
        (x_span(&b, "MessageCountSentToIoT").await? >= 24 * 3_600_000).then_some(())
    })
    .await;
    assert!(url(&b).await.contains("range=24h"), "{}", url(&b).await);
    assert_eq!(chart_total(&b, "MessageCountSentToIoT").await, Some(before + 5.0), "the same traffic over a day");
    b.click("monitoring-range-7d").await;
    b.wait_text("monitoring-step", "6 min").await;
    b.click("monitoring-range-custom").await;
    for (id, v) in [("monitoring-range-from", "2026-01-01T00:00"), ("monitoring-range-to", "2026-01-09T00:00")] {
        b.find(id).await;
        let js = format!(
            "const e = document.querySelector('[data-testid=\"{id}\"]'); e.value = '{v}'; e.dispatchEvent(new Event('input', {{bubbles: true}}));"
        );
        b.c.execute(&js, vec![]).await.unwrap();
    }
    b.click("monitoring-range-apply").await;
    b.wait_text("monitoring-range-error", "7 days").await;
    b.click("monitoring-range-1h").await;

    // All protocols: the per-protocol charts get a line per protocol, the others stay one.
    b.click("monitoring-proto-all").await;
    eventually(Duration::from_secs(10), "five protocol lines", || async {
        let s = chart_series(&b, "OnlineDevicesCount").await?;
        (s.len() == 5).then_some(s)
    })
    .await;
    let lines = chart_series(&b, "OnlineDevicesCount").await.unwrap();
    let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["MQTT", "CoAP", "HTTP", "HTTP_2", "LoRa"]);
    assert!(lines[1..].iter().all(|l| l.total == 0.0), "only MQTT devices here: {lines:?}");
    b.wait_text("metric-code-OnlineDevicesCount", "OnlineDevicesCount_*").await;
    assert_eq!(chart_series(&b, "DeviceCount_Product").await.map(|s| s.len()), Some(1));
    b.click("monitoring-proto-mqtt").await;

    // Product scope from the top bar: the fan's one device; no instance-only charts.
    b.select("product-selector", FAN).await;
    b.find("scope-banner").await;
    assert!(url(&b).await.contains(&format!("product={FAN}")), "{}", url(&b).await);
    eventually(Duration::from_secs(15), "the online tile to count the fan's device", || async {
        (tile(&b, "online").await == "1").then_some(())
    })
    .await;
    eventually(Duration::from_secs(10), "the capacity charts to go", || async {
        (!b.exists("metric-DeviceNum_instance").await).then_some(())
    })
    .await;
    let fan_before = eventually(Duration::from_secs(10), "the fan's chart", || async {
        chart_total(&b, "MessageCountSentToIoT").await
    })
    .await;
    assert_eq!(fan.post_properties(json!({"Level": 2})).await.expect("post_reply").code, 200);
    eventually(Duration::from_secs(20), "the fan's chart to rise by 1", || async {
        (chart_total(&b, "MessageCountSentToIoT").await? == fan_before + 1.0).then_some(())
    })
    .await;
    b.shot("overview-fan").await;

    // The network tab: the picker suggests the scope's devices; one diag sample with errors.
    let topic = fan.sys_topic("_thing/diag/post");
    let params = json!({"p": {"wifi": {"rssi": -61, "snr": 27, "per": 3, "err_stats": "10,02,02"}}, "model": "format=simple|quantity=single|time=now"});
    assert_eq!(fan.request(&topic, None, params, QoS::AtLeastOnce).await.expect("diag reply").code, 200);
    b.click("tab-network").await;
    b.find("network-device").await;
    eventually(Duration::from_secs(10), "the picker to suggest the fan", || async {
        let v = b
            .c
            .execute("return [...document.querySelectorAll('#network-device-list option')].map(o => o.value)", vec![])
            .await
            .ok()?;
        (v == json!([format!("{FAN}/fan-01")])).then_some(())
    })
    .await;
    b.fill("network-device", &format!("{FAN}/fan-01")).await;
    b.click("network-device-apply").await;
    b.wait_text("network-row", "-61").await;
    assert!(url(&b).await.contains("tab=network"), "{}", url(&b).await);
    b.find_css(&format!("{} canvas", Browser::tid("chart-net-rssi"))).await;
    b.click("network-view-details").await;
    b.wait_text("network-details-count", "2").await;
    b.shot("network").await;
    b.click("network-details-close").await;
    b.close().await;

    // Phone width, light and dark.
    for theme in ["light", "dark"] {
        let mut p = Browser::open(&app.base_url(), &format!("monitoring-phone-{theme}"), 390).await;
        p.login("oncall", USER_PW).await;
        p.c.execute(&format!("localStorage.setItem('fd.theme', '{theme}')"), vec![]).await.unwrap();
        p.goto("/monitoring").await;
        eventually(Duration::from_secs(15), "the online tile", || async {
            (tile(&p, "online").await == "3").then_some(())
        })
        .await;
        p.find_css(&format!("{} canvas", Browser::tid("chart-m-MessageCountSentToIoT"))).await;
        let overflow: Value =
            p.c.execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth", vec![])
                .await
                .unwrap();
        assert_eq!(overflow, json!(false), "the page scrolls sideways at 390 px");
        p.shot(&format!("overview-{theme}")).await;
        p.goto(&format!("/monitoring?tab=network&device={FAN}/fan-01")).await;
        p.wait_text("network-row", "-61").await;
        p.shot(&format!("network-{theme}")).await;
        p.close().await;
    }
    let mut d = Browser::open(&app.base_url(), "monitoring-dark", 1280).await;
    d.login("oncall", USER_PW).await;
    d.c.execute("localStorage.setItem('fd.theme', 'dark')", vec![]).await.unwrap();
    d.goto("/monitoring?range=24h").await;
    eventually(Duration::from_secs(15), "the chart", || async { chart_total(&d, "MessageCountSentToIoT").await }).await;
    d.shot("overview-dark").await;
    d.close().await;
    lamp1.disconnect().await;
    app.shutdown().await;
}
