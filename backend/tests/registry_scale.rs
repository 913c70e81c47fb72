//! The registry's repository at 100,000 devices, on the store the suite runs on (SQLite, or
//! PostgreSQL with `FLEETDECK_TEST_STORE=postgres`): paging, prefix search and filters return
//! exactly the right rows. How fast they are is measured by `loadgen bench` (section 4).

use backend::store::{self, sql};
use model::registry::{DeviceQuery, DeviceStatus, NewDevice};
use testkit::TestApp;

const PK: &str = "ScalePk0001";
const DEVICES: usize = 100_000;

fn name(i: usize) -> String {
    format!("dev-{i:06}")
}

#[tokio::test]
async fn paging_and_search_at_100000_devices() {
    let app = TestApp::builder().handlers_only().build().await;
    app.product(PK, false).await;
    let rows: Vec<(NewDevice, String)> = (0..DEVICES)
        .map(|i| (NewDevice { device_name: name(i), nickname: String::new(), device_secret: None }, format!("s{i}")))
        .collect();
    store::devices::insert_many(app.db(), PK, &rows, 1).await.unwrap();
    assert_eq!(app.count("devices").await, DEVICES as i64, "one transaction, every row");

    let page = |page: u32, q: Option<&str>, status: Option<DeviceStatus>| DeviceQuery {
        product_key: Some(PK.into()),
        q: q.map(String::from),
        status,
        group: None,
        page: Some(page),
        page_size: Some(50),
    };
    let names = |p: &model::error::Page<model::registry::Device>| -> Vec<String> {
        p.items.iter().map(|d| d.device_name.clone()).collect()
    };

    let first = store::devices::list(app.db(), &page(1, None, None)).await.unwrap();
    assert_eq!(first.total, DEVICES as u64);
    assert_eq!(names(&first), (0..50).map(name).collect::<Vec<_>>(), "sorted by name");

    let deep = store::devices::list(app.db(), &page(1_000, None, None)).await.unwrap();
    assert_eq!(names(&deep), (49_950..50_000).map(name).collect::<Vec<_>>(), "page 1,000 of 50");

    let last = store::devices::list(app.db(), &page(2_000, None, None)).await.unwrap();
    assert_eq!(names(&last).last(), Some(&name(DEVICES - 1)));
    let beyond = store::devices::list(app.db(), &page(2_001, None, None)).await.unwrap();
    assert!(beyond.items.is_empty() && beyond.total == DEVICES as u64);

    // A prefix that names ten devices, one that names a hundred and one that names none.
    let ten = store::devices::list(app.db(), &page(1, Some("dev-09999"), None)).await.unwrap();
    assert_eq!((ten.total, names(&ten)), (10, (99_990..100_000).map(name).collect::<Vec<_>>()));
    let hundred = store::devices::list(app.db(), &page(2, Some("dev-0123"), None)).await.unwrap();
    assert_eq!((hundred.total, names(&hundred)), (100, (12_350..12_400).map(name).collect::<Vec<_>>()));
    let none = store::devices::list(app.db(), &page(1, Some("dew"), None)).await.unwrap();
    assert_eq!(none.total, 0);

    // Status: a few devices move on; the filter counts exactly those.
    for i in [7, 70_000, 99_999] {
        let rec = store::devices::get(app.db(), PK, &name(i)).await.unwrap().unwrap();
        store::devices::mark_online(app.db(), rec.id, Some("127.0.0.1"), None, 2).await.unwrap();
    }
    let online = store::devices::list(app.db(), &page(1, None, Some(DeviceStatus::Online))).await.unwrap();
    assert_eq!((online.total, names(&online)), (3, vec![name(7), name(70_000), name(99_999)]));
    let inactive = store::devices::list(app.db(), &page(1, None, Some(DeviceStatus::Inactive))).await.unwrap();
    assert_eq!(inactive.total, DEVICES as u64 - 3);

    // Existing-name checks (CSV import) across the whole registry.
    let asked: Vec<String> = vec![name(5), "nope".into(), name(99_998)];
    let mut found = store::devices::existing_names(app.db(), PK, &asked).await.unwrap();
    found.sort();
    assert_eq!(found, vec![name(5), name(99_998)]);
    let secrets: i64 = app.db().scalar(sql("SELECT COUNT(DISTINCT device_secret) FROM devices")).await.unwrap();
    assert_eq!(secrets, DEVICES as i64, "every row kept its own values");
}
