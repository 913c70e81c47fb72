//! Browser end-to-end (issue 11 §3 and §6): an offline device's last values read through the
//! thing model after a reload — names, units, labels, ages — and look stale; the Connection tab's
//! parameters, read off the page, connect a real MQTT client and the page sees the device come
//! online; Settings → About shows the broker address; a demo console says so on its login page.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Client, ConnectOptions, Device, DeviceOptions, Identity};
use serde_json::json;
use testkit::{eventually, Role, TestApp, ADMIN_PW};

const PK: &str = "a1PageLamp1";
const DN: &str = "page-lamp-01";
const HOUR: i64 = 3_600_000;

fn tsl() -> serde_json::Value {
    let prop = |id: &str, name: &str, dt: serde_json::Value| json!({"identifier": id, "name": name, "accessMode": "rw", "required": false, "dataType": dt});
    json!({
        "schema": "https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json",
        "profile": {"productKey": PK},
        "properties": [
            prop("PowerSwitch", "Main switch", json!({"type": "bool", "specs": {"0": "Off", "1": "On"}})),
            prop("Temperature", "Lamp temperature", json!({"type": "float", "specs": {"min": "-40", "max": "120", "step": "0.1", "unit": "°C", "unitName": "Celsius"}})),
            prop("Brightness", "Brightness", json!({"type": "int", "specs": {"min": "0", "max": "100", "step": "1", "unit": "%", "unitName": "percent"}})),
            prop("WorkMode", "Work mode", json!({"type": "enum", "specs": {"0": "Auto", "1": "Manual", "2": "Night"}})),
            prop("Geo", "Location", json!({"type": "struct", "specs": [
                {"identifier": "lat", "name": "Latitude", "dataType": {"type": "double", "specs": {"min": "-90", "max": "90", "unit": "°"}}},
                {"identifier": "lng", "name": "Longitude", "dataType": {"type": "double", "specs": {"min": "-180", "max": "180", "unit": "°"}}}
            ]})),
        ],
        "events": [],
        "services": []
    })
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn text(b: &Browser, testid: &str) -> String {
    b.find(testid).await.text().await.unwrap().trim().to_string()
}

async fn set_look(b: &Browser, theme: &str) {
    let js = format!("localStorage.setItem('fd.theme', '{theme}')");
    b.c.execute(&js, vec![]).await.unwrap();
    b.c.refresh().await.unwrap();
}

/// Takes the same pictures at 390 px, light and dark, of the page at `path`, once `ready` shows.
async fn phone_shots(app: &TestApp, path: &str, ready: &str, label: &str) {
    let mut p = Browser::open(&app.base_url(), &format!("device-page-phone-{label}"), 390).await;
    p.login("admin", ADMIN_PW).await;
    p.goto(path).await;
    p.find(ready).await;
    p.shot(&format!("{label}-light")).await;
    set_look(&p, "dark").await;
    p.find(ready).await;
    p.shot(&format!("{label}-dark")).await;
    p.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_values_read_through_the_model_and_the_connection_panel_connects_a_device() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "Street lamp").await;
    api.put(&format!("/api/v1/products/{PK}/tsl"), tsl()).await.ok();
    let secret = api.device(PK, DN).await;

    // A real device posts, then goes away. Temperature carries its own time, three hours ago.
    let dev = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN, &secret), &DeviceOptions::python())
        .await
        .expect("CONNACK accepted");
    let three_h_ago = now_ms() - 3 * HOUR - 60_000;
    let post = json!({
        "PowerSwitch": 0,
        "Temperature": {"value": 19.5, "time": three_h_ago},
        "Brightness": 54,
        "WorkMode": 1,
        "Geo": {"lat": 30.25, "lng": 120.5}
    });
    assert_eq!(dev.post_properties(post).await.expect("post_reply").code, 200);
    dev.disconnect().await;
    let device_path = format!("/api/v1/devices/{PK}/{DN}");
    eventually(Duration::from_secs(10), "the device to be offline", || async {
        (api.get(&device_path).await.ok()["status"] == "offline").then_some(())
    })
    .await;

    let mut b = Browser::open(&app.base_url(), "device-page", 1280).await;
    // Not a demo: the login page says nothing about one (once it has heard from the server).
    b.goto("/login").await;
    b.find("login-form").await;
    b.wait_body("v0.").await;
    assert!(!b.exists("login-demo-notice").await, "a demo notice on a console that is not a demo");
    b.login("admin", ADMIN_PW).await;
    b.goto(&format!("/devices/{PK}/{DN}?tab=tsl")).await;
    b.find("property-grid").await;
    // What the page shows on first paint after a reload, with no post to come.
    b.c.refresh().await.unwrap();
    let temp = b.wait_text("property-Temperature", "19.5").await;
    for want in ["Lamp temperature", "19.5 °C", "3 h ago", "last known"] {
        assert!(temp.contains(want), "Temperature card {temp:?} lacks {want:?}");
    }
    b.wait_text("property-PowerSwitch", "Main switch").await;
    let switch = b.wait_text("property-PowerSwitch", "Off").await;
    assert!(switch.contains('0'), "the code the device sent stays visible: {switch:?}");
    b.wait_text("property-WorkMode", "Manual").await;
    b.wait_text("property-Brightness", "54 %").await;
    b.wait_text("property-Geo", "{Latitude: 30.25 °, Longitude: 120.5 °}").await;
    for id in ["Temperature", "PowerSwitch", "Brightness"] {
        assert_eq!(b.attr(&format!("property-{id}"), "data-stale").await.as_deref(), Some("true"), "{id} looks stale");
    }
    // The age ticks on by itself: Brightness was received a few seconds ago.
    let first = text(&b, "property-Brightness").await;
    eventually(Duration::from_secs(10), "Brightness's age to tick", || async {
        (text(&b, "property-Brightness").await != first).then_some(())
    })
    .await;
    b.shot("tsl-offline-stale-light").await;

    // Chinese: the age and the marker too.
    b.click("lang-toggle").await;
    b.wait_text("property-Temperature", "3 小时前").await;
    b.wait_text("property-Temperature", "最后已知值").await;
    b.shot("tsl-offline-stale-zh").await;
    b.click("lang-toggle").await;
    set_look(&b, "dark").await;
    b.wait_text("property-Temperature", "3 h ago").await;
    b.shot("tsl-offline-stale-dark").await;
    set_look(&b, "light").await;

    // Connection parameters, read off the page as an installer would.
    b.goto(&format!("/devices/{PK}/{DN}?tab=connect")).await;
    b.find("connection-panel").await;
    let host = text(&b, "conn-host").await;
    let port: u16 = text(&b, "conn-port").await.parse().expect("a port number");
    assert_eq!((host.as_str(), port), ("127.0.0.1", app.mqtt_addr().port()), "this page's host and the broker's port");
    assert_eq!(text(&b, "conn-pk").await, PK);
    assert_eq!(text(&b, "conn-dn").await, DN);
    b.wait_text("conn-mosquitto", "mosquitto_pub").await;
    b.wait_text("conn-paho", "paho.mqtt.client").await;
    b.shot("connection-python-light").await;
    let js = "document.querySelector('[data-testid=conn-paho]').scrollIntoView()";
    b.c.execute(js, vec![]).await.unwrap();
    b.shot("connection-snippets-light").await;
    b.c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    let broker: SocketAddr = format!("{host}:{port}").parse().unwrap();

    // The C SDK 4.x form first: connect, accepted, and disconnect again.
    b.click("conn-sdk-c4").await;
    b.wait_text("conn-timestamp", "2524608000000").await;
    let c4 = read_form(&b).await;
    assert!(c4.client_id.contains("_v=sdk-c-4.x"), "{}", c4.client_id);
    Client::connect(broker, &c4).await.expect("the C SDK 4.x parameters are accepted").disconnect().await;

    // Then the Python form, kept connected: the page sees the device online.
    b.click("conn-sdk-python").await;
    b.wait_text("conn-client-id", "lan=Python").await;
    let py = read_form(&b).await;
    let client = Client::connect(broker, &py).await.expect("the Python SDK parameters are accepted");
    eventually(Duration::from_secs(15), "the device page to show online", || async {
        (b.attr("status-dot", "data-status").await? == "online").then_some(())
    })
    .await;
    b.shot("connection-online-light").await;
    set_look(&b, "dark").await;
    b.find("connection-panel").await;
    b.shot("connection-online-dark").await;
    set_look(&b, "light").await;

    // Online now, with a fresh value: not stale any more.
    b.goto(&format!("/devices/{PK}/{DN}?tab=tsl")).await;
    b.find("property-Brightness").await;
    client.disconnect().await;
    let dev = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN, &secret), &DeviceOptions::python())
        .await
        .expect("CONNACK accepted");
    assert_eq!(dev.post_properties(json!({"Brightness": 61})).await.expect("post_reply").code, 200);
    b.wait_text("property-Brightness", "61 %").await;
    eventually(Duration::from_secs(10), "Brightness to look current", || async {
        (b.attr("property-Brightness", "data-stale").await? == "false").then_some(())
    })
    .await;
    // Temperature is three hours old, Main switch was posted in the previous session: both
    // still stale on the online device, and they say so.
    b.wait_text("property-Temperature", "stale").await;
    assert_eq!(b.attr("property-PowerSwitch", "data-stale").await.as_deref(), Some("true"));
    b.wait_text("property-PowerSwitch", "stale").await;
    b.shot("tsl-online-mixed").await;

    // Settings → About: the broker address devices use.
    b.goto("/settings?tab=about").await;
    b.wait_text("about-broker", &format!("127.0.0.1:{}", app.mqtt_addr().port())).await;
    b.shot("about-broker").await;
    b.close().await;

    phone_shots(&app, &format!("/devices/{PK}/{DN}?tab=tsl"), "property-Temperature", "tsl").await;
    phone_shots(&app, &format!("/devices/{PK}/{DN}?tab=connect"), "connection-panel", "connection").await;
    dev.disconnect().await;
    app.shutdown().await;
}

/// The clientId, username and password on the page, as CONNECT options.
async fn read_form(b: &Browser) -> ConnectOptions {
    let (cid, user, pw) =
        (text(b, "conn-client-id").await, text(b, "conn-username").await, text(b, "conn-password").await);
    ConnectOptions { keep_alive: 30, ..ConnectOptions::new(cid).login(user, pw) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_console_says_so_on_its_login_page() {
    let app = TestApp::builder().gateway().ui().settings(|s| s.demo = true).build().await;
    let mut b = Browser::open(&app.base_url(), "device-page-demo", 1280).await;
    b.goto("/login").await;
    let notice = b.wait_text("login-demo-notice", "Demo console").await;
    assert!(notice.contains("admin") && notice.contains("standard output"), "{notice}");
    b.shot("login-demo").await;
    b.click("lang-toggle").await;
    b.wait_text("login-demo-notice", "演示环境").await;
    b.shot("login-demo-zh").await;
    b.close().await;
    let mut p = Browser::open(&app.base_url(), "device-page-demo-phone", 390).await;
    p.goto("/login").await;
    p.find("login-demo-notice").await;
    p.shot("login-demo-phone").await;
    p.close().await;
    app.shutdown().await;
}
