//! Browser end-to-end (issue "Device gateway"): a real MQTT device posts properties and the
//! device page shows them without a reload; the device drops off and the dot turns grey with
//! the seed's reason code.

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity};
use serde_json::json;
use testkit::{eventually, until, Role, TestApp, ADMIN_PW};

const PK: &str = "a1LiveLamp1";
const DN: &str = "live-lamp-01";

async fn status_of(b: &Browser, testid: &str) -> Option<String> {
    b.c.find(fantoccini::Locator::Css(&Browser::tid(testid))).await.ok()?.attr("data-status").await.ok()?
}

/// Post `Brightness = value` once: the page's run-log table must show it without a reload. The
/// page loads its snapshot again once its live tail is confirmed, so an entry stored around the
/// moment the page opened is not lost either; under this light load nothing may be lost.
async fn post_once_and_see_it_logged(b: &Browser, dev: &Device, value: u32) {
    let needle = format!(r#""Brightness":{value}"#);
    dev.post_properties_nowait(json!({ "Brightness": value })).await.expect("posted");
    let shown = until(Duration::from_secs(10), || async {
        b.find("log-table").await.text().await.unwrap_or_default().contains(&needle).then_some(())
    });
    if shown.await.is_none() {
        b.screenshot("FAILED-run-log").await;
        panic!("the run-log table never showed {needle} live");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_values_and_status_reach_the_browser_live() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "Live lamp").await;
    let tsl: serde_json::Value = serde_json::from_str(include_str!("../python/linkkit_lamp_tsl.json")).unwrap();
    api.put(&format!("/api/v1/products/{PK}/tsl"), tsl).await.ok();
    let secret = api.device(PK, DN).await;

    let mut b = Browser::open(&app.base_url(), "live", 1280).await;
    b.login("admin", ADMIN_PW).await;

    // The device list turns the dot green when the device connects.
    b.goto(&format!("/devices?product={PK}")).await;
    b.find(&format!("device-row-{DN}")).await;
    assert_eq!(b.attr(&format!("device-row-{DN}"), "data-status").await.as_deref(), Some("inactive"));
    let id = Identity::new(PK, DN, &secret);
    let dev = Device::connect(app.mqtt_addr(), &id, &DeviceOptions::python()).await.expect("CONNACK accepted");
    eventually(Duration::from_secs(15), "the list row to turn online", || async {
        (b.attr(&format!("device-row-{DN}"), "data-status").await? == "online").then_some(())
    })
    .await;
    b.shot("list-online").await;

    // The TSL data tab shows posted values as they arrive.
    b.goto(&format!("/devices/{PK}/{DN}?tab=tsl")).await;
    b.find("empty-state").await;
    b.shot("tsl-data-empty").await;
    let reply = dev.post_properties(json!({"Brightness": 42, "LightSwitch": 1})).await.expect("post_reply");
    assert_eq!(reply.code, 200);
    b.wait_text("property-Brightness", "42").await;
    b.shot("tsl-data-42").await;
    dev.post_properties(json!({"Brightness": 77})).await.expect("post_reply");
    b.wait_text("property-Brightness", "77").await;
    b.shot("tsl-data-77").await;

    // An invalid post is refused with its code and does not change the page's value.
    let reply = dev.post_properties(json!({"Brightness": 1000})).await.expect("post_reply");
    assert_eq!(reply.code, 6306, "{reply:?}");
    b.wait_text("property-Brightness", "77").await;

    // The live message pane shows the traffic both ways.
    b.click("tab-messages").await;
    dev.post_properties(json!({"LightSwitch": 0})).await.expect("post_reply");
    b.wait_text("message-list", "/thing/event/property/post_reply").await;
    b.wait_text("message-list", "/thing/event/property/post").await;
    b.shot("messages").await;

    // The Logs tab: this device's cloud run log, tailing live. The refused post is there with
    // its code; a new post appears without a reload.
    b.click("tab-logs").await;
    b.wait_text("log-table", "6306").await;
    post_once_and_see_it_logged(&b, &dev, 55).await;
    b.shot("device-logs").await;

    // The fleet's Device Log page: a status filter from the URL shows only the refusals …
    b.goto("/logs?status=6306").await;
    b.wait_text("log-table", "6306").await;
    let rows = b.c.find_all(fantoccini::Locator::Css(&Browser::tid("log-row"))).await.unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        let class = r.attr("class").await.unwrap().unwrap_or_default();
        assert!(class.contains("row-failed"), "a row that is not a refusal under status=6306: {class}");
    }
    // … and the live tail adds new entries as devices send them.
    b.goto("/logs").await;
    b.find("log-table").await;
    b.click("logs-live").await;
    post_once_and_see_it_logged(&b, &dev, 66).await;
    b.shot("fleet-logs-live").await;
    b.goto(&format!("/devices/{PK}/{DN}?tab=info")).await;

    // The device loses its connection: the dot turns grey and the reason is the seed's 1911.
    b.find("device-info").await;
    assert_eq!(status_of(&b, "status-dot").await.as_deref(), Some("online"));
    dev.drop_connection();
    eventually(Duration::from_secs(20), "the device page to show offline", || async {
        (status_of(&b, "status-dot").await? == "offline").then_some(())
    })
    .await;
    b.wait_text("device-disconnect-reason", "1911").await;
    b.shot("offline-1911").await;
    let d = api.get(&format!("/api/v1/devices/{PK}/{DN}")).await.ok();
    assert_eq!((d["status"].as_str(), d["last_disconnect_code"].as_u64()), (Some("offline"), Some(1911)));
    b.close().await;
}
