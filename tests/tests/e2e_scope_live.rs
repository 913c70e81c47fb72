//! Browser end-to-end (issue 11 §1, §2): a product scope never leaks from one page to another
//! and is always visible; a status-filtered device list gains and loses rows live as real
//! devices connect and leave, and never shows a row that contradicts its filter.

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity};
use model::registry::DeviceStatus;
use testkit::{eventually, Role, TestApp, ADMIN_PW};

const LAMP: &str = "a1ScopeLamp";
const FAN: &str = "a1ScopeFan0";

async fn connect(app: &TestApp, pk: &str, dn: &str, secret: &str) -> Device {
    let id = Identity::new(pk, dn, secret);
    Device::connect(app.mqtt_addr(), &id, &DeviceOptions::python()).await.expect("CONNACK accepted")
}

async fn wait_status(app: &TestApp, pk: &str, dn: &str, status: DeviceStatus) {
    app.wait_device(pk, dn, status.as_str(), |r| r.device.status == status).await;
}

/// The four tiles of the Overview as (products, devices, online, offline), once all are loaded.
async fn tiles(b: &Browser) -> Option<[String; 4]> {
    let mut out = [String::new(), String::new(), String::new(), String::new()];
    for (i, id) in ["kpi-products", "kpi-devices", "kpi-online", "kpi-offline"].iter().enumerate() {
        let el = b.c.find(fantoccini::Locator::Css(&format!("{} .kpi-value", Browser::tid(id)))).await.ok()?;
        let v = el.text().await.ok()?;
        if v.contains('…') || v.is_empty() {
            return None;
        }
        out[i] = v;
    }
    Some(out)
}

async fn wait_tiles(b: &Browser, want: [&str; 4], what: &str) {
    eventually(Duration::from_secs(15), what, || async { tiles(b).await.filter(|t| t == &want.map(String::from)) })
        .await;
}

async fn url(b: &Browser) -> String {
    b.c.current_url().await.unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_page_leaves_the_overview_alone_and_a_scope_is_only_in_the_url() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(LAMP, "Scope lamp").await;
    api.product_named(FAN, "Scope fan").await;
    // Lamp: one device offline (was online), one never connected. Fan: one online.
    let l1 = api.device(LAMP, "lamp-01").await;
    api.device(LAMP, "lamp-02").await;
    let f1 = api.device(FAN, "fan-01").await;
    connect(&app, LAMP, "lamp-01", &l1).await.disconnect().await;
    wait_status(&app, LAMP, "lamp-01", DeviceStatus::Offline).await;
    let _fan = connect(&app, FAN, "fan-01", &f1).await;
    wait_status(&app, FAN, "fan-01", DeviceStatus::Online).await;

    let mut b = Browser::open(&app.base_url(), "scope", 1280).await;
    b.login("admin", ADMIN_PW).await;
    b.goto("/").await;
    wait_tiles(&b, ["2", "3", "1", "1"], "the unscoped Overview to count everything").await;
    assert!(!b.exists("scope-banner").await, "a scope banner without a scope");

    // A product page names its product in the selector …
    b.goto(&format!("/products/{FAN}")).await;
    eventually(Duration::from_secs(10), "the selector to show the product page's product", || async {
        (b.find("product-selector").await.prop("value").await.ok()?? == FAN).then_some(())
    })
    .await;
    // … and opening the Overview from the sidebar afterwards still counts everything.
    b.click("nav-overview").await;
    wait_tiles(&b, ["2", "3", "1", "1"], "the Overview after a product page to count everything").await;
    assert!(!url(&b).await.contains("product="), "the Overview's URL got a product: {}", url(&b).await);
    assert!(!b.exists("scope-banner").await, "the Overview shows a scope nobody chose");
    assert_eq!(b.find("product-selector").await.prop("value").await.unwrap().as_deref(), Some(""));
    b.shot("overview-all").await;

    // Choosing a product in the selector scopes this page through its URL; every tile follows.
    b.select("product-selector", LAMP).await;
    b.wait_text("scope-banner", "Scope lamp").await;
    assert!(url(&b).await.contains(&format!("product={LAMP}")), "{}", url(&b).await);
    wait_tiles(&b, ["1", "2", "0", "1"], "every tile to count the lamp only").await;
    b.shot("overview-scoped-light").await;
    b.click("theme-toggle").await;
    b.shot("overview-scoped-dark").await;
    b.click("theme-toggle").await;

    // The scope stays on its page: the Devices page from the sidebar lists every product.
    b.click("nav-devices").await;
    b.find("device-row-fan-01").await;
    b.find("device-row-lamp-02").await;
    assert!(!b.exists("scope-banner").await);
    assert_eq!(b.find("product-selector").await.prop("value").await.unwrap().as_deref(), Some(""));

    // "Show all" clears a scope; an empty scoped list says which scope it is in.
    b.goto(&format!("/devices?product={FAN}&status=offline")).await;
    b.wait_text("scope-banner", "Scope fan").await;
    b.wait_text("empty-state", "Scope fan").await;
    b.wait_text("empty-state", "Offline").await;
    b.shot("devices-scoped-empty").await;
    b.click("scope-clear").await;
    b.find("device-row-lamp-01").await;
    assert!(!url(&b).await.contains("product="), "{}", url(&b).await);
    assert!(!b.exists("scope-banner").await);

    // A device page names its device's product; the Overview opened next is still unscoped.
    b.goto(&format!("/devices/{LAMP}/lamp-01")).await;
    eventually(Duration::from_secs(10), "the selector to show the device's product", || async {
        (b.find("product-selector").await.prop("value").await.ok()?? == LAMP).then_some(())
    })
    .await;
    b.click("nav-overview").await;
    wait_tiles(&b, ["2", "3", "1", "1"], "the Overview after a device page to count everything").await;
    b.close().await;

    // The scoped Overview on a phone, light and dark.
    let mut p = Browser::open(&app.base_url(), "scope-phone", 390).await;
    p.login("admin", ADMIN_PW).await;
    p.goto(&format!("/?product={LAMP}")).await;
    p.wait_text("scope-banner", "Scope lamp").await;
    wait_tiles(&p, ["1", "2", "0", "1"], "the phone's scoped tiles").await;
    p.shot("overview-scoped-390-light").await;
    p.click("theme-toggle").await;
    p.shot("overview-scoped-390-dark").await;
    p.close().await;
}

/// The rows of the device table as (name, data-status).
async fn rows(b: &Browser) -> Vec<(String, String)> {
    let els = b.c.find_all(fantoccini::Locator::Css("[data-testid^=\"device-row-\"]")).await.unwrap_or_default();
    let mut out = Vec::new();
    for e in els {
        let (Ok(Some(id)), Ok(Some(st))) = (e.attr("data-testid").await, e.attr("data-status").await) else { continue };
        out.push((id.trim_start_matches("device-row-").to_string(), st));
    }
    out
}

/// Wait until the list shows exactly `want` (names), each row with `status`.
async fn wait_rows(b: &Browser, status: &str, want: &[&str], what: &str) {
    let got = eventually(Duration::from_secs(15), what, || async {
        let rs = rows(b).await;
        let names: Vec<&str> = rs.iter().map(|(n, _)| n.as_str()).collect();
        (names == want).then_some(rs)
    })
    .await;
    for (name, st) in got {
        assert_eq!(st, status, "{name} is listed as {st} under status={status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_filtered_list_gains_and_loses_rows_live() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(LAMP, "Scope lamp").await;
    let s1 = api.device(LAMP, "lamp-01").await;
    let s2 = api.device(LAMP, "lamp-02").await;
    // lamp-02 is online throughout: the lists must keep it (and in order) while lamp-01 moves.
    let _other = connect(&app, LAMP, "lamp-02", &s2).await;
    wait_status(&app, LAMP, "lamp-02", DeviceStatus::Online).await;

    let mut b = Browser::open(&app.base_url(), "live-lists", 1280).await;
    b.login("admin", ADMIN_PW).await;
    b.goto("/devices?status=online").await;
    wait_rows(&b, "online", &["lamp-02"], "the online list to show lamp-02").await;

    let dev = connect(&app, LAMP, "lamp-01", &s1).await;
    wait_rows(&b, "online", &["lamp-01", "lamp-02"], "lamp-01 to join the online list, sorted").await;
    b.shot("online-gained").await;
    dev.disconnect().await;
    wait_rows(&b, "online", &["lamp-02"], "lamp-01 to leave the online list").await;
    b.shot("online-lost").await;

    // The offline list is the mirror image.
    b.select("device-filter-status", "offline").await;
    wait_rows(&b, "offline", &["lamp-01"], "the offline list to show lamp-01").await;
    let dev = connect(&app, LAMP, "lamp-01", &s1).await;
    eventually(Duration::from_secs(15), "lamp-01 to leave the offline list", || async {
        rows(&b).await.is_empty().then_some(())
    })
    .await;
    b.wait_text("empty-state", "Offline").await;
    b.shot("offline-empty").await;
    dev.disconnect().await;
    wait_rows(&b, "offline", &["lamp-01"], "lamp-01 to come back to the offline list").await;
    b.click("theme-toggle").await;
    b.shot("offline-back-dark").await;
    b.close().await;
}
