//! First load of the console in a fresh browser (no cache), over loopback: how long until the
//! login form is usable, and what the navigation timing says. The figures go to
//! `test-artifacts/first-load.json` (a record, not a timing assertion: the machine is noisy).

use fleetdeck_tests::browser::{artifacts_dir, Browser};
use testkit::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_loads_cold_and_the_assets_come_compressed() {
    let app = TestApp::builder().gateway().ui().build().await;
    let b = Browser::open(&app.base_url(), "first-load", 1280).await;
    let t0 = std::time::Instant::now();
    b.goto("/login").await;
    b.find("login-form").await;
    let usable_ms = t0.elapsed().as_millis();
    let timing =
        b.c.execute(
            "const n = performance.getEntriesByType('navigation')[0];
             const res = performance.getEntriesByType('resource');
             return {dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd,
                     transferred_bytes: res.reduce((s, r) => s + r.transferSize, n.transferSize),
                     decoded_bytes: res.reduce((s, r) => s + r.decodedBodySize, n.decodedBodySize),
                     wasm: res.filter(r => r.name.endsWith('.wasm')).map(r => [r.transferSize, r.decodedBodySize])};",
            vec![],
        )
        .await
        .unwrap();
    let transferred = timing["transferred_bytes"].as_f64().unwrap_or(0.0);
    let decoded = timing["decoded_bytes"].as_f64().unwrap_or(0.0);
    assert!(decoded > 0.0 && transferred < decoded * 0.6, "assets are sent compressed: {timing}");
    let record = serde_json::json!({"login_form_usable_ms": usable_ms, "navigation": timing});
    std::fs::write(artifacts_dir().join("../first-load.json"), serde_json::to_string_pretty(&record).unwrap()).unwrap();
    eprintln!("first load: {record}");
    b.close().await;
}
