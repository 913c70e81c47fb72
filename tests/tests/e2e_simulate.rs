//! Browser end-to-end (issue 13, Device Simulation): open the simulator for a device, start it,
//! push a property now and by interval, send an event and a custom topic, receive a property set
//! from the console with the simulator's answer, stop. Screenshots at 1280 and 390 px wide.

use std::time::Duration;

use backend::commands::DeviceCall;
use fleetdeck_tests::browser::Browser;
use model::alink::DeviceRef;
use model::registry::{DeviceStatus, NodeType};
use serde_json::{json, Value};
use testkit::registry::{model, DN, PK, SECRET};
use testkit::{eventually, Role, TestApp, ADMIN_PW};

const T: Duration = Duration::from_secs(20);

async fn status(api: &testkit::Client) -> Value {
    api.get(&format!("/api/v1/simulate/{PK}/{DN}")).await.ok()
}

async fn pane_has(api: &testkit::Client, what: &str, f: impl Fn(&Value) -> bool) -> Value {
    eventually(T, what, || async {
        let s = status(api).await;
        s["lines"].as_array()?.iter().find(|l| f(l)).cloned()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_simulates_a_device_in_the_browser() {
    let app = TestApp::builder().gateway().ui().build().await;
    app.product_with(PK, NodeType::Direct, false, Some(&model(PK))).await;
    app.device_with_secret(PK, DN, SECRET).await;
    let api = app.client(Role::Admin).await;

    let mut b = Browser::open(&app.base_url(), "simulate", 1280).await;
    b.login("admin", ADMIN_PW).await;
    // The sidebar's Device Simulation is a page now: pick the product and the device.
    b.click("nav-simulate").await;
    b.select("sim-product", PK).await;
    b.fill("sim-device", DN).await;
    b.shot("picker").await;
    b.click("sim-open").await;
    b.wait_text("sim-title", DN).await;
    b.click("sim-start").await;
    b.wait_text("sim-state", "Simulating").await;
    eventually(T, "the simulated device online", || async {
        (app.record(PK, DN).await?.device.status == DeviceStatus::Online).then_some(())
    })
    .await;

    // Property submission, now.
    b.click("tab-properties").await;
    b.fill("sim-values", r#"{"Brightness": 33}"#).await;
    b.click("sim-push-properties").await;
    pane_has(&api, "the property post", |l| l["dir"] == "up" && l["payload"] == r#"{"Brightness":33}"#).await;
    // The platform's run log of the device shows the same post live, beside the device's own lines.
    b.wait_text("sim-cloud-log", "property/post").await;
    // By interval: every second for a minute.
    b.fill("sim-values", r#"{"Brightness": 34}"#).await;
    b.select("sim-policy", "interval").await;
    b.fill("sim-policy-every", "1").await;
    b.fill("sim-policy-for", "1").await;
    b.click("sim-push-properties").await;
    eventually(T, "the interval pushes", || async {
        let s = status(&api).await;
        (s["policy"]["kind"] == "interval" && s["pushes"].as_u64()? >= 2).then_some(())
    })
    .await;
    b.wait_text("sim-policy-state", "Push policy").await;
    b.shot("properties-interval").await;

    // An event, and a custom topic.
    b.click("tab-events").await;
    b.select("sim-event", "Alarm").await;
    b.fill("sim-event-params", r#"{"ErrorCode": 4}"#).await;
    b.click("sim-push-event").await;
    pane_has(&api, "the event", |l| l["topic"].as_str().is_some_and(|t| t.ends_with("thing/event/Alarm/post"))).await;
    b.click("tab-topic").await;
    b.fill("sim-payload", r#"{"door": "open"}"#).await;
    b.click("sim-publish").await;
    pane_has(&api, "the custom topic", |l| l["topic"] == format!("/{PK}/{DN}/user/update")).await;

    // Downstream: the console sets a property; the simulator answers and shows both.
    let dev = DeviceRef::new(PK, DN);
    let r = app.running().commands.call(&dev, DeviceCall::SetProperties(json!({"Brightness": 77})), T).await.unwrap();
    assert_eq!(r.code, 200);
    // The line names the topic the set came on, with the answer under it.
    b.wait_body("thing/service/property/set").await;
    b.find("sim-reply").await;
    b.click("tab-downstream").await;
    b.click("sim-subscribe").await;
    b.shot("round-trip").await;

    // Phone width: the forms stack above the log.
    let phone = Browser::open(&app.base_url(), "simulate-phone", 390).await;
    phone.login("admin", ADMIN_PW).await;
    phone.goto(&format!("/simulate/{PK}/{DN}?tab=properties")).await;
    phone.wait_text("sim-state", "Simulating").await;
    phone.screenshot("phone").await;
    phone.close().await;

    // Stop: the device goes offline.
    b.click("sim-stop").await;
    b.wait_text("sim-state", "Not started").await;
    eventually(T, "offline after stop", || async {
        (app.record(PK, DN).await?.device.status == DeviceStatus::Offline).then_some(())
    })
    .await;
    b.shot("stopped").await;
    b.close().await;
    app.shutdown().await;
}
