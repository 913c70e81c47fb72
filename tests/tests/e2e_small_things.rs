//! Issue 11, section 7, in a real browser against a real server and device: password managers
//! get `autocomplete` hints; times say their zone and follow the local / UTC setting (kept
//! across a reload); a missing device's page leads back to the device list; one button
//! collapses the sidebar; the page preloads nothing with an `integrity` the loader won't use.

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity};
use testkit::{eventually, Role, TestApp, ADMIN_PW};

const PK: &str = "a1SmallLamp";
const DN: &str = "small-lamp-01";

/// `2026-12-02 22:03:10 UTC+8` → (hour, zone).
fn hour_and_zone(text: &str) -> (u32, String) {
    let mut parts = text.trim().split(' ');
    let (_date, time, zone) = (parts.next().unwrap(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let hour = time.split(':').next().and_then(|h| h.parse().ok()).unwrap_or_else(|| panic!("no time in {text:?}"));
    (hour, zone.to_string())
}

/// The hour and zone of the device page's "last online" time.
async fn last_online(b: &Browser) -> (u32, String) {
    hour_and_zone(&b.find("device-last-online").await.text().await.unwrap())
}

async fn sidebar_width(b: &Browser) -> f64 {
    let script = "return document.querySelector('[data-testid=sidebar]').getBoundingClientRect().width";
    b.c.execute(script, vec![]).await.unwrap().as_f64().unwrap()
}

// One test: the browser's time zone comes from the TZ variable chromedriver passes on to
// Chromium, and environment variables are per process.
#[test]
fn small_things_that_add_up() {
    std::env::set_var("TZ", "Asia/Shanghai");
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(run());
}

async fn run() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product(PK).await;
    let secret = api.device(PK, DN).await;
    let dev = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN, &secret), &DeviceOptions::python())
        .await
        .expect("CONNACK");

    let mut b = Browser::open(&app.base_url(), "small", 1280).await;

    // The login form tells password managers what its fields are.
    b.goto("/login").await;
    assert_eq!(b.attr("login-username", "autocomplete").await.as_deref(), Some("username"));
    assert_eq!(b.attr("login-password", "autocomplete").await.as_deref(), Some("current-password"));
    // The app's scripts are preloaded without an integrity value the loader would not repeat
    // (Chrome warned about every such preload on every load).
    let hashed = b
        .c
        .execute("return [...document.querySelectorAll('link[rel=preload][integrity], link[rel=modulepreload][integrity]')].map(l => l.href)", vec![])
        .await
        .unwrap();
    assert_eq!(hashed, serde_json::json!([]), "preloads with integrity");
    b.login("admin", ADMIN_PW).await;

    // So is the password-change form.
    b.goto("/settings?tab=password").await;
    assert_eq!(b.attr("password-current", "autocomplete").await.as_deref(), Some("current-password"));
    assert_eq!(b.attr("password-new", "autocomplete").await.as_deref(), Some("new-password"));
    assert_eq!(b.attr("password-repeat", "autocomplete").await.as_deref(), Some("new-password"));

    // Times say their zone: local (Shanghai, UTC+8) by default, UTC once chosen in the user
    // menu, and still UTC after a reload.
    b.goto(&format!("/devices/{PK}/{DN}?tab=info")).await;
    let (local_hour, zone) = last_online(&b).await;
    assert_eq!(zone, "UTC+8");
    b.shot("time-local").await;
    b.click("user-menu").await;
    b.click("menu-tz-utc").await;
    let utc_hour = eventually(Duration::from_secs(5), "the time to be shown in UTC", || async {
        let (h, z) = last_online(&b).await;
        (z == "UTC").then_some(h)
    })
    .await;
    assert_eq!((utc_hour + 8) % 24, local_hour, "UTC is 8 hours behind Shanghai");
    b.shot("time-utc").await;
    b.goto(&format!("/devices/{PK}/{DN}?tab=info")).await;
    assert_eq!(last_online(&b).await, (utc_hour, "UTC".to_string()), "the setting is remembered");
    b.click("user-menu").await;
    b.click("menu-tz-local").await;
    eventually(Duration::from_secs(5), "local time again", || async {
        (last_online(&b).await.1 == "UTC+8").then_some(())
    })
    .await;

    // A device that does not exist: the page says so and leads back to the product's devices.
    b.goto(&format!("/devices/{PK}/nope")).await;
    b.find("device-missing").await;
    b.wait_text("device-missing", "nope").await;
    b.shot("device-missing").await;
    b.click("device-missing-product-devices").await;
    b.find(&format!("device-row-{DN}")).await;
    let url = b.c.current_url().await.unwrap();
    assert_eq!(url.path(), "/devices");
    assert!(url.query().unwrap_or("").contains(&format!("product={PK}")), "{url}");

    // One control collapses the sidebar, and the choice is remembered.
    assert!(!b.exists("sidebar-collapse").await, "a second collapse button");
    let open = sidebar_width(&b).await;
    b.click("sidebar-toggle").await;
    eventually(Duration::from_secs(5), "the sidebar to collapse", || async {
        (sidebar_width(&b).await < open / 2.0).then_some(())
    })
    .await;
    b.goto("/devices").await;
    b.find("sidebar").await;
    eventually(Duration::from_secs(5), "the sidebar to stay collapsed after a reload", || async {
        (sidebar_width(&b).await < open / 2.0).then_some(())
    })
    .await;
    b.shot("sidebar-collapsed").await;
    b.click("sidebar-toggle").await;
    eventually(Duration::from_secs(5), "the sidebar to open", || async {
        (sidebar_width(&b).await >= open).then_some(())
    })
    .await;

    b.close().await;
    dev.disconnect().await;
}
