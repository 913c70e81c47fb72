//! Device groups over REST (`/api/v1/groups…`): create, search, rename keeping the id, delete
//! leaving the devices; member changes reported per device (JSON and CSV); bad input with its
//! code and nothing changed; the viewer's 403; the audit trail; and the migration of the old
//! `device_groups` rows. Runs on SQLite, and on PostgreSQL with `FLEETDECK_TEST_STORE=postgres`.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{Client, Role, TestApp};

const PK: &str = "a1Group0001";

async fn app_with_devices(names: &[&str]) -> (TestApp, Client) {
    let app = TestApp::builder().handlers_only().build().await;
    let s = app.client(Role::Admin).await;
    s.product(PK).await;
    for dn in names {
        app.device(PK, dn).await;
    }
    (app, s)
}

async fn create(s: &Client, name: &str) -> i64 {
    let r = s.post("/api/v1/groups", json!({"name": name, "description": "d"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

fn refs(names: &[&str]) -> Value {
    json!({"devices": names.iter().map(|dn| json!({"product_key": PK, "device_name": dn})).collect::<Vec<_>>()})
}

fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["device_name"].as_str().unwrap().to_string(), r["outcome"].as_str().unwrap().to_string()))
        .collect()
}

fn names(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|d| d["device_name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn groups_are_created_searched_renamed_under_their_id_and_deleted_without_their_devices() {
    let (app, s) = app_with_devices(&["lamp-0001", "lamp-0002"]).await;
    let roof = create(&s, "  Roof north  ").await;
    let cellar = create(&s, "cellar_50%").await;
    let g = s.get(&format!("/api/v1/groups/{roof}")).await.ok();
    assert_eq!((g["name"].as_str(), g["description"].as_str()), (Some("Roof north"), Some("d")), "trimmed");
    assert_eq!((g["device_count"].as_u64(), g["online_count"].as_u64()), (Some(0), Some(0)));

    let list = s.get("/api/v1/groups").await.ok();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["name"], "Roof north", "ordered by name (byte order)");
    // Case-insensitive part of the name; `%` and `_` are literal.
    assert_eq!(s.get("/api/v1/groups?q=NORTH").await.ok()["items"][0]["id"], roof);
    assert_eq!(s.get("/api/v1/groups?q=50%25").await.ok()["total"], 1);
    assert_eq!(s.get("/api/v1/groups?q=r_n").await.ok()["total"], 0, "`_` matches only itself");
    assert_eq!(s.get("/api/v1/groups?page_size=1&page=2").await.ok()["items"][0]["id"], cellar);

    s.post(&format!("/api/v1/groups/{roof}/devices"), refs(&["lamp-0001", "lamp-0002"])).await.ok();
    let renamed = s.patch(&format!("/api/v1/groups/{roof}"), json!({"name": "Roof"})).await.ok();
    assert_eq!((renamed["id"].as_i64(), renamed["name"].as_str()), (Some(roof), Some("Roof")));
    assert_eq!(renamed["description"], "d", "a field not given stays");
    assert_eq!(renamed["device_count"], 2, "members stay with the id");
    let d = s.get(&format!("/api/v1/devices/{PK}/lamp-0001")).await.ok();
    assert_eq!(d["groups"], json!(["Roof"]), "device JSON names the group by its new name");
    let described = s.patch(&format!("/api/v1/groups/{roof}"), json!({"description": "above"})).await.ok();
    assert_eq!((described["name"].as_str(), described["description"].as_str()), (Some("Roof"), Some("above")));

    // Delete: the group and its memberships go, the devices stay.
    let r = s.delete(&format!("/api/v1/groups/{roof}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&format!("/api/v1/groups/{roof}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get("/api/v1/devices").await.ok()["total"], 2);
    assert_eq!(s.get(&format!("/api/v1/devices/{PK}/lamp-0001")).await.ok()["groups"], json!([]));
    assert_eq!(app.count("group_devices").await, 0);
    assert_eq!(s.get("/api/v1/groups").await.ok()["items"][0]["id"], cellar);
}

#[tokio::test]
async fn bad_names_taken_names_unknown_groups_and_bad_ids_get_their_codes_and_change_nothing() {
    let (app, s) = app_with_devices(&[]).await;
    let id = create(&s, "roof").await;
    let other = create(&s, "cellar").await;
    let long = "x".repeat(65);
    for (body, code) in [
        (json!({"name": ""}), "validation"),
        (json!({"name": "   "}), "validation"),
        (json!({"name": long}), "validation"),
        (json!({"name": "a\nb"}), "validation"),
        (json!({"name": "ok", "description": "d".repeat(257)}), "validation"),
        (json!({"name": 5}), "invalid_json"),
        (json!({}), "invalid_json"),
    ] {
        let r = s.post("/api/v1/groups", body.clone()).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{body}: {:?}", r.body);
    }
    let r = s.post("/api/v1/groups", json!({"name": " roof "})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    assert!(r.body["message"].as_str().unwrap().contains("\"roof\" already exists"), "{:?}", r.body);
    let r = s.patch(&format!("/api/v1/groups/{other}"), json!({"name": "roof"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a rename onto a taken name");
    let r = s.patch(&format!("/api/v1/groups/{other}"), json!({"name": ""})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation")));
    assert_eq!(s.get(&format!("/api/v1/groups/{other}")).await.ok()["name"], "cellar", "unchanged");
    assert_eq!(app.count("groups").await, 2);

    let missing = id + other + 100;
    for (m, path) in [
        (Method::GET, format!("/api/v1/groups/{missing}")),
        (Method::PATCH, format!("/api/v1/groups/{missing}")),
        (Method::DELETE, format!("/api/v1/groups/{missing}")),
        (Method::GET, format!("/api/v1/groups/{missing}/devices")),
        (Method::POST, format!("/api/v1/groups/{missing}/devices")),
        (Method::POST, format!("/api/v1/groups/{missing}/devices/remove")),
    ] {
        let body = (m != Method::GET && m != Method::DELETE).then(|| json!({"devices": [], "name": "x"}));
        let r = s.call(m.clone(), &path, body).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{m} {path}");
    }
    let r = s.get("/api/v1/groups/roof").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation")));
    let r = s.get("/api/v1/groups?page=-1").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
}

#[tokio::test]
async fn members_are_added_by_json_and_csv_with_a_result_per_device_and_listed_with_status() {
    let (app, s) = app_with_devices(&["lamp-0001", "lamp-0002", "lamp-0003"]).await;
    let g = create(&s, "roof").await;
    let r = s
        .post(&format!("/api/v1/groups/{g}/devices"), refs(&["lamp-0001", "nope-0009", "lamp-0001", "lamp-0002"]))
        .await
        .ok();
    assert_eq!(
        outcomes(&r),
        [
            ("lamp-0001".into(), "added".into()),
            ("nope-0009".into(), "unknown_device".into()),
            ("lamp-0001".into(), "already_member".into()),
            ("lamp-0002".into(), "added".into()),
        ]
    );
    assert_eq!(
        (r["added"].as_u64(), r["unknown_device"].as_u64(), r["already_member"].as_u64()),
        (Some(2), Some(1), Some(1))
    );

    // CSV: a header, a known member, a new one, an unknown one, and lines that are not pairs.
    let csv = format!("ProductKey,DeviceName\n{PK},lamp-0001\n{PK},lamp-0003\n\nnoPk,lamp-0001\nlamp-0004\n");
    let r = s.raw(Method::POST, &format!("/api/v1/groups/{g}/devices/csv"), Some("text/csv"), csv).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        outcomes(&r.body),
        [
            ("lamp-0001".into(), "already_member".into()),
            ("lamp-0003".into(), "added".into()),
            ("lamp-0001".into(), "unknown_device".into()),
        ]
    );
    assert_eq!(r.body["errors"][0]["line"], 6);
    let r = s.raw(Method::POST, &format!("/api/v1/groups/{g}/devices/csv"), Some("text/csv"), "\n\n").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation")));

    // Listed with the device list's rows; online counted from the live status.
    let id = app.device_id(PK, "lamp-0002").await;
    backend::store::devices::mark_online(app.db(), id, Some("10.0.0.2"), None, 5).await.unwrap();
    let page = s.get(&format!("/api/v1/groups/{g}/devices")).await.ok();
    assert_eq!(names(&page), ["lamp-0001", "lamp-0002", "lamp-0003"]);
    assert_eq!(page["items"][1]["status"], "online");
    let online = s.get(&format!("/api/v1/groups/{g}/devices?status=online")).await.ok();
    assert_eq!(names(&online), ["lamp-0002"]);
    assert_eq!(names(&s.get(&format!("/api/v1/groups/{g}/devices?q=lamp-0003")).await.ok()), ["lamp-0003"]);
    let group = s.get(&format!("/api/v1/groups/{g}")).await.ok();
    assert_eq!((group["device_count"].as_u64(), group["online_count"].as_u64()), (Some(3), Some(1)));
    assert_eq!(s.get("/api/v1/devices?group=roof").await.ok()["total"], 3, "the device list's group= filter");
    let of_device = s.get(&format!("/api/v1/devices/{PK}/lamp-0002/groups")).await.ok();
    assert_eq!((of_device[0]["id"].as_i64(), of_device[0]["name"].as_str()), (Some(g), Some("roof")));
    assert_eq!(s.get(&format!("/api/v1/devices/{PK}/nope-0009/groups")).await.status, StatusCode::NOT_FOUND);

    // Remove: per device, and one at a time.
    let r = s
        .post(&format!("/api/v1/groups/{g}/devices/remove"), refs(&["lamp-0001", "lamp-0001", "nope-0009"]))
        .await
        .ok();
    assert_eq!(
        outcomes(&r),
        [
            ("lamp-0001".into(), "removed".into()),
            ("lamp-0001".into(), "not_member".into()),
            ("nope-0009".into(), "unknown_device".into()),
        ]
    );
    assert_eq!(s.delete(&format!("/api/v1/groups/{g}/devices/{PK}/lamp-0003")).await.status, StatusCode::NO_CONTENT);
    let r = s.delete(&format!("/api/v1/groups/{g}/devices/{PK}/lamp-0003")).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "no longer a member");
    assert_eq!(s.delete(&format!("/api/v1/groups/{g}/devices/{PK}/nope-0009")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(names(&s.get(&format!("/api/v1/groups/{g}/devices")).await.ok()), ["lamp-0002"]);
    assert_eq!(s.get("/api/v1/devices").await.ok()["total"], 3, "removing never deletes a device");

    // Deleting a device drops its memberships.
    s.delete(&format!("/api/v1/devices/{PK}/lamp-0002")).await;
    assert_eq!(s.get(&format!("/api/v1/groups/{g}")).await.ok()["device_count"], 0);
}

#[tokio::test]
async fn more_than_ten_thousand_devices_in_one_request_are_refused_whole() {
    let (app, s) = app_with_devices(&["lamp-0001"]).await;
    let g = create(&s, "big").await;
    let many: Vec<&str> = std::iter::repeat_n("lamp-0001", 10_001).collect();
    let r = s.post(&format!("/api/v1/groups/{g}/devices"), refs(&many)).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("too_many_items")), "{:?}", r.body);
    assert_eq!(r.body["details"]["max"], 10_000);
    let csv = format!("{PK},lamp-0001\n").repeat(10_001);
    let r = s.raw(Method::POST, &format!("/api/v1/groups/{g}/devices/csv"), Some("text/csv"), csv).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("too_many_items")));
    assert_eq!(app.count("group_devices").await, 0, "nothing added");
    // Exactly the limit is fine.
    let r = s.post(&format!("/api/v1/groups/{g}/devices"), refs(&many[..10_000])).await.ok();
    assert_eq!((r["added"].as_u64(), r["already_member"].as_u64()), (Some(1), Some(9_999)));
}

#[tokio::test]
async fn a_viewer_reads_groups_but_every_write_is_403_and_writes_are_audited() {
    let (app, admin) = app_with_devices(&["lamp-0001"]).await;
    let g = create(&admin, "roof").await;
    admin.post(&format!("/api/v1/groups/{g}/devices"), refs(&["lamp-0001", "nope-0009"])).await.ok();
    let viewer = app.client(Role::Viewer).await;
    assert_eq!(viewer.get("/api/v1/groups").await.ok()["total"], 1);
    assert_eq!(viewer.get(&format!("/api/v1/groups/{g}/devices")).await.ok()["total"], 1);
    assert_eq!(viewer.get(&format!("/api/v1/devices/{PK}/lamp-0001/groups")).await.ok()[0]["id"], g);
    for (m, path, body) in [
        (Method::POST, "/api/v1/groups".to_string(), Some(json!({"name": "mine"}))),
        (Method::PATCH, format!("/api/v1/groups/{g}"), Some(json!({"name": "mine"}))),
        (Method::DELETE, format!("/api/v1/groups/{g}"), None),
        (Method::POST, format!("/api/v1/groups/{g}/devices"), Some(refs(&["lamp-0001"]))),
        (Method::POST, format!("/api/v1/groups/{g}/devices/remove"), Some(refs(&["lamp-0001"]))),
        (Method::DELETE, format!("/api/v1/groups/{g}/devices/{PK}/lamp-0001"), None),
    ] {
        let r = viewer.call(m.clone(), &path, body).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{m} {path}");
    }
    let r = viewer.raw(Method::POST, &format!("/api/v1/groups/{g}/devices/csv"), Some("text/csv"), "a,b").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let g_now = admin.get(&format!("/api/v1/groups/{g}")).await.ok();
    assert_eq!((g_now["name"].as_str(), g_now["device_count"].as_u64()), (Some("roof"), Some(1)), "unchanged");

    admin.post("/api/v1/groups", json!({"name": "roof"})).await;
    let audit = admin.get("/api/v1/audit?page_size=50").await.ok();
    let entries: Vec<(String, String)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("group."))
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["result"].as_str().unwrap().to_string()))
        .collect();
    assert!(entries.contains(&("group.create".into(), "ok".into())), "{entries:?}");
    assert!(entries.contains(&("group.create".into(), "conflict".into())), "a refused write is audited too");
    let add = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "group.devices.add").unwrap();
    assert_eq!(add["target"], format!("group/{g}"));
    assert_eq!((add["details"]["added"].as_u64(), add["details"]["unknown_device"].as_u64()), (Some(1), Some(1)));
}

#[tokio::test]
async fn patching_a_devices_groups_by_name_creates_missing_groups_and_keeps_the_others() {
    let (_app, s) = app_with_devices(&["lamp-0001"]).await;
    let roof = create(&s, "roof").await;
    let path = format!("/api/v1/devices/{PK}/lamp-0001");
    let d = s.patch(&path, json!({"groups": ["roof", " north ", "north"]})).await.ok();
    assert_eq!(d["groups"], json!(["north", "roof"]), "trimmed, deduplicated, sorted");
    let list = s.get("/api/v1/groups").await.ok();
    assert_eq!(list["total"], 2, "north was created");
    assert_eq!(s.get(&format!("/api/v1/groups/{roof}")).await.ok()["device_count"], 1, "the existing group is used");
    let d = s.patch(&path, json!({"groups": ["north"]})).await.ok();
    assert_eq!(d["groups"], json!(["north"]));
    assert_eq!(s.get(&format!("/api/v1/groups/{roof}")).await.ok()["device_count"], 0);
    let r = s.patch(&path, json!({"groups": ["ok", ""]})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation")));
    assert_eq!(s.get(&path).await.ok()["groups"], json!(["north"]), "a refused change changes nothing");
    let d = s.patch(&path, json!({"groups": []})).await.ok();
    assert_eq!(d["groups"], json!([]));
    assert_eq!(s.get("/api/v1/groups").await.ok()["total"], 2, "emptied groups stay");
}

/// Forty clients create the same name at once: one group, 39 clear 409s (uniqueness holds in the
/// store, not by luck of timing); then forty add the same device at once: it is a member once
/// and every answer says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_parallel_creates_of_one_name_make_one_group_and_parallel_adds_one_membership() {
    let (app, s) = app_with_devices(&["race-01"]).await;
    let creates = (0..40).map(|_| s.post("/api/v1/groups", json!({"name": "Race", "description": ""})));
    let statuses: Vec<StatusCode> = futures::future::join_all(creates).await.into_iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|c| **c == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|c| **c == StatusCode::CONFLICT).count(), 39, "{statuses:?}");
    let list = s.get("/api/v1/groups?q=Race").await.ok();
    assert_eq!(list["total"], 1, "{list}");
    let id = list["items"][0]["id"].as_i64().unwrap();

    let path = format!("/api/v1/groups/{id}/devices");
    let adds = (0..40).map(|_| s.post(&path, refs(&["race-01"])));
    let reports: Vec<Value> = futures::future::join_all(adds).await.into_iter().map(|r| r.ok()).collect();
    let added = reports.iter().filter(|r| outcomes(r) == [("race-01".to_string(), "added".to_string())]).count();
    let already =
        reports.iter().filter(|r| outcomes(r) == [("race-01".to_string(), "already_member".to_string())]).count();
    assert_eq!((added, already), (1, 39), "{reports:?}");
    let members = s.get(&format!("/api/v1/groups/{id}/devices")).await.ok();
    assert_eq!(members["total"], 1, "{members}");
    drop(app);
}
