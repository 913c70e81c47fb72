//! Shutdown under load: everything the gateway received and answered is stored.

use backend::store::sql;
use std::collections::HashSet;

use devclient::{Behaviour, QoS};
use futures::StreamExt;
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::DeviceStatus;
use testkit::{options, Inbox, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_during_a_burst_stores_every_answered_post() {
    // No per-device uplink or downlink limit: the burst is far above both, and a throttled post
    // or reply means no reply. (With the downlink limit the device got 100 replies in the
    // burst's first second and none after, whenever the burst took under a second.)
    let app = TestApp::builder()
        .gateway()
        .settings(|s| {
            s.limits.uplink_qps = 0;
            s.limits.downlink_qps = 0;
        })
        .build()
        .await;
    let pk = "a1ShutdownPK";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev").await;
    let n = 3_000;
    // An inbox for every reply: none is dropped while the test is busy shutting down.
    let b = Behaviour { inbox_capacity: n, ..Behaviour::default() };
    let creds = device_credentials(Sdk::C4, pk, "dev", &secret, C_SDK_TIMESTAMP);
    let mut dev = app.connect_with(&options(&creds), b).await.unwrap();
    app.wait_device(pk, "dev", "online", |r| r.device.status == DeviceStatus::Online).await;
    let topic = format!("/sys/{pk}/dev/thing/event/property/post");
    // Up to 100 posts awaiting their PUBACK at a time (rumqttc's default in-flight window).
    let publisher = dev.publisher();
    let posting = tokio::spawn(async move {
        let posts = futures::stream::iter(0..n).map(|i| {
            let payload =
                format!(r#"{{"id":"{i}","version":"1.0","params":{{}},"method":"thing.event.property.post"}}"#);
            let (p, topic) = (publisher.clone(), topic.clone());
            async move { p.publish(&topic, QoS::AtLeastOnce, payload).await }
        });
        let mut acked = posts.buffered(100);
        while let Some(r) = acked.next().await {
            if r.is_err() {
                break;
            }
        }
    });
    // Shut down while the burst is under way: once the first replies are back.
    let mut answered = HashSet::new();
    while answered.len() < 200 {
        let m = dev.next_message().await;
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&m.payload) {
            answered.insert(v["id"].as_str().unwrap_or_default().to_string());
        }
    }
    let db_url = app.state().settings.database_url.clone();
    let dir = app.shutdown().await;
    posting.abort();
    // Replies that were on the wire when the server stopped count as answered too.
    while let Some(m) = dev.try_recv() {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&m.payload) {
            answered.insert(v["id"].as_str().unwrap_or_default().to_string());
        }
    }
    let db = backend::store::connect(&db_url).await.unwrap();
    let up: Vec<Option<String>> = db
        .scalars(sql("SELECT message_id FROM run_log WHERE biz_type = 'uplink' AND device_name = 'dev'"))
        .await
        .unwrap();
    let stored: HashSet<String> = up.into_iter().flatten().collect();
    let missing: Vec<&String> = answered.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} answered posts not stored, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let replies: i64 = db
        .scalar(sql(
            "SELECT COUNT(*) FROM run_log WHERE biz_type = 'downlink' AND device_name = 'dev' AND operation LIKE '%post_reply'",
        ))
        .await
        .unwrap();
    assert_eq!(replies as usize, stored.len(), "every handled post has both its entries stored");
    assert!(stored.len() >= answered.len());
    drop(dir);
}
