//! Browser end-to-end (issue 14 §2 network status, §3 property history and events): a real
//! MQTT device posts properties, events and network status; the device page shows a property's
//! history as chart and table and a new post joins it live; the Events tab filters by event and
//! type; the Network tab shows the seed's table (Collected At empty without `_time`), the RSSI /
//! SNR / loss charts and "View details" with each err_stats record's count. A viewer sees it all.
//! Screenshots at 1280 px, 390 px and dark.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fleetdeck_tests::browser::Browser;
use fleetdeck_tests::device::{Device, DeviceOptions, Identity, QoS};
use serde_json::{json, Value};
use testkit::{eventually, Role, TestApp, USER_PW};

const PK: &str = "a1HistLamp1";
const DN: &str = "hist-lamp-01";

fn tsl() -> Value {
    let prop = |id: &str, name: &str, dt: Value| json!({"identifier": id, "name": name, "accessMode": "rw", "required": false, "dataType": dt});
    let event = |id: &str, name: &str, ty: &str| {
        json!({"identifier": id, "name": name, "type": ty, "outputData": [
            {"identifier": "code", "name": "Code", "dataType": {"type": "int", "specs": {"min": "0", "max": "100"}}}
        ]})
    };
    json!({
        "schema": "https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json",
        "profile": {"productKey": PK},
        "properties": [
            prop("Temperature", "Lamp temperature", json!({"type": "float", "specs": {"min": "-40", "max": "120", "step": "0.1", "unit": "°C"}})),
            prop("WorkMode", "Work mode", json!({"type": "enum", "specs": {"0": "Auto", "1": "Manual", "2": "Night"}})),
        ],
        "events": [event("Boot", "Started", "info"), event("Overheat", "Overheating", "alert"), event("Fault", "Lamp fault", "error")],
        "services": []
    })
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn count(b: &Browser, testid: &str) -> usize {
    b.c.find_all(fantoccini::Locator::Css(&Browser::tid(testid))).await.map(|v| v.len()).unwrap_or(0)
}

async fn wait_count(b: &Browser, testid: &str, n: usize) {
    eventually(Duration::from_secs(15), &format!("{n} × {testid}"), || async {
        (count(b, testid).await == n).then_some(())
    })
    .await;
}

/// ECharts drew into the chart element (a canvas inside it).
async fn drawn(b: &Browser, chart: &str) {
    b.find_css(&format!("{} canvas", Browser::tid(&format!("chart-{chart}")))).await;
}

async fn diag(dev: &Device, p: Value) {
    let topic = dev.sys_topic("_thing/diag/post");
    let params = json!({"p": p, "model": "format=simple|quantity=single|time=now"});
    let r = dev.request(&topic, None, params, QoS::AtLeastOnce).await.expect("diag post_reply");
    assert_eq!(r.code, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn property_history_events_and_network_status_on_the_device_page() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named(PK, "Street lamp").await;
    api.put(&format!("/api/v1/products/{PK}/tsl"), tsl()).await.ok();
    let secret = api.device(PK, DN).await;
    let viewer = app.user("watcher", Role::Viewer).await;

    let dev = Device::connect(app.mqtt_addr(), &Identity::new(PK, DN, &secret), &DeviceOptions::python())
        .await
        .expect("CONNACK accepted");
    let t = now_ms();
    for (i, v) in [21.5, 23.0, 22.25].iter().enumerate() {
        let post = json!({"Temperature": {"value": v, "time": t - 60_000 + i as i64 * 10_000}, "WorkMode": i});
        assert_eq!(dev.post_properties(post).await.expect("post_reply").code, 200);
    }
    for (ev, code) in [("Boot", 0), ("Overheat", 90), ("Fault", 7)] {
        assert_eq!(dev.post_event(ev, json!({"value": {"code": code}})).await.expect("event reply").code, 200);
    }
    diag(
        &dev,
        json!({"wifi": {"rssi": -58, "snr": 31, "per": 2, "err_stats": "10,02,01;10,05,03"}, "_time": t - 30_000}),
    )
    .await;
    diag(&dev, json!({"wifi": {"rssi": -71, "snr": 19, "per": 0}})).await;
    // The viewer's REST view agrees before the browser looks.
    let page = viewer.get(&format!("/api/v1/devices/{PK}/{DN}/network-status")).await.ok();
    assert_eq!(page["rows"].as_array().unwrap().len(), 2);

    let mut b = Browser::open(&app.base_url(), "history", 1280).await;
    b.login("watcher", USER_PW).await;

    // §3: a property's history, then a live point.
    b.goto(&format!("/devices/{PK}/{DN}?tab=tsl")).await;
    b.click("property-history-Temperature").await;
    b.find("property-history").await;
    wait_count(&b, "property-history-row", 3).await;
    b.wait_text("property-history-table", "22.25 °C").await;
    b.wait_text("property-history-count", "3").await;
    drawn(&b, "property-history-chart").await;
    assert_eq!(dev.post_properties(json!({"Temperature": 42.5})).await.unwrap().code, 200);
    b.wait_text("property-history-table", "42.5 °C").await;
    wait_count(&b, "property-history-row", 4).await;
    b.shot("property-history").await;
    // An enum's history reads through its labels (and is drawn as steps).
    b.click("property-history-close").await;
    b.click("property-history-WorkMode").await;
    b.wait_text("property-history-table", "Night").await;
    b.wait_text("property-history-table", "Manual").await;
    drawn(&b, "property-history-chart").await;
    // The range picker: 24 h still has them; a custom range before the posts has none.
    b.click("history-range-24h").await;
    wait_count(&b, "property-history-row", 3).await;
    b.click("history-range-custom").await;
    // Typed keys land differently per locale in a datetime-local field: set the values as a
    // picker would, with the input event the form listens to.
    for (id, v) in [("history-range-from", "2020-01-01T00:00"), ("history-range-to", "2020-01-02T00:00")] {
        b.find(id).await;
        let js = format!(
            "const e = document.querySelector('[data-testid=\"{id}\"]'); e.value = '{v}'; e.dispatchEvent(new Event('input', {{bubbles: true}}));"
        );
        b.c.execute(&js, vec![]).await.unwrap();
    }
    b.click("history-range-apply").await;
    b.wait_body("No values in this range").await;

    // Events: all three, then filtered by type and by event.
    b.click("tab-events").await;
    wait_count(&b, "event-row", 3).await;
    b.wait_text("events-table", "Overheating").await;
    b.shot("events").await;
    b.select("events-filter-type", "error").await;
    wait_count(&b, "event-row", 1).await;
    b.wait_text("events-table", "Lamp fault").await;
    assert!(b.c.current_url().await.unwrap().as_str().contains("etype=error"), "the filter is in the URL");
    b.select("events-filter-type", "").await;
    b.select("events-filter-event", "Overheat").await;
    wait_count(&b, "event-row", 1).await;
    b.wait_text("event-params", "90").await;
    // A new event arrives live while the list is open.
    assert_eq!(dev.post_event("Overheat", json!({"value": {"code": 95}})).await.unwrap().code, 200);
    wait_count(&b, "event-row", 2).await;

    // §2: the network status table, charts and error details.
    b.click("tab-network").await;
    wait_count(&b, "network-row", 2).await;
    for chart in ["net-rssi", "net-snr", "net-loss"] {
        drawn(&b, chart).await;
    }
    let rows = b.c.find_all(fantoccini::Locator::Css(&Browser::tid("network-row"))).await.unwrap();
    // Newest first: the sample without `_time` has no collection time.
    let newest = rows[0].text().await.unwrap();
    assert!(newest.contains("-71") && newest.contains("None"), "{newest}");
    let collected = rows[0].find(fantoccini::Locator::Css(&Browser::tid("network-collected"))).await.unwrap();
    assert_eq!(collected.text().await.unwrap().trim(), "", "Collected At is empty without _time");
    let older = rows[1].text().await.unwrap();
    assert!(older.contains("-58") && older.contains("Wi-Fi"), "{older}");
    assert_eq!(count(&b, "network-view-details").await, 1, "View details only where errors were reported");
    b.wait_text("network-view-details", "4").await;
    b.shot("network").await;
    b.click("network-view-details").await;
    b.find("network-details").await;
    wait_count(&b, "network-details-row", 2).await;
    let counts = b.c.find_all(fantoccini::Locator::Css(&Browser::tid("network-details-count"))).await.unwrap();
    let mut got = Vec::new();
    for c in counts {
        got.push(c.text().await.unwrap().trim().to_string());
    }
    assert_eq!(got, vec!["1", "3"]);
    b.wait_text("network-details-raw", "10,02,01;10,05,03").await;
    b.shot("network-details").await;
    b.click("network-details-close").await;
    b.close().await;

    // Phone width, light and dark.
    for theme in ["light", "dark"] {
        let mut p = Browser::open(&app.base_url(), &format!("history-phone-{theme}"), 390).await;
        p.login("watcher", USER_PW).await;
        p.c.execute(&format!("localStorage.setItem('fd.theme', '{theme}')"), vec![]).await.unwrap();
        p.goto(&format!("/devices/{PK}/{DN}?tab=network")).await;
        wait_count(&p, "network-row", 2).await;
        drawn(&p, "net-rssi").await;
        p.shot(&format!("network-{theme}")).await;
        p.goto(&format!("/devices/{PK}/{DN}?tab=tsl&prop=Temperature")).await;
        wait_count(&p, "property-history-row", 4).await;
        drawn(&p, "property-history-chart").await;
        p.shot(&format!("property-history-{theme}")).await;
        p.goto(&format!("/devices/{PK}/{DN}?tab=events")).await;
        wait_count(&p, "event-row", 4).await;
        p.shot(&format!("events-{theme}")).await;
        p.close().await;
    }
    dev.disconnect().await;
    app.shutdown().await;
}
