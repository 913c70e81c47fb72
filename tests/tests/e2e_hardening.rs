//! Browser end-to-end (issue "Acknowledged means stored, revoked means gone"): an operator resets
//! an activated device's activation from its page, and a console whose user is disabled
//! elsewhere is signed out at once — the live socket is closed by the server and the page goes
//! back to the login form with a notice.

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity};
use serde_json::json;
use testkit::{eventually, Role, TestApp, USER_PW};

const PK: &str = "a1ResetLamp";
const DN: &str = "reset-lamp-01";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_resets_activation_and_a_disabled_user_is_signed_out() {
    let app = TestApp::builder().gateway().ui().build().await;
    let admin = app.client(Role::Admin).await;
    admin.product_named(PK, "Reset lamp").await;
    let secret = admin.device(PK, DN).await;
    // The device comes online once: it is activated.
    let dev = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN, &secret), &DeviceOptions::python())
        .await
        .expect("CONNACK accepted");
    app.wait_device(PK, DN, "online", |r| r.device.activated_at.is_some()).await;
    drop(dev);

    // An operator resets it from the device page, after a confirmation.
    app.user("night-op", Role::Operator).await;
    let mut b = Browser::open(&app.base_url(), "hardening", 1280).await;
    b.login("night-op", USER_PW).await;
    b.goto(&format!("/devices/{PK}/{DN}")).await;
    b.find("device-reset").await;
    b.shot("device-before-reset").await;
    b.click("device-reset").await;
    b.find("confirm-dialog").await;
    b.wait_text("confirm-message", "register").await;
    b.shot("reset-confirm").await;
    b.click("confirm-ok").await;
    eventually(Duration::from_secs(10), "the page to show the device inactive", || async {
        (b.attr("status-dot", "data-status").await? == "inactive").then_some(())
    })
    .await;
    b.find("toast-ok").await;
    // Never activated again: the button is gone until it connects.
    assert!(!b.exists("device-reset").await, "reset offered for an inactive device");
    b.shot("device-after-reset").await;
    let d = admin.get(&format!("/api/v1/devices/{PK}/{DN}")).await.ok();
    assert_eq!((d["status"].as_str(), d["activated_at"].is_null()), (Some("inactive"), true));

    // The operator's account is disabled by the admin, elsewhere: the open console is signed out
    // without any click (the server closes its live socket with 4001; the page goes to login).
    b.goto("/").await;
    eventually(Duration::from_secs(10), "the live indicator to be live", || async {
        (b.attr("live-indicator", "data-state").await? == "live").then_some(())
    })
    .await;
    let r = admin.patch("/api/v1/users/night-op", json!({"disabled": true})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    b.find("login-form").await;
    b.wait_text("toast-error", "signed out").await;
    b.shot("signed-out").await;
    b.close().await;
}
