//! The server's background work runs as named, supervised jobs: `/readyz` reports them, and a
//! shutdown stops every one of them, stage by stage, in time.

use axum::http::StatusCode;
use backend::jobs::JobState;
use testkit::TestApp;

/// Promise: no long-lived part of the server is a bare task that could die unnoticed — each is a
/// supervised job that `/readyz` lists, and shutdown leaves none running or aborted.
#[tokio::test]
async fn every_part_of_the_server_is_a_supervised_job_reported_by_readyz() {
    let app = TestApp::builder().gateway().build().await;
    let r = app.anonymous().get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "ready");
    assert_eq!(r.body["database"], true);
    let mut jobs: Vec<(String, String)> = r.body["jobs"]
        .as_array()
        .expect("a job list")
        .iter()
        .map(|j| (j["name"].as_str().unwrap().to_string(), j["state"].as_str().unwrap().to_string()))
        .collect();
    jobs.sort();
    let expected = [
        "desired-sync",
        "gateway-offline-watch",
        "http",
        "metrics",
        "metrics-purge",
        "mqtt-gateway",
        "network-status-purge",
        "store-writer",
        "uplink-router",
    ];
    assert_eq!(jobs, expected.iter().map(|n| (n.to_string(), "running".to_string())).collect::<Vec<_>>());

    let supervisor = app.running().jobs.clone();
    app.shutdown().await; // fails if a job had to be aborted
    for job in supervisor.status() {
        assert_eq!(job.state, JobState::Stopped, "{} after shutdown", job.name);
    }
}
