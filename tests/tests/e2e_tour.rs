//! The screenshot tour (issue 11, "Proof"): against a real server with real MQTT devices (one
//! posting, one gone offline, one never connected) and their run log, every main page at 1280
//! and 390 px, light and dark, English and Chinese — switched the way a user does, with the
//! top bar's buttons. At 390 px tables are cards and nothing scrolls sideways; a long log row
//! opens (from the keyboard) to pretty JSON; a Chinese thing-model name keeps its width.
//! Screenshots: `test-artifacts/screenshots/tour-*.png`.

use std::time::Duration;

use fantoccini::key::Key;
use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity};
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp, ADMIN_PW};

const PK: &str = "a1TourLamp1";
const ON: &str = "corridor-lamp-east-wing-01";
const OFF: &str = "lobby-lamp-02";
const NEVER: &str = "spare-lamp-03";
/// A thing-model property whose Chinese name used to stack one character per line on a phone.
const LONG_ID: &str = "IndoorTemperatureSensorReading";
const LONG_NAME: &str = "当前室内环境温度传感器读数";

/// The lamp's thing model with Chinese names, a temperature and a free-text property.
fn thing_model() -> Value {
    let mut tsl: Value = serde_json::from_str(include_str!("../python/linkkit_lamp_tsl.json")).unwrap();
    tsl["profile"]["productKey"] = json!(PK);
    let props = tsl["properties"].as_array_mut().unwrap();
    props[0]["name"] = json!("主灯开关");
    props[1]["name"] = json!("亮度");
    props.push(json!({"identifier": LONG_ID, "name": LONG_NAME, "accessMode": "r", "required": false,
        "dataType": {"type": "float", "specs": {"min": "-40", "max": "125", "step": "0.1", "unit": "°C", "unitName": "摄氏度"}}}));
    props.push(json!({"identifier": "StatusText", "name": "状态描述", "accessMode": "r", "required": false,
        "dataType": {"type": "text", "specs": {"length": "2048"}}}));
    tsl
}

/// A post long enough to be cut off in the log table.
fn long_post(n: u32) -> Value {
    let text = format!(
        "run {n}: lamp self-test passed; driver current nominal; lens temperature within limits; \
         firmware 4.2.7 (build 2026-11-30); next maintenance window Saturday 02:00-04:00; \
         contact the facilities desk on extension 4411 before replacing the ballast"
    );
    json!({"LightSwitch": 1, "Brightness": 40 + n % 50, LONG_ID: 21.5, "StatusText": text})
}

async fn js(b: &Browser, script: &str) -> Value {
    b.c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script {script}: {e}"))
}

/// Click the top bar's theme and language buttons until the page is in `theme` and `lang`.
async fn look(b: &Browser, theme: &str, lang: &str) {
    let html_lang = if lang == "zh" { "zh-CN" } else { "en" };
    let attr = |name: &'static str| async move {
        js(b, &format!("return document.documentElement.getAttribute('{name}')"))
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    if attr("data-theme").await != theme {
        b.click("theme-toggle").await;
    }
    if attr("lang").await != html_lang {
        b.click("lang-toggle").await;
    }
    eventually(Duration::from_secs(5), "the theme and language to switch", || async {
        (attr("data-theme").await == theme && attr("lang").await == html_lang).then_some(())
    })
    .await;
}

/// At phone width: nothing wider than the screen.
async fn assert_no_sideways_scroll(b: &Browser, what: &str) {
    let v = js(b, "return [document.documentElement.scrollWidth, window.innerWidth]").await;
    let (sw, iw) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
    if sw > iw {
        b.screenshot(&format!("FAILED-overflow-{what}")).await;
        panic!("{what}: the page is {sw}px wide on a {iw}px screen");
    }
}

/// At phone width: the table is cards (no header row, each row a box).
async fn assert_cards(b: &Browser, table: &str) {
    let script = format!(
        "const t = document.querySelector('[data-testid={table}]');
         const row = t.querySelector('tbody tr');
         return [getComputedStyle(t.querySelector('thead')).display, getComputedStyle(row).display]"
    );
    let v = js(b, &script).await;
    assert_eq!((v[0].as_str(), v[1].as_str()), (Some("none"), Some("flex")), "{table} is not cards at 390 px");
}

/// The pages of the tour: (label, path, what shows once it is loaded, its table if any).
const PAGES: &[(&str, &str, &str, Option<&str>)] = &[
    ("overview", "/", "kpi-devices", None),
    ("devices", "/devices", "device-table", Some("device-table")),
    ("device-info", "/devices/a1TourLamp1/corridor-lamp-east-wing-01?tab=info", "device-info", None),
    ("device-tsl", "/devices/a1TourLamp1/corridor-lamp-east-wing-01?tab=tsl", "property-grid", None),
    ("device-logs", "/devices/a1TourLamp1/corridor-lamp-east-wing-01?tab=logs", "log-table", Some("log-table")),
    ("products", "/products", "product-table", Some("product-table")),
    ("product-tsl", "/products/a1TourLamp1?tab=tsl", "tsl-property-table", Some("tsl-property-table")),
    ("logs", "/logs", "log-table", Some("log-table")),
    ("audit", "/audit", "audit-table", Some("audit-table")),
    ("settings", "/settings", "password-form", None),
];

async fn tour(b: &mut Browser, width: u32) {
    for (theme, lang) in [("light", "en"), ("dark", "en"), ("light", "zh"), ("dark", "zh")] {
        b.goto("/").await;
        b.find("kpi-devices").await;
        look(b, theme, lang).await;
        for (label, path, ready, table) in PAGES {
            b.goto(path).await;
            b.find(ready).await;
            if *label == "device-tsl" {
                b.find(&format!("property-{LONG_ID}")).await;
            }
            if width < 600 {
                assert_no_sideways_scroll(b, label).await;
                if let Some(t) = table {
                    assert_cards(b, t).await;
                }
            }
            b.shot(&format!("{width}-{theme}-{lang}-{label}")).await;
        }
    }
}

/// The long row of the Device Log opens from the keyboard and shows the whole post as pretty
/// JSON; the text of the row itself stays one line.
async fn long_row_opens_to_pretty_json(b: &mut Browser, width: u32) {
    b.goto(&format!("/logs?product={PK}&device={ON}")).await;
    b.find("log-row").await;
    let id = js(
        b,
        "const r = [...document.querySelectorAll('[data-testid=log-row]')]
             .find(r => r.textContent.includes('ballast') && r.textContent.includes('thing.event.property.post'));
         return r ? r.dataset.id : null",
    )
    .await;
    let id = id.as_str().unwrap_or_else(|| panic!("no long uplink row in the log: {id}")).to_string();
    assert!(!b.exists(&format!("log-detail-{id}")).await, "rows start closed");
    let toggle = b.find(&format!("log-toggle-{id}")).await;
    assert_eq!(toggle.attr("aria-expanded").await.unwrap().as_deref(), Some("false"));
    toggle.send_keys(&char::from(Key::Enter).to_string()).await.unwrap();
    let json_view = b.find(&format!("log-json-{id}")).await;
    let text = json_view.text().await.unwrap();
    assert!(text.contains("contact the facilities desk on extension 4411 before replacing the ballast"), "{text}");
    assert!(text.lines().count() >= 6 && text.contains("\"Brightness\": "), "not pretty-printed: {text}");
    assert_eq!(b.attr(&format!("log-toggle-{id}"), "aria-expanded").await.as_deref(), Some("true"));
    if width < 600 {
        assert_no_sideways_scroll(b, "log-open").await;
    }
    b.shot(&format!("{width}-log-row-open")).await;
    b.click(&format!("log-toggle-{id}")).await;
    eventually(Duration::from_secs(5), "the row to close", || async {
        (!b.exists(&format!("log-detail-{id}")).await).then_some(())
    })
    .await;
}

/// The Chinese name of a property is at most two lines and at least four characters wide.
async fn chinese_name_keeps_its_width(b: &mut Browser, width: u32) {
    b.goto(&format!("/devices/{PK}/{ON}?tab=tsl")).await;
    b.find(&format!("property-{LONG_ID}")).await;
    let script = format!(
        "const el = document.querySelector('[data-testid=property-{LONG_ID}] .prop-name > :first-child');
         const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
         return [el.textContent, r.width, r.height, parseFloat(cs.fontSize), parseFloat(cs.lineHeight)]"
    );
    // The name comes from the thing model (the device posts every second, so it is there soon).
    let v = eventually(Duration::from_secs(10), "the property's name from the thing model", || async {
        let v = js(b, &script).await;
        (v[0].as_str() == Some(LONG_NAME)).then_some(v)
    })
    .await;
    let (w, h, fs, lh) =
        (v[1].as_f64().unwrap(), v[2].as_f64().unwrap(), v[3].as_f64().unwrap(), v[4].as_f64().unwrap());
    assert!(h <= 2.0 * lh + 1.0, "at {width}px the name {LONG_NAME} is {h}px high ({lh}px lines): stacked");
    assert!(w >= 4.0 * fs, "at {width}px the name {LONG_NAME} is only {w}px wide");

    // And in the product's thing model.
    b.goto(&format!("/products/{PK}?tab=tsl")).await;
    b.find(&format!("tsl-property-row-{LONG_ID}")).await;
    let script = format!(
        "const el = document.querySelector('[data-testid=tsl-property-row-{LONG_ID}] td:first-child');
         const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
         return [el.textContent, r.width, r.height, parseFloat(cs.fontSize), parseFloat(cs.lineHeight)]"
    );
    let v = js(b, &script).await;
    let (w, h, fs, lh) =
        (v[1].as_f64().unwrap(), v[2].as_f64().unwrap(), v[3].as_f64().unwrap(), v[4].as_f64().unwrap());
    assert_eq!(v[0].as_str(), Some(LONG_NAME));
    assert!(h <= 2.0 * lh + 12.0, "at {width}px the thing model's {LONG_NAME} is {h}px high: stacked");
    assert!(w >= 4.0 * fs, "at {width}px the thing model's {LONG_NAME} is only {w}px wide");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tour_of_the_console_at_two_widths_two_themes_two_languages() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "智能路灯 Smart street lamp").await;
    api.put(&format!("/api/v1/products/{PK}/tsl"), thing_model()).await.ok();
    let mut secrets = Vec::new();
    for dn in [ON, OFF, NEVER] {
        secrets.push(api.device(PK, dn).await);
    }
    let nick = "二楼东侧走廊应急照明灯（备用电源，消防通道）";
    api.patch(&format!("/api/v1/devices/{PK}/{ON}"), json!({"nickname": nick})).await.ok();
    api.patch(&format!("/api/v1/devices/{PK}/{OFF}"), json!({"nickname": "Lobby lamp next to the revolving door"}))
        .await
        .ok();

    // One device posts and stays; one posts once and leaves (offline); one never came.
    let opts = DeviceOptions::python();
    let on = Device::connect(app.mqtt_addr(), &Identity::new(PK, ON, &secrets[0]), &opts).await.expect("CONNACK");
    let off = Device::connect(app.mqtt_addr(), &Identity::new(PK, OFF, &secrets[1]), &opts).await.expect("CONNACK");
    for n in 0..3 {
        assert_eq!(on.post_properties(long_post(n)).await.expect("post_reply").code, 200);
    }
    assert_eq!(off.post_properties(json!({"Brightness": 10})).await.expect("post_reply").code, 200);
    // An invalid post, so the log has a failed row too.
    assert_eq!(on.post_properties(json!({"Brightness": 1000})).await.expect("post_reply").code, 6306);
    off.disconnect().await;
    // The posting device goes on posting while the tour runs.
    let poster = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        for n in 3.. {
            tick.tick().await;
            if on.post_properties(json!({"Brightness": 40 + n % 50, LONG_ID: 21.5})).await.is_err() {
                break;
            }
        }
    });

    for width in [1280, 390] {
        let mut b = Browser::open(&app.base_url(), "tour", width).await;
        b.login("admin", ADMIN_PW).await;
        tour(&mut b, width).await;
        long_row_opens_to_pretty_json(&mut b, width).await;
        chinese_name_keeps_its_width(&mut b, width).await;
        b.close().await;
    }
    poster.abort();
}
