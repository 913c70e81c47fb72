//! The Grafana dashboard in `deploy/grafana/` (issue 14 §4) queries only what `/metrics`
//! exposes: every metric name in its PromQL expressions is a series of a live test server's
//! scrape, after some device traffic and HTTP requests.

use std::collections::BTreeSet;

use devclient::QoS;
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::{DeviceStatus, NodeType};
use serde_json::Value;
use testkit::{eventually, Role, TestApp, DEADLINE};

const PK: &str = "a1Dashboard1";

/// Every `expr` in the dashboard (panels, rows, templating), recursively.
fn exprs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("expr", Value::String(s)) => out.push(s.clone()),
                    ("definition", Value::String(s)) => out.push(s.clone()),
                    _ => exprs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| exprs(v, out)),
        _ => {}
    }
}

/// The metric names a PromQL expression reads: identifiers outside quotes that name one of
/// fleetdeck's or the process collector's families.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in expr.chars().chain(std::iter::once(' ')) {
        if c == '"' {
            quoted = !quoted;
            word.clear();
            continue;
        }
        if !quoted && (c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            word.push(c);
            continue;
        }
        if word.starts_with("fleetdeck_") || word.starts_with("process_") {
            names.insert(std::mem::take(&mut word));
        }
        word.clear();
    }
    names
}

#[test]
fn names_are_read_from_promql() {
    let e = r#"histogram_quantile(0.5, sum by (le) (rate(fleetdeck_a_bucket{x="fleetdeck_not"}[5m]))) / process_b"#;
    assert_eq!(metric_names(e), BTreeSet::from(["fleetdeck_a_bucket".to_string(), "process_b".to_string()]));
}

#[tokio::test]
async fn every_series_the_dashboard_queries_is_exposed() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/grafana/fleetdeck.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut all = Vec::new();
    exprs(&dashboard, &mut all);
    let wanted: BTreeSet<String> = all.iter().flat_map(|e| metric_names(e)).collect();
    assert!(wanted.len() >= 12, "{wanted:?}");

    let app = TestApp::builder().gateway().build().await;
    app.product_with(PK, NodeType::Direct, false, Some(&testkit::registry::model(PK))).await;
    let secret = app.device(PK, "dev1").await;
    let mut d = app.connect(&device_credentials(Sdk::C4, PK, "dev1", &secret, C_SDK_TIMESTAMP)).await.unwrap();
    app.wait_device(PK, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
    let post = format!("/sys/{PK}/dev1/thing/event/property/post");
    d.publish(&post, QoS::AtLeastOnce, r#"{"id":"1","version":"1.0","params":{"Brightness":3}}"#).await.unwrap();
    d.recv_on("_reply", std::time::Duration::from_secs(10)).await.expect("a reply");
    // A publish the ACL refuses: refusals are labelled by the codes that occur.
    d.publish("/sys/a1Other00001/x/thing/event/property/post", QoS::AtMostOnce, "{}").await.unwrap();
    app.client(Role::Viewer).await.get("/api/v1/products").await.ok();
    // The refusal reaches the counters when the broker's hook has run: scrape until it has.
    let text = eventually(DEADLINE, "the refusal counted", || async {
        app.hub().flush().await;
        let r = app.anonymous().get("/metrics").await;
        assert_eq!(r.status, 200);
        let text = r.body.as_str().unwrap().to_string();
        text.contains("fleetdeck_refused_total{").then_some(text)
    })
    .await;
    let exposed: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = wanted.difference(&exposed).collect();
    assert!(missing.is_empty(), "queried by the dashboard but not exposed: {missing:?}\n{text}");
    // No per-device series: the scrape stays small however many devices there are.
    assert!(!text.contains("dev1"), "{text}");
    drop(d);
    app.shutdown().await;
}
