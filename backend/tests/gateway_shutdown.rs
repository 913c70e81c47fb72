//! Shutdown under load: everything the gateway received and answered is stored.

mod gateway_support;

use std::collections::HashSet;

use gateway_support::*;
use model::alink::sign::{device_credentials, C_SDK_TIMESTAMP};
use model::alink::Sdk;
use model::registry::DeviceStatus;
use rumqttc::QoS;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_during_a_burst_stores_every_answered_post() {
    // No per-device uplink limit: the burst is far above it, and a throttled post gets no reply.
    let env = start_with(|s| s.limits.uplink_qps = 0, std::sync::Arc::new(backend::clock::SystemClock)).await;
    let pk = "a1ShutdownPK";
    env.product(pk, false).await;
    let secret = env.device(pk, "dev").await;
    let mut dev = connect(&env, &device_credentials(Sdk::C4, pk, "dev", &secret, C_SDK_TIMESTAMP)).await.unwrap();
    env.wait_device(pk, "dev", "online", |r| r.device.status == DeviceStatus::Online).await;
    let topic = format!("/sys/{pk}/dev/thing/event/property/post");
    let n = 3_000;
    let client = dev.client.clone();
    let posting = tokio::spawn(async move {
        for i in 0..n {
            let payload =
                format!(r#"{{"id":"{i}","version":"1.0","params":{{}},"method":"thing.event.property.post"}}"#);
            if client.publish(&topic, QoS::AtLeastOnce, false, payload.into_bytes()).await.is_err() {
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
    let (run, dir) = env.into_parts();
    let db_url = run.state.settings.database_url.clone();
    run.shutdown().await;
    posting.abort();
    // Replies that were on the wire when the server stopped count as answered too.
    while let Ok(m) = dev.inbox.try_recv() {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&m.payload) {
            answered.insert(v["id"].as_str().unwrap_or_default().to_string());
        }
    }
    let db = backend::store::connect(&db_url).await.unwrap();
    let up: Vec<Option<String>> =
        sqlx::query_scalar("SELECT message_id FROM run_log WHERE biz_type = 'uplink' AND device_name = 'dev'")
            .fetch_all(&db)
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
    let replies: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM run_log WHERE biz_type = 'downlink' AND device_name = 'dev' AND operation LIKE '%post_reply'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(replies as usize, stored.len(), "every handled post has both its entries stored");
    assert!(stored.len() >= answered.len());
    drop(dir);
}
