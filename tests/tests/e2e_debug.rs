//! Browser end-to-end (issue 12 §3, the Online Debug page) against a real server with the
//! unmodified Python Link SDK as the device:
//!
//! - find the device through the picker; offline: only Set expectations works, the other
//!   buttons say why (9201); a desired value is stored and, once the SDK connects, delivered
//!   (desired vs reported side by side, then cleared when reported);
//! - a read-only property is refused in the form (6332) and nothing is sent;
//! - Set reaches the SDK's callback and its reply shows; Get times out (the SDK ignores
//!   `property/get`): 1905 and the stored value marked "stored, from …";
//! - a sync service (RRPC) with its output; an async one: "pending", then the late reply;
//! - the log pane shows each flow under its trace id;
//! - the Info tab's log switch; a viewer reads the page with every action disabled;
//! - screenshots at 1280 and 390 px, light and dark, with no sideways scrolling.
//!
//! The product's thing model declares no `set`/`get` services: Alibaba generates them for every
//! product, so property set/get must work without them (the lost attempt failed here with 5094).

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::linkkit::{lamp_tsl_path, SdkDevice};
use model::runlog::{BizType, LogQuery};
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp, ADMIN_PW, USER_PW};

const PK: &str = "a1PyLamp001";
const DN: &str = "py-dbg-01";
const WITHIN: Duration = Duration::from_secs(20);

/// The server's model: the SDK's lamp (switch, brightness, Add, Blink) plus a read-only
/// temperature, and no `set`/`get` services.
fn tsl() -> Value {
    let int = |min: &str, max: &str| json!({"type": "int", "specs": {"min": min, "max": max, "step": "1"}});
    json!({
        "schema": "https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json",
        "profile": {"productKey": PK},
        "properties": [
            {"identifier": "LightSwitch", "name": "Switch", "accessMode": "rw",
             "dataType": {"type": "bool", "specs": {"0": "off", "1": "on"}}},
            {"identifier": "Brightness", "name": "Brightness", "accessMode": "rw",
             "dataType": {"type": "int", "specs": {"min": "0", "max": "100", "step": "1", "unit": "%", "unitName": "percent"}}},
            {"identifier": "Temperature", "name": "Temperature", "accessMode": "r",
             "dataType": {"type": "float", "specs": {"min": "-40", "max": "120", "step": "0.1", "unit": "°C"}}}
        ],
        "events": [],
        "services": [
            {"identifier": "Add", "name": "Add", "callType": "sync", "method": "thing.service.Add",
             "inputData": [{"identifier": "A", "name": "A", "dataType": int("-1000", "1000")},
                           {"identifier": "B", "name": "B", "dataType": int("-1000", "1000")}],
             "outputData": [{"identifier": "Sum", "name": "Sum", "dataType": int("-2000", "2000")}]},
            {"identifier": "Blink", "name": "Blink", "callType": "async", "method": "thing.service.Blink",
             "inputData": [{"identifier": "Times", "name": "Times", "dataType": int("1", "10")}],
             "outputData": [{"identifier": "Blinked", "name": "Blinked", "dataType": int("0", "10")}]}
        ]
    })
}

async fn js(b: &Browser, script: &str) -> Value {
    b.c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script {script}: {e}"))
}

async fn text(b: &Browser, testid: &str) -> String {
    b.find(testid).await.text().await.unwrap().trim().to_string()
}

/// Wait until the element's attribute has `want`.
async fn wait_attr(b: &Browser, testid: &str, name: &str, want: Option<&str>) {
    eventually(WITHIN, &format!("{testid}[{name}] = {want:?}"), || async {
        (b.attr(testid, name).await.as_deref() == want).then_some(())
    })
    .await;
}

/// The trace id of the answer in the result pane, once its code is `code`.
async fn result(b: &Browser, code: &str) -> String {
    b.wait_text("dbg-result-code", code).await;
    text(b, "dbg-result-trace").await
}

/// The log pane has a row of `trace` of business type `biz` (and with `op` in its operation).
async fn log_row(b: &Browser, trace: &str, biz: &str, op: &str) {
    let css = format!("[data-testid=dbg-log-row][data-trace=\"{trace}\"][data-biz=\"{biz}\"]");
    eventually(WITHIN, &format!("a {biz} row of trace {trace} with {op}"), || async {
        let script = format!(
            "return [...document.querySelectorAll('{css}')].some(r => r.querySelector('[data-testid=dbg-log-op]').textContent.includes('{op}'))"
        );
        (js(b, &script).await == json!(true)).then_some(())
    })
    .await;
}

/// Neither the page nor the log pane, the result pane or the property list scrolls sideways.
async fn assert_fits(b: &Browser, what: &str) {
    let v = js(
        b,
        "const els = [document.documentElement, ...document.querySelectorAll('.dbg-log, .dbg-log-item, .dbg-json, .dbg-props, .dbg-result, .dbg-controls')];
         return els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => (e.className || e.tagName) + ' ' + e.scrollWidth + '>' + e.clientWidth)",
    )
    .await;
    if v != json!([]) {
        b.screenshot(&format!("FAILED-overflow-{what}")).await;
        panic!("{what}: wider than their box: {v}");
    }
}

async fn set_theme(b: &Browser, theme: &str) {
    js(b, &format!("localStorage.setItem('fd.theme', '{theme}')")).await;
    b.c.refresh().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_debugs_a_python_sdk_device_in_the_browser() {
    let app = TestApp::builder().gateway().ui().build().await;
    let admin = app.client(Role::Admin).await;
    admin.product_named(PK, "Python lamp").await;
    admin.put(&format!("/api/v1/products/{PK}/tsl"), tsl()).await.ok();
    let secret = admin.device(PK, DN).await;
    app.user("watcher", Role::Viewer).await;
    let dev_url = |rest: &str| format!("/api/v1/devices/{PK}/{DN}/{rest}");

    // The sidebar's Online Debug: pick the product, search the device.
    let mut b = Browser::open(&app.base_url(), "debug", 1280).await;
    b.login("admin", ADMIN_PW).await;
    b.click("nav-debug").await;
    b.select("dbg-product", PK).await;
    b.fill("dbg-search", "py-dbg").await;
    b.click(&format!("dbg-pick-{DN}")).await;
    b.wait_text("dbg-title", DN).await;

    // Offline: Get and Set are disabled and say why; Set expectations is not.
    b.wait_text("dbg-offline", "9201").await;
    wait_attr(&b, "dbg-set-Brightness", "disabled", Some("true")).await;
    assert!(b.attr("dbg-get-all", "title").await.unwrap_or_default().contains("9201"));
    assert_eq!(b.attr("dbg-expect-Brightness", "disabled").await, None);
    b.fill("dbg-input-Brightness", "33").await;
    b.click("dbg-expect-Brightness").await;
    let expect_trace = result(&b, "200").await;
    b.wait_text("dbg-desired-Brightness", "33").await;
    b.wait_text("dbg-desired-Brightness", "v1").await;
    log_row(&b, &expect_trace, "ApiService", "SetDeviceDesiredProperty").await;

    // A read-only property is refused in the form: 6332, and nothing reaches the server.
    b.fill("dbg-input-Temperature", "21").await;
    b.wait_body("read-only (6332)").await;
    b.click("dbg-expect-Temperature").await;
    b.wait_text("dbg-result-code", "6332").await;
    b.find("dbg-result-refused").await;
    let api_calls = LogQuery {
        product_key: Some(PK.into()),
        device_name: Some(DN.into()),
        biz_type: Some(BizType::ApiService),
        limit: Some(100),
        ..Default::default()
    };
    assert_eq!(app.stored_logs(&api_calls).await.len(), 1, "only the expectation reached the server");
    assert_eq!(admin.get(&dev_url("desired")).await.ok()["items"].as_array().unwrap().len(), 1);
    b.fill("dbg-input-Temperature", "").await;
    b.shot("offline-expectation").await;

    // The SDK connects: the desired value is delivered as a set, reported back, then cleared.
    let mut dev = SdkDevice::spawn(PK, DN, &secret, app.mqtt_addr().port(), &lamp_tsl_path(), &["report"]);
    assert_eq!(dev.expect("connect").await["rc"], 0);
    assert_eq!(dev.expect("prop_set").await["params"], json!({"Brightness": 33}));
    b.wait_text("dbg-reported-Brightness", "33").await;
    b.wait_text("dbg-desired-Brightness", "—").await;
    wait_attr(&b, "dbg-set-Brightness", "disabled", None).await;
    assert!(!b.exists("dbg-offline").await, "the offline note is gone once the device is online");

    // Set: reaches the SDK's callback; its set_reply is the answer; the flow is in the log pane.
    b.fill("dbg-input-LightSwitch", "1").await;
    b.click("dbg-set-LightSwitch").await;
    let set_trace = result(&b, "200").await;
    assert_eq!(dev.expect("prop_set").await["params"], json!({"LightSwitch": 1}));
    log_row(&b, &set_trace, "ApiService", "SetDeviceProperty").await;
    log_row(&b, &set_trace, "downlink", "/thing/service/property/set").await;
    log_row(&b, &set_trace, "uplink", "property/set_reply").await;
    b.wait_text("dbg-reported-LightSwitch", "on").await;

    // Get: the SDK ignores property/get, so 1905 after the wait and the stored value, marked.
    b.fill("dbg-input-Brightness", "").await;
    b.click("dbg-get-Brightness").await;
    let get_trace = result(&b, "1905").await;
    b.wait_text("dbg-stored", "stored, from").await;
    assert_eq!(b.find("dbg-input-Brightness").await.prop("value").await.unwrap().as_deref(), Some("33"));
    log_row(&b, &get_trace, "downlink", "/thing/service/property/get").await;

    // A sync service over RRPC: the structured form, the output in the result pane.
    b.click("tab-services").await;
    b.select("dbg-service", "Add").await;
    b.wait_text("dbg-call-type", "sync").await;
    b.fill("dbg-param-A", "20").await;
    b.fill("dbg-param-B", "22").await;
    b.click("dbg-send").await;
    let add_trace = result(&b, "200").await;
    b.wait_text("dbg-result-data", "\"Sum\": 42").await;
    assert_eq!(dev.expect("service").await["identifier"], "Add");
    log_row(&b, &add_trace, "downlink", "/thing/service/Add").await;

    // Raw JSON is always there; a bad input is refused before sending.
    b.click("dbg-mode-json").await;
    b.fill("dbg-service-json", r#"{"A": 20, "B": 5000}"#).await;
    b.click("dbg-send").await;
    b.wait_text("dbg-result-code", "6306").await;
    b.find("dbg-result-refused").await;

    // An async service: pending at once, then the late reply under the same trace.
    b.select("dbg-service", "Blink").await;
    b.wait_text("dbg-call-type", "async").await;
    b.fill("dbg-param-Times", "3").await;
    b.click("dbg-send").await;
    let blink_trace = result(&b, "200").await;
    b.wait_text("dbg-result-pending", &blink_trace).await;
    b.wait_text("dbg-result-pending", "Waiting").await;
    let svc = dev.expect("service").await;
    assert_eq!((svc["identifier"].as_str(), &svc["params"]), (Some("Blink"), &json!({"Times": 3})));
    dev.send("answer Blink").await;
    dev.expect("answered").await;
    b.wait_text("dbg-result-reply", "Blink_reply").await;
    b.wait_text("dbg-result-pending", "replied").await;
    log_row(&b, &blink_trace, "uplink", "Blink_reply").await;

    // The log pane: filter by a trace, open an entry (wrapped pretty JSON), pause and clear.
    b.click("dbg-result-filter").await;
    eventually(WITHIN, "only the Blink trace in the pane", || async {
        let traces =
            js(&b, "return [...document.querySelectorAll('[data-testid=dbg-log-row]')].map(r => r.dataset.trace)")
                .await;
        let all = traces.as_array()?.iter().all(|t| t == blink_trace.as_str());
        (all && !traces.as_array()?.is_empty()).then_some(())
    })
    .await;
    let first = b.find_css("[data-testid=dbg-log-row] [data-testid^=dbg-log-toggle-]").await;
    first.click().await.unwrap();
    b.find_css("[data-testid^=dbg-log-json-]").await;
    assert_eq!(
        b.attr("dbg-log-all", "href").await.unwrap(),
        format!("/logs?product={PK}&device={DN}&trace={blink_trace}")
    );
    assert_fits(&b, "1280").await;
    b.shot("services-and-log").await;
    b.fill("dbg-log-trace", "").await;
    b.click("dbg-log-pause").await;
    b.find("dbg-log-paused").await;
    b.click("dbg-log-pause").await;
    b.click("dbg-log-clear").await;
    b.find("dbg-log-empty").await;

    // The properties tab at 1280 px, light and dark, with a long JSON entry open.
    b.goto(&format!("/debug/{PK}/{DN}?tab=properties")).await;
    b.wait_text("dbg-reported-Brightness", "33").await;
    b.find("dbg-log").await;
    assert_fits(&b, "1280-properties").await;
    b.shot("properties-light").await;
    set_theme(&b, "dark").await;
    b.wait_text("dbg-reported-Brightness", "33").await;
    b.find("dbg-log").await;
    b.shot("properties-dark").await;
    set_theme(&b, "light").await;

    // Phone width: everything stacks, nothing scrolls sideways.
    let mut p = Browser::open(&app.base_url(), "debug-phone", 390).await;
    p.login("admin", ADMIN_PW).await;
    p.goto(&format!("/debug/{PK}/{DN}")).await;
    p.wait_text("dbg-reported-Brightness", "33").await;
    p.find("dbg-log").await;
    assert_fits(&p, "390").await;
    p.shot("phone-light").await;
    set_theme(&p, "dark").await;
    p.wait_text("dbg-reported-Brightness", "33").await;
    p.goto(&format!("/debug/{PK}/{DN}?tab=services")).await;
    p.find("dbg-send").await;
    assert_fits(&p, "390-services").await;
    p.shot("phone-services-dark").await;
    p.close().await;

    // A viewer reads the page; every action is disabled with the reason.
    let v = Browser::open(&app.base_url(), "debug-viewer", 1280).await;
    v.login("watcher", USER_PW).await;
    v.goto(&format!("/debug/{PK}/{DN}")).await;
    v.wait_text("dbg-reported-Brightness", "33").await;
    for id in ["dbg-get-Brightness", "dbg-set-Brightness", "dbg-expect-Brightness", "dbg-set-all"] {
        assert_eq!(v.attr(id, "disabled").await.as_deref(), Some("true"), "{id}");
        assert_eq!(v.attr(id, "title").await.as_deref(), Some("Needs the operator role"), "{id}");
    }
    v.close().await;

    // The SDK leaves; no exception in it, each service delivered once.
    let seen = dev.quit_cleanly().await;
    assert_eq!(seen.iter().filter(|v| v["event"] == "service").count(), 2, "{seen:?}");

    // The device page: a Debug button, and the Info tab's log switch (stored, read on connect).
    b.goto(&format!("/devices/{PK}/{DN}?tab=info")).await;
    assert_eq!(b.attr("device-debug", "href").await.unwrap(), format!("/debug/{PK}/{DN}"));
    b.wait_text("device-log-mode", "Off").await;
    b.click("device-log-toggle").await;
    b.wait_text("device-log-mode", "On").await;
    assert_eq!(admin.get(&dev_url("log-switch")).await.ok(), json!({"mode": 1}));
    b.shot("info-log-switch").await;
    // The TSL data tab shows a desired value beside the reported one.
    let r = admin.put(&dev_url("desired"), json!({"params": {"Brightness": 50}})).await.ok();
    assert_eq!(r["code"], 200, "{r}");
    b.click("tab-tsl").await;
    b.wait_text("property-desired", "50 %").await;
    b.wait_text("property-Brightness", "33").await;
    b.shot("tsl-desired").await;
    b.close().await;
    app.shutdown().await;
}
