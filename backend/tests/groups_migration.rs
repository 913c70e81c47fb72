//! Migration 0004: a database from before groups, with rows in the old `device_groups` table
//! (a device id + a free-text name), is upgraded on start: each distinct trimmed name becomes a
//! group, each row a membership, and the old table is gone. Runs on the store the suite runs on
//! (SQLite, or PostgreSQL with `FLEETDECK_TEST_STORE=postgres`).

use backend::store::{self, sql};
use model::groups::GroupQuery;

/// Rows as a deployment before 0004 held them: " roof" and "roof" are one group once trimmed.
const OLD_ROWS: [&str; 3] = [
    "INSERT INTO products (product_key, name, product_secret, node_type, data_format, tsl, created_at) \
     VALUES ('a1Old000001', 'Lamp', 's', 'direct', 'alink_json', '{}', 1)",
    "INSERT INTO devices (id, product_key, device_name, device_secret, status, created_at) \
     VALUES (1, 'a1Old000001', 'lamp-0001', 's1', 'online', 2), (2, 'a1Old000001', 'lamp-0002', 's2', 'offline', 3), \
     (3, 'a1Old000001', 'lamp-0003', 's3', 'inactive', 4)",
    "INSERT INTO device_groups (device_id, group_name) VALUES (1, 'roof'), (2, ' roof'), (2, 'north'), (3, 'north')",
];

#[tokio::test]
async fn old_device_groups_rows_become_groups_with_members_and_the_table_goes() {
    let dir = tempfile::tempdir().unwrap();
    let url = testkit::store::database_url(dir.path()).await.unwrap();
    let versions = testkit::store::database_before(&url, 4, &OLD_ROWS).await;
    assert_eq!(versions.len(), 3);

    // The store's own start runs 0004.
    let db = store::connect(&url).await.unwrap();
    let page = store::groups::list(&db, &GroupQuery::default()).await.unwrap();
    let groups: Vec<(String, u64, u64)> =
        page.items.iter().map(|g| (g.name.clone(), g.device_count, g.online_count)).collect();
    assert_eq!(groups, [("north".to_string(), 2, 0), ("roof".to_string(), 2, 1)]);
    assert!(page.items.iter().all(|g| g.created_at > 1_700_000_000_000), "created now, in ms");
    let d = store::devices::get(&db, "a1Old000001", "lamp-0002").await.unwrap().unwrap();
    assert_eq!(d.device.groups, ["north", "roof"]);
    let old = db.fetch_all(sql("SELECT * FROM device_groups")).await;
    assert!(old.is_err(), "device_groups is dropped");

    // The migrated groups take new members and new groups get fresh ids.
    let id = store::groups::insert(&db, "cellar", "", 5).await.unwrap();
    assert!(page.items.iter().all(|g| g.id != id));
    store::groups::add_members(&db, id, &[1, 3], 6).await.unwrap();
    assert_eq!(store::groups::get(&db, id).await.unwrap().unwrap().device_count, 2);
    db.close().await;
}
