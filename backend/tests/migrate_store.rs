//! `fleetdeck migrate-store`: a SQLite database with rows in every table is copied into
//! PostgreSQL, value for value; ids continue after the copied ones; a filled target is refused.
//!
//! Needs PostgreSQL: runs when `FLEETDECK_TEST_STORE=postgres`, in the cluster at
//! `FLEETDECK_TEST_PG_URL` (fails without it); otherwise each test prints that it ran nothing.

use backend::store::migrate::migrate_store;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{AssertSqlSafe, Row};
use testkit::store::StoreKind;

/// Whether this run tests PostgreSQL; says so loudly when not (the test then ran nothing).
fn postgres_run() -> bool {
    let run = testkit::store::kind() == StoreKind::Postgres;
    if !run {
        eprintln!("migrate_store: NOT RUN, this test needs FLEETDECK_TEST_STORE=postgres (ran nothing)");
    }
    run
}

/// A new, empty database in the test cluster (`FLEETDECK_TEST_PG_URL`, else a panic saying how
/// to start one); its URL.
async fn fresh_pg() -> String {
    testkit::store::fresh_postgres_database().await.unwrap_or_else(|e| panic!("{e:#}"))
}

/// What every test starts from: a SQLite database with rows in every table (`from`, still open
/// as `sqlite`) and an empty PostgreSQL database (`to`). `None` when this run is not on
/// PostgreSQL (the test then runs nothing, and says so).
struct Setup {
    _dir: tempfile::TempDir,
    from: String,
    sqlite: SqlitePool,
    to: String,
}

async fn setup() -> Option<Setup> {
    if !postgres_run() {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let (from, sqlite) = sqlite_with_rows(dir.path()).await;
    Some(Setup { to: fresh_pg().await, _dir: dir, from, sqlite })
}

/// A migrated SQLite database with rows in every table: run_log past one batch (ids with gaps),
/// a sub-device whose gateway was created after it, NULLs, booleans, doubles, awkward text.
async fn sqlite_with_rows(dir: &std::path::Path) -> (String, SqlitePool) {
    let url = format!("sqlite://{}", dir.join("fleet.db").display());
    // The store's own connect runs the SQLite migrations; rows go in through a plain pool.
    backend::store::connect(&url).await.unwrap().close().await;
    let db = SqlitePool::connect(&url).await.unwrap();
    for sql in [
        "INSERT INTO users VALUES ('admin', 'h1', 'admin', FALSE, 1), ('old', 'h2', 'viewer', TRUE, 2)",
        "INSERT INTO sessions VALUES ('s1', 'admin', 'c1', 10, 20)",
        "INSERT INTO api_tokens VALUES (3, 'admin', 'ci', 't1', 11, NULL), (7, 'old', 'x', 't2', 12, 13)",
        "INSERT INTO audit_log VALUES (5, 100, 'admin', 'login', 'admin', 'ok', NULL), \
         (9, 101, 'admin', 'create', 'pk', 'ok', '{\"a\":1}')",
        "INSERT INTO products VALUES ('pk', 'Meter', 'ps', 'gateway', 'alink_json', TRUE, 'd', '{}', 1), \
         ('pk2', 'Plug', 'ps2', 'direct', 'alink_json', FALSE, '', '{\"p\":[]}', 2)",
        // Device 2 is a sub-device of device 40, created later: inserting by id order alone fails.
        "INSERT INTO devices (id, product_key, device_name, device_secret, status, created_at, gateway_id) \
         VALUES (2, 'pk', 'sub', 's2', 'online', 3, NULL), (40, 'pk', 'gw', 's40', 'offline', 4, NULL), \
         (41, 'pk2', 'plug', 's41', 'inactive', 5, NULL)",
        "UPDATE devices SET gateway_id = 40, last_disconnect_code = 4101, ip = '10.0.0.1', enabled = FALSE WHERE id = 2",
        "INSERT INTO device_tags VALUES (2, 'site', 'north')",
        "INSERT INTO groups VALUES (6, 'roof', 'above', 7)",
        "INSERT INTO group_devices VALUES (6, 40, 8)",
        "INSERT INTO property_latest VALUES (2, 'temp', '21.5', 1000)",
        "INSERT INTO property_history VALUES (2, 'temp', '21.0', 900), (2, 'temp', '21.5', 1000), (41, 'on', 'true', 5)",
        "INSERT INTO device_events VALUES (4, 2, 'alarm', 'alert', '{\"x\":1}', 950)",
        "INSERT INTO device_tokens VALUES (41, 'c', 'tok', 7)",
        "INSERT INTO limit_events VALUES (1, 8, 'pk', 'sub', 'Device_Uplink_QPS_Limit', 20)",
        "INSERT INTO device_shadows VALUES (40, '{\"r\":1}', '{}', '{}', 3, 9)",
        "INSERT INTO desired_properties VALUES (40, 'mode', '\"eco\"', 2, 9)",
        "INSERT INTO device_network_status VALUES (1, 2, -70.5, NULL, 0.25, NULL, '{}', 10, 11, 10, 'wifi')",
        "INSERT INTO device_logs (id, device_id, content, received_at) VALUES (1, 2, 'boot', 12)",
        "INSERT INTO device_log_switch VALUES (2, 1, 13)",
        "INSERT INTO metric_minutes VALUES ('', 'MessageCountPerMinute', '', 60000, 12.0), \
         ('pk', 'OnlineDevicesCount', 'MQTT', 60000, 3.0)",
        "INSERT INTO metric_hours VALUES ('pk', 'DeviceNum_instance', '', 0, 0.25, 0.0, 0.5, 60000, 2)",
        // 2,500 run-log rows (3 batches), ids 2, 4, … 5,000; every third without a message id.
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) \
         INSERT INTO run_log SELECT i * 2, 1000 + i, 't' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'm' || i END, \
         'pk', 'sub', 'uplink', '/sys/pk/sub/thing/event/property/post', 'c' || i, 200 FROM n",
        // Text PostgreSQL must take as is (tab, newline, backslash, quote, non-ASCII) and NUL,
        // which it cannot hold (replaced by U+FFFD, as the PostgreSQL writer does).
        "UPDATE run_log SET content = 'a\tb\nc\\d''e ü €' WHERE id = 2",
        "UPDATE run_log SET content = 'x' || char(0) || 'y' WHERE id = 4",
    ] {
        sqlx::query(sql).execute(&db).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    (url, db)
}

/// Every cell of `table` as text (NULL as `None`), rows sorted: the same on both sides when the
/// copy kept every value. Booleans and doubles are compared by value, not by spelling.
async fn sqlite_cells(db: &SqlitePool, table: &str, columns: &[(String, String)]) -> Vec<Vec<Option<String>>> {
    let list = columns.iter().map(|(c, _)| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let rows = sqlx::query(AssertSqlSafe(format!("SELECT {list} FROM {table}"))).fetch_all(db).await.unwrap();
    let mut out: Vec<Vec<Option<String>>> = rows.iter().map(|r| cells_sqlite(r, columns)).collect();
    out.sort();
    out
}

fn cells_sqlite(r: &SqliteRow, columns: &[(String, String)]) -> Vec<Option<String>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| match ty.as_str() {
            "bigint" => r.get::<Option<i64>, _>(i).map(|v| v.to_string()),
            "boolean" => r.get::<Option<bool>, _>(i).map(|v| v.to_string()),
            "double precision" => r.get::<Option<f64>, _>(i).map(|v| v.to_string()),
            _ => r.get::<Option<String>, _>(i).map(|s| s.replace('\0', "\u{FFFD}")),
        })
        .collect()
}

fn cells_pg(r: &PgRow, columns: &[(String, String)]) -> Vec<Option<String>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| match ty.as_str() {
            "bigint" => r.get::<Option<i64>, _>(i).map(|v| v.to_string()),
            "boolean" => r.get::<Option<bool>, _>(i).map(|v| v.to_string()),
            "double precision" => r.get::<Option<f64>, _>(i).map(|v| v.to_string()),
            _ => r.get::<Option<String>, _>(i),
        })
        .collect()
}

async fn pg_cells(db: &PgPool, table: &str, columns: &[(String, String)]) -> Vec<Vec<Option<String>>> {
    let list = columns.iter().map(|(c, _)| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let rows = sqlx::query(AssertSqlSafe(format!("SELECT {list} FROM {table}"))).fetch_all(db).await.unwrap();
    let mut out: Vec<Vec<Option<String>>> = rows.iter().map(|r| cells_pg(r, columns)).collect();
    out.sort();
    out
}

#[tokio::test]
async fn every_row_and_value_arrives_ids_continue_and_a_second_run_refuses() {
    let Some(Setup { _dir, from, sqlite, to }) = setup().await else { return };

    let counts = migrate_store(&from, &to).await.unwrap();
    let pg = PgPool::connect(&to).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&pg)
    .await
    .unwrap();
    assert_eq!(tables.len(), 22, "{tables:?}");
    let mut copied: Vec<&str> = counts.iter().map(|c| c.table.as_str()).collect();
    copied.sort();
    assert_eq!(copied, tables, "every table is copied");
    let position = |t: &str| counts.iter().position(|c| c.table == t).unwrap();
    for (parent, child) in
        [("products", "devices"), ("devices", "device_tags"), ("users", "sessions"), ("groups", "group_devices")]
    {
        assert!(position(parent) < position(child), "{parent} is copied before {child}");
    }
    for table in &tables {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&pg)
        .await
        .unwrap();
        let (a, b) = (sqlite_cells(&sqlite, table, &columns).await, pg_cells(&pg, table, &columns).await);
        assert!(!a.is_empty(), "{table} has rows to copy");
        assert_eq!(a, b, "{table}: every row and value");
        let c = &counts[position(table)];
        assert_eq!((c.sqlite, c.postgres), (a.len() as i64, a.len() as i64), "{table} counted");
    }
    // Spot checks of what the generic comparison could hide.
    let gateway: Option<i64> =
        sqlx::query_scalar("SELECT gateway_id FROM devices WHERE id = 2").fetch_one(&pg).await.unwrap();
    assert_eq!(gateway, Some(40));
    let content: String = sqlx::query_scalar("SELECT content FROM run_log WHERE id = 4").fetch_one(&pg).await.unwrap();
    assert_eq!(content, "x\u{FFFD}y");
    let rssi: Option<f64> = sqlx::query_scalar("SELECT rssi FROM device_network_status").fetch_one(&pg).await.unwrap();
    assert_eq!(rssi, Some(-70.5));

    // New rows get ids above the copied ones.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO run_log (at, trace_id, product_key, device_name, biz_type, operation, content, status) \
         VALUES (1, 't', 'pk', 'sub', 'uplink', 'op', 'c', 200) RETURNING id",
    )
    .fetch_one(&pg)
    .await
    .unwrap();
    assert_eq!(id, 5_001);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO devices (product_key, device_name, device_secret, status, created_at) \
         VALUES ('pk', 'new', 's', 'inactive', 1) RETURNING id",
    )
    .fetch_one(&pg)
    .await
    .unwrap();
    assert_eq!(id, 42);

    let again = migrate_store(&from, &to).await.unwrap_err().to_string();
    assert!(again.contains("already holds rows"), "{again}");
}

#[tokio::test]
async fn the_binary_copies_and_exits_non_zero_on_a_filled_target() {
    let Some(Setup { _dir, from, sqlite, to }) = setup().await else { return };
    sqlite.close().await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_fleetdeck"))
            .args(["migrate-store", "--from", &from, "--to", &to])
            .env_remove("FLEETDECK_MIGRATE_TO")
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&first.stderr));
    assert!(stdout.contains("row counts match"), "{stdout}");
    assert!(stdout.lines().any(|l| l.split_whitespace().eq(["run_log", "2500", "2500"])), "{stdout}");
    let second = run();
    assert!(!second.status.success(), "a filled target is refused");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("already holds rows"), "{stderr}");
}

#[tokio::test]
async fn a_table_on_one_side_only_stops_the_copy() {
    let Some(Setup { _dir, from, sqlite, to }) = setup().await else { return };
    sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)").execute(&sqlite).await.unwrap();
    let err = migrate_store(&from, &to).await.unwrap_err().to_string();
    assert!(err.contains("notes"), "{err}");
    let pg = PgPool::connect(&to).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_log").fetch_one(&pg).await.unwrap();
    assert_eq!(rows, 0, "nothing copied");
}

/// After the copy, the server runs on PostgreSQL with what SQLite held: the admin logs in with
/// the migrated password, sees the migrated devices (tags, gateway) and values, and what it
/// creates gets ids after the copied ones.
#[tokio::test]
async fn a_migrated_deployment_serves_from_postgresql() {
    let Some(Setup { _dir: dir, from, sqlite, to }) = setup().await else { return };
    let hash = backend::auth::password::hash("migrated-password-1".into()).await.unwrap();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE username = 'admin'")
        .bind(hash)
        .execute(&sqlite)
        .await
        .unwrap();
    sqlite.close().await;
    migrate_store(&from, &to).await.unwrap();

    let mut settings = backend::config::Settings::for_test(dir.path().join("served"));
    settings.database_url = to.clone();
    let server = backend::server::start(settings).await.unwrap();
    let base = format!("http://{}", server.http_addr);
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": "migrated-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "the migrated password hash logs in");
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let csrf = login.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
    let get = |path: &'static str| {
        let req = http.get(format!("{base}{path}")).header("cookie", &cookie);
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 200, "GET {path}");
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let sub = get("/api/v1/devices/pk/sub").await;
    assert_eq!(sub["tags"], serde_json::json!([{"key": "site", "value": "north"}]), "{sub}");
    assert_eq!(sub["gateway"], serde_json::json!({"pk": "pk", "dn": "gw"}), "{sub}");
    assert_eq!(sub["last_disconnect_code"], 4101);
    let values = get("/api/v1/devices/pk/sub/properties").await.to_string();
    assert!(values.contains("temp") && values.contains("21.5"), "{values}");
    let logs = get("/api/v1/logs?product_key=pk&device_name=sub&limit=3").await;
    assert_eq!(logs.as_array().map(Vec::len), Some(3), "{logs}");
    assert_eq!(logs[0]["id"], 5000, "newest first, ids as they were");

    let created = http
        .post(format!("{base}/api/v1/products/pk/devices"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"device_name": "after-move"}))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{:?}", created.text().await);
    let pg = PgPool::connect(&to).await.unwrap();
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM devices WHERE device_name = 'after-move'").fetch_one(&pg).await.unwrap();
    assert!(id > 41, "new ids continue after the copied ones: {id}");
    server.shutdown().await;
}
