//! Migration 0009 (issue 14 §5): a database with monitoring minutes and hours from before it is
//! upgraded on start without losing a row, and its minutes are then stored so that one scope's
//! series is read in key order — SQLite tables WITHOUT ROWID (clustered on the key), PostgreSQL
//! a key index carrying `value` (index-only scans). Runs on the store the suite runs on (SQLite,
//! or PostgreSQL with `FLEETDECK_TEST_STORE=postgres`).

use backend::store::{self, sql};
use testkit::store::StoreKind;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// Rows as a deployment before 0009 held them: the instance ('') and a product, a count split by
/// protocol and a level that is not.
const OLD_ROWS: [&str; 2] = [
    "INSERT INTO metric_minutes (product_key, metric, protocol, t, value) VALUES \
     ('', 'MessageCountSentToIoT', 'MQTT', 3600000, 4), ('', 'MessageCountSentToIoT', 'MQTT', 3660000, 6), \
     ('', 'MessageCountSentToIoT', 'HTTP', 3600000, 1), ('a1Old000001', 'MessageCountSentToIoT', 'MQTT', 3600000, 2), \
     ('', 'OnlineDevicesCount', 'MQTT', 3600000, 7)",
    "INSERT INTO metric_hours (product_key, metric, protocol, t, value, min, max, last_t, minutes) VALUES \
     ('', 'MessageCountSentToIoT', 'MQTT', 3600000, 10, 4, 6, 3660000, 2), \
     ('', 'OnlineDevicesCount', 'MQTT', 3600000, 7, 7, 7, 3600000, 1)",
];

#[tokio::test]
async fn old_minutes_and_hours_survive_and_are_then_read_in_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let url = testkit::store::database_url(dir.path()).await.unwrap();
    let versions = testkit::store::database_before(&url, 9, &OLD_ROWS).await;
    assert!(versions.contains(&8), "0008 creates the metric tables");

    // The store's own start runs 0009.
    let db = store::connect(&url).await.unwrap();
    let counts = ["MessageCountSentToIoT"];
    let rows = store::metrics::minutes(&db, "", &counts, HOUR, 2 * HOUR).await.unwrap();
    let mut rows: Vec<(String, i64, f64)> = rows.into_iter().map(|(_, p, t, v)| (p, t, v)).collect();
    rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        rows,
        [("HTTP".to_string(), HOUR, 1.0), ("MQTT".to_string(), HOUR, 4.0), ("MQTT".to_string(), HOUR + MINUTE, 6.0)]
    );
    let product = store::metrics::minutes(&db, "a1Old000001", &counts, HOUR, 2 * HOUR).await.unwrap();
    assert_eq!(product, [("MessageCountSentToIoT".to_string(), "MQTT".to_string(), HOUR, 2.0)]);
    let level = store::metrics::level_before(&db, false, "", "OnlineDevicesCount", "MQTT", 0, 2 * HOUR).await.unwrap();
    assert_eq!(level, Some(7.0));
    let buckets = store::metrics::minute_buckets(&db, "", &counts, HOUR, 2 * HOUR, HOUR).await.unwrap();
    let mqtt = buckets.iter().find(|(_, p, _, _)| p == "MQTT").map(|(_, _, t, b)| (*t, b.sum, b.minutes, b.last_t));
    assert_eq!(mqtt, Some((HOUR, 10.0, 2, HOUR + MINUTE)));
    let hours =
        store::metrics::hours(&db, "", &["MessageCountSentToIoT", "OnlineDevicesCount"], 0, 2 * HOUR).await.unwrap();
    let hours: Vec<(String, f64, f64, f64, i64)> =
        hours.into_iter().map(|(m, _, h)| (m, h.value, h.min, h.max, h.minutes)).collect();
    assert_eq!(
        hours,
        [
            ("MessageCountSentToIoT".to_string(), 10.0, 4.0, 6.0, 2),
            ("OnlineDevicesCount".to_string(), 7.0, 7.0, 7.0, 1)
        ]
    );

    // How the rows are stored now.
    match testkit::store::kind() {
        StoreKind::Sqlite => {
            for table in ["metric_minutes", "metric_hours"] {
                let ddl: String = db
                    .scalar(sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1").bind(table))
                    .await
                    .unwrap();
                assert!(ddl.contains("WITHOUT ROWID"), "{table}: {ddl}");
                let index: i64 = db
                    .scalar(
                        sql("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $1")
                            .bind(format!("{table}_t")),
                    )
                    .await
                    .unwrap();
                assert_eq!(index, 1, "{table}: the retention index is back");
            }
        }
        StoreKind::Postgres => {
            let def: String = db
                .scalar(sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'metric_minutes_pkey'"))
                .await
                .unwrap();
            assert!(def.contains("INCLUDE (value)"), "{def}");
        }
    }

    // The writer's upsert still finds its key: a minute written again adds up.
    let again = "INSERT INTO metric_minutes (product_key, metric, protocol, t, value) \
                 VALUES ('', 'MessageCountSentToIoT', 'MQTT', 3600000, 5) ON CONFLICT (product_key, metric, protocol, t) \
                 DO UPDATE SET value = metric_minutes.value + excluded.value";
    db.execute(sql(again)).await.unwrap();
    let v: f64 = db
        .scalar(sql("SELECT value FROM metric_minutes WHERE product_key = '' AND metric = 'MessageCountSentToIoT' \
             AND protocol = 'MQTT' AND t = 3600000"))
        .await
        .unwrap();
    assert_eq!(v, 9.0);
    // Retention still deletes by time.
    assert_eq!(store::metrics::purge_minutes(&db, HOUR + MINUTE, 100).await.unwrap(), 4);
    db.close().await;
}
