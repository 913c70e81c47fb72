//! Browser end-to-end (issue 11 §4): the network goes away and comes back (Chrome DevTools'
//! `Network.emulateNetworkConditions`). During the outage the console says in words that it
//! cannot reach the server and its badge is not green; afterwards it recovers without a click
//! and shows what changed on the server meanwhile — on the Overview (re-sync on reconnect) and on
//! a page whose load failed during the outage (retry with backoff).

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity};
use model::registry::DeviceStatus;
use testkit::{eventually, Role, TestApp, ADMIN_PW};

const PK: &str = "a1BlipLamp0";

async fn connect(app: &TestApp, dn: &str, secret: &str) -> Device {
    let id = Identity::new(PK, dn, secret);
    Device::connect(app.mqtt_addr(), &id, &DeviceOptions::python()).await.expect("CONNACK accepted")
}

async fn wait_status(app: &TestApp, dn: &str, status: DeviceStatus) {
    app.wait_device(PK, dn, status.as_str(), |r| r.device.status == status).await;
}

async fn kpi(b: &Browser, id: &str) -> Option<String> {
    let el = b.c.find(fantoccini::Locator::Css(&format!("{} .kpi-value", Browser::tid(id)))).await.ok()?;
    el.text().await.ok()
}

async fn wait_kpi(b: &Browser, id: &str, want: &str) {
    eventually(Duration::from_secs(20), &format!("{id} to read {want}"), || async {
        (kpi(b, id).await? == want).then_some(())
    })
    .await;
}

/// The status of a device row, without waiting for it (`None`: no such row now).
async fn row_status(b: &Browser, dn: &str) -> Option<String> {
    let el = b.c.find(fantoccini::Locator::Css(&Browser::tid(&format!("device-row-{dn}")))).await.ok()?;
    el.attr("data-status").await.ok()?
}

async fn badge(b: &Browser) -> String {
    b.attr("live-indicator", "data-state").await.unwrap_or_default()
}

async fn wait_badge(b: &Browser, want: &str) {
    eventually(Duration::from_secs(20), &format!("the live badge to be {want}"), || async {
        (badge(b).await == want).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_network_blip_the_console_recovers_by_itself_and_catches_up() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "Blip lamp").await;
    let s1 = api.device(PK, "blip-01").await;
    let s2 = api.device(PK, "blip-02").await;
    let dev1 = connect(&app, "blip-01", &s1).await;
    wait_status(&app, "blip-01", DeviceStatus::Online).await;

    let mut b = Browser::open(&app.base_url(), "recovery", 1280).await;
    b.login("admin", ADMIN_PW).await;
    b.goto("/").await;
    wait_kpi(&b, "kpi-online", "1").await;
    wait_kpi(&b, "kpi-offline", "0").await;
    wait_badge(&b, "live").await;

    // The network goes away. The page says so in words and the badge turns red with the time of
    // the last good data. Emulated offline fires the browser's `offline` event, on which the
    // console gives up its WebSocket itself (`frontend/src/api/ws.rs`: an idle socket would only
    // notice a dead network at its next failed write); so no other way of cutting the socket is
    // needed here, and new connects then fail as they would without a network.
    b.offline(true).await;
    b.wait_text("connection-banner", "Can't reach the server").await;
    wait_badge(&b, "offline").await;
    b.wait_text("live-indicator", "last updated").await;
    // Meanwhile on the server: blip-01 leaves. The page cannot know yet.
    dev1.disconnect().await;
    wait_status(&app, "blip-01", DeviceStatus::Offline).await;
    b.shot("overview-offline").await;
    assert_eq!(kpi(&b, "kpi-online").await.as_deref(), Some("1"), "the page cannot have heard of it");

    // The network is back: no click, the Overview catches up and the badge turns green.
    b.offline(false).await;
    wait_kpi(&b, "kpi-online", "0").await;
    wait_kpi(&b, "kpi-offline", "1").await;
    wait_badge(&b, "live").await;
    assert!(!b.exists("connection-banner").await, "the banner outlived the outage");
    b.shot("overview-recovered").await;

    // Offline again, and a page is opened: its load fails in words (no browser exception text
    // outside "Details") and says when it retries.
    b.offline(true).await;
    wait_badge(&b, "offline").await;
    b.click("nav-devices").await;
    b.wait_text("load-error", "Can't reach the server").await;
    b.wait_text("retry-countdown", "Retrying by itself in").await;
    let shown = b.find("load-error").await.text().await.unwrap();
    assert!(!shown.contains("Failed to fetch"), "the error shows the transport's text: {shown}");
    // Meanwhile a device comes online.
    let _dev2 = connect(&app, "blip-02", &s2).await;
    wait_status(&app, "blip-02", DeviceStatus::Online).await;
    b.shot("devices-offline-retrying").await;
    b.click("theme-toggle").await;
    b.shot("devices-offline-retrying-dark").await;
    b.click("theme-toggle").await;

    // Back again: the list loads by itself with what changed meanwhile.
    b.offline(false).await;
    eventually(Duration::from_secs(20), "the device list to load by itself", || async {
        (row_status(&b, "blip-02").await? == "online").then_some(())
    })
    .await;
    assert_eq!(row_status(&b, "blip-01").await.as_deref(), Some("offline"));
    assert!(!b.exists("load-error").await);
    wait_badge(&b, "live").await;
    b.shot("devices-recovered").await;
    b.close().await;
}
