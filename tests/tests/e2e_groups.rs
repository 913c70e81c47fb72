//! Browser end-to-end (issue 11, section 8: device groups) against a real server with real MQTT
//! devices: create a group in the UI, add devices by search and by CSV, see the connected one
//! green and the other not, watch connects and disconnects change the dots live, rename, remove
//! a device, follow the group link from the device page, delete the group and find its devices
//! still there. Screenshots at 1280 and 390 px wide.

use std::time::Duration;

use fantoccini::Locator;
use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity};
use serde_json::json;
use testkit::{eventually, Role, TestApp, ADMIN_PW};

const PK: &str = "a1GroupLamp";
const DN1: &str = "grp-lamp-01";
const DN2: &str = "grp-lamp-02";
const DN3: &str = "grp-lamp-03";

/// Wait until the member row of `dn` shows `status` (the page updates it from live events).
async fn member_status(b: &Browser, dn: &str, status: &str) {
    let row = format!("member-row-{dn}");
    eventually(Duration::from_secs(20), &format!("{row} to show {status}"), || async {
        let el = b.c.find(Locator::Css(&Browser::tid(&row))).await.ok()?;
        (el.attr("data-status").await.ok()?? == status).then_some(())
    })
    .await;
}

/// Wait until the element's whole text is `text` (not merely contains it).
async fn exact_text(b: &Browser, testid: &str, text: &str) {
    eventually(Duration::from_secs(15), &format!("{testid} to read {text:?}"), || async {
        let el = b.c.find(Locator::Css(&Browser::tid(testid))).await.ok()?;
        (el.text().await.ok()?.trim() == text).then_some(())
    })
    .await;
}

async fn gone(b: &Browser, testid: &str) {
    eventually(Duration::from_secs(15), &format!("{testid} to go away"), || async {
        (!b.exists(testid).await).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_is_built_in_the_browser_and_shows_its_devices_live() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "Group lamp").await;
    let secret1 = api.device(PK, DN1).await;
    let secret2 = api.device(PK, DN2).await;
    api.device(PK, DN3).await;
    let dev1 = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN1, &secret1), &DeviceOptions::python())
        .await
        .expect("CONNACK accepted");

    let mut b = Browser::open(&app.base_url(), "groups", 1280).await;
    b.login("admin", ADMIN_PW).await;

    // The sidebar's Groups is a real page now: empty, with a way to start.
    b.click("nav-groups").await;
    b.find("group-create-empty").await;
    b.shot("list-empty").await;

    // Create: a bad name is refused in the form, then the group is created and opened.
    b.click("group-create").await;
    b.fill("group-name", "   ").await;
    b.click("group-submit").await;
    b.find("field-error").await;
    b.fill("group-name", "Roof north").await;
    b.fill("group-description", "Lamps on the north roof, batch 7").await;
    b.click("group-submit").await;
    b.wait_text("group-title", "Roof north").await;
    let id: i64 = api.get("/api/v1/groups").await.ok()["items"][0]["id"].as_i64().unwrap();
    assert!(b.c.current_url().await.unwrap().path().ends_with(&format!("/groups/{id}")));
    b.find("group-add-devices-empty").await;
    b.shot("detail-empty").await;

    // Add two devices through the registry search.
    b.click("group-add-devices").await;
    b.fill("member-search", "grp-lamp-0").await;
    b.click(&format!("member-pick-{DN1}")).await;
    b.click(&format!("member-pick-{DN2}")).await;
    b.wait_text("member-picked", "2").await;
    b.shot("add-search").await;
    b.click("member-add-submit").await;
    exact_text(&b, "member-report-added", "2").await;

    // And one by CSV, with an unknown device and a bad line reported, not failing the batch.
    b.click("member-mode-csv").await;
    b.fill("member-csv-text", &format!("ProductKey,DeviceName\n{PK},{DN3}\n{PK},ghost-0001\nnot-a-pair\n{PK},{DN1}"))
        .await;
    b.wait_text("member-csv-preview", "3").await;
    b.click("member-add-submit").await;
    exact_text(&b, "member-report-added", "1").await;
    exact_text(&b, "member-report-unknown", "1").await;
    exact_text(&b, "member-report-already", "1").await;
    b.wait_text("member-report", "not-a-pair").await;
    b.wait_text("member-report-ghost-0001", "unknown device").await;
    b.shot("add-csv-report").await;
    b.click("member-add-close").await;

    // The connected device is green, the others are not.
    member_status(&b, DN1, "online").await;
    member_status(&b, DN2, "inactive").await;
    exact_text(&b, "group-device-count", "3").await;
    exact_text(&b, "group-online-count", "1").await;
    b.shot("members").await;

    // Live: the second device connects, the first drops off; no reload.
    let dev2 = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN2, &secret2), &DeviceOptions::python())
        .await
        .expect("CONNACK accepted");
    member_status(&b, DN2, "online").await;
    exact_text(&b, "group-online-count", "2").await;
    dev1.drop_connection();
    member_status(&b, DN1, "offline").await;
    exact_text(&b, "group-online-count", "1").await;
    b.shot("members-live").await;

    // The group's Online filter follows live events like the device list (model::live_list): a
    // member that connects joins it without a reload, one that drops off leaves it at once.
    b.goto(&format!("/groups/{id}?status=online")).await;
    member_status(&b, DN2, "online").await;
    gone(&b, &format!("member-row-{DN1}")).await;
    let dev1 = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN1, &secret1), &DeviceOptions::python())
        .await
        .expect("CONNACK accepted");
    member_status(&b, DN1, "online").await;
    b.shot("members-online-filter").await;
    dev1.drop_connection();
    gone(&b, &format!("member-row-{DN1}")).await;
    b.goto(&format!("/groups/{id}")).await;
    member_status(&b, DN1, "offline").await;

    // Rename: same id, new name.
    b.click("group-rename").await;
    b.fill("group-name", "Roof").await;
    b.click("group-submit").await;
    exact_text(&b, "group-title", "Roof").await;
    assert_eq!(api.get(&format!("/api/v1/groups/{id}")).await.ok()["name"], "Roof");

    // Remove one device: it leaves the group, not the registry.
    b.click(&format!("member-remove-{DN3}")).await;
    b.wait_text("confirm-message", "stays in the registry").await;
    b.click("confirm-ok").await;
    gone(&b, &format!("member-row-{DN3}")).await;
    exact_text(&b, "group-device-count", "2").await;
    assert_eq!(api.get(&format!("/api/v1/devices/{PK}/{DN3}")).await.ok()["groups"], json!([]));

    // The device page lists its group as a link back to it.
    b.goto(&format!("/devices/{PK}/{DN2}?tab=info")).await;
    b.find("device-group-link-Roof").await;
    b.shot("device-page-groups").await;
    b.click("device-group-link-Roof").await;
    exact_text(&b, "group-title", "Roof").await;

    // Phones: the list, the group and the add dialog at 390 px.
    let mut phone = Browser::open(&app.base_url(), "groups-phone", 390).await;
    phone.login("admin", ADMIN_PW).await;
    phone.goto("/groups").await;
    phone.find("group-row-Roof").await;
    phone.shot("list").await;
    phone.goto(&format!("/groups/{id}")).await;
    member_status(&phone, DN2, "online").await;
    phone.shot("detail").await;
    phone.click("group-add-devices").await;
    phone.fill("member-search", "grp").await;
    phone.find(&format!("member-pick-{DN3}")).await;
    phone.shot("add-dialog").await;
    // Chinese and the dark theme, as an on-call engineer's phone at night may show it.
    phone.click("member-add-close").await;
    phone.click("lang-toggle").await;
    phone.click("theme-toggle").await;
    phone.wait_text("group-add-devices", "添加设备").await;
    phone.shot("detail-zh-dark").await;
    phone.close().await;

    // Delete from the list: the confirmation says how many devices it holds; they remain.
    b.goto("/groups").await;
    exact_text(&b, "group-count-Roof", "2").await;
    b.shot("list").await;
    b.click("group-delete-Roof").await;
    b.wait_text("confirm-message", "It holds 2 devices").await;
    b.shot("delete-confirm").await;
    b.click("confirm-ok").await;
    b.find("group-create-empty").await;
    assert_eq!(api.get("/api/v1/groups").await.ok()["total"], 0);
    let devices = api.get(&format!("/api/v1/devices?product_key={PK}")).await.ok();
    assert_eq!(devices["total"], 3, "deleting a group leaves its devices alone");
    assert!(devices["items"].as_array().unwrap().iter().all(|d| d["groups"] == json!([])));
    b.goto(&format!("/devices/{PK}/{DN2}?tab=info")).await;
    b.wait_text("device-groups", "—").await;
    dev2.disconnect().await;
    b.close().await;
}
