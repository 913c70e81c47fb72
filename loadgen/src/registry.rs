//! Measurement 4, the device registry at scale: a fresh fleetdeck (on SQLite, and with
//! `--pg-url` on a fresh PostgreSQL database) gets a product and `--registry-devices` devices
//! through the REST API (the CSV import, 10,000 rows per request, the most the API takes), then
//! the console's list and search requests are timed: each kind `--registry-requests` times after
//! a warm-up, the kinds interleaved round by round, every response checked.

use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::api::Api;
use crate::bench::{Opts, ADMIN_PASSWORD};
use crate::payload::{device_name, PRODUCT_KEY};
use crate::stats::Spread;
use crate::{pg, procs};

/// Devices per page of the timed list requests.
pub const PAGE_SIZE: usize = 50;
/// The deep page (offset 49,950 at 50 per page), or the last page with fewer devices.
pub const DEEP_PAGE: usize = 1_000;
/// Untimed rounds before the timed ones (connection set-up, caches, prepared statements).
pub const WARMUP_ROUNDS: usize = 3;
/// A store's whole run (start, 100,000 devices, the requests) at most.
const RUN_LIMIT: Duration = Duration::from_secs(1_200);

/// Which store a fleetdeck run is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    Sqlite,
    Postgres,
}

/// One repetition: each store's run, in the order they ran.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryRep {
    pub load: String,
    pub order: Vec<Store>,
    pub sqlite: Option<StoreRun>,
    pub postgres: Option<StoreRun>,
    pub errors: Vec<String>,
}

impl RegistryRep {
    pub fn run(&self, s: Store) -> Option<&StoreRun> {
        match s {
            Store::Sqlite => self.sqlite.as_ref(),
            Store::Postgres => self.postgres.as_ref(),
        }
    }
}

/// One fleetdeck process with its devices.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreRun {
    pub devices: usize,
    /// Wall time of the import requests that created the devices.
    pub create_secs: f64,
    pub queries: Vec<QueryRun>,
}

impl StoreRun {
    pub fn query(&self, key: &str) -> Option<&QueryRun> {
        self.queries.iter().find(|q| q.key == key)
    }

    /// The median time of one request kind, ms.
    pub fn median_ms(&self, key: &str) -> Option<f64> {
        Spread::of(&self.query(key)?.ms).map(|s| s.median)
    }
}

/// The timed requests of one kind in one run.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct QueryRun {
    pub key: String,
    pub path: String,
    /// Request → whole response received, ms, one per timed request that was answered correctly.
    pub ms: Vec<f64>,
    /// Requests answered wrongly (status or content), and the first such answer.
    pub wrong: u64,
    pub first_wrong: Option<String>,
}

/// What a response must hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// A page of the device list: this many items and this total.
    Page { items: usize, total: u64 },
    /// One device.
    Device(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub key: &'static str,
    pub path: String,
    pub expect: Expect,
}

/// The request kinds, in the report's order.
pub const KINDS: [&str; 5] = ["first", "deep", "search", "status", "get"];

/// The page of the deep request for `devices` devices.
pub fn deep_page(devices: usize) -> usize {
    DEEP_PAGE.min(devices.div_ceil(PAGE_SIZE)).max(1)
}

/// A DeviceName prefix that ~10 of `devices` devices share (those from the middle of the range).
pub fn search_prefix(devices: usize) -> (String, usize) {
    let base = devices / 2 / 10 * 10;
    let mut name = device_name(base);
    name.pop();
    (name, 10.min(devices - base))
}

/// The timed requests against a registry of devices `0..devices` of product `pk`, all fresh
/// (status `inactive`: never connected).
pub fn queries(pk: &str, devices: usize) -> Vec<Query> {
    let n = devices as u64;
    let page = |p: usize| Expect::Page { items: PAGE_SIZE.min(devices.saturating_sub((p - 1) * PAGE_SIZE)), total: n };
    let deep = deep_page(devices);
    let (prefix, matches) = search_prefix(devices);
    let one = device_name(devices / 2);
    vec![
        Query { key: "first", path: format!("/api/v1/devices?page=1&page_size={PAGE_SIZE}"), expect: page(1) },
        Query { key: "deep", path: format!("/api/v1/devices?page={deep}&page_size={PAGE_SIZE}"), expect: page(deep) },
        Query {
            key: "search",
            path: format!("/api/v1/devices?q={prefix}&page_size={PAGE_SIZE}"),
            expect: Expect::Page { items: matches, total: matches as u64 },
        },
        Query {
            key: "status",
            path: format!("/api/v1/devices?status=inactive&page_size={PAGE_SIZE}"),
            expect: page(1),
        },
        Query { key: "get", path: format!("/api/v1/devices/{pk}/{one}"), expect: Expect::Device(one) },
    ]
}

/// `Err(what is wrong)` unless the response is what `expect` says.
pub fn check(expect: &Expect, status: StatusCode, body: &str) -> Result<(), String> {
    let short = || body.chars().take(200).collect::<String>();
    if status != StatusCode::OK {
        return Err(format!("{status}: {}", short()));
    }
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {}", short()))?;
    match expect {
        Expect::Page { items, total } => {
            let got = (v["items"].as_array().map(Vec::len), v["total"].as_u64());
            if got != (Some(*items), Some(*total)) {
                return Err(format!("expected {items} items of {total}, got {:?} of {:?}", got.0, got.1));
            }
        }
        Expect::Device(name) => {
            if v["device_name"].as_str() != Some(name) {
                return Err(format!("expected device {name}, got {}", short()));
            }
        }
    }
    Ok(())
}

/// The stores of repetition `rep`: SQLite alone, or both, swapping places every repetition.
pub fn store_order(rep: usize, with_pg: bool) -> Vec<Store> {
    match (with_pg, rep % 2) {
        (false, _) => vec![Store::Sqlite],
        (true, 0) => vec![Store::Sqlite, Store::Postgres],
        (true, _) => vec![Store::Postgres, Store::Sqlite],
    }
}

pub async fn rep(o: &Opts, rep: usize, pg: Option<&pg::Cluster>) -> RegistryRep {
    let order = store_order(rep, pg.is_some());
    let mut r = RegistryRep { load: procs::loadavg(), order: order.clone(), ..Default::default() };
    for store in order {
        match (store, pg) {
            (Store::Sqlite, _) => match run_store(o, None).await {
                Ok(x) => r.sqlite = Some(x),
                Err(e) => r.errors.push(format!("SQLite: {e:#}")),
            },
            (Store::Postgres, Some(cluster)) => {
                let run = async {
                    let fresh = cluster.fresh().await?;
                    let x = run_store(o, Some(&fresh.url)).await;
                    if let Err(e) = cluster.drop_db(&fresh).await {
                        eprintln!("        (could not drop database {}: {e:#})", fresh.name);
                    }
                    x
                };
                match run.await {
                    Ok(x) => r.postgres = Some(x),
                    Err(e) => r.errors.push(format!("PostgreSQL: {e:#}")),
                }
            }
            (Store::Postgres, None) => {}
        }
    }
    r
}

/// One fresh fleetdeck (on SQLite, or on the database `url`): create the devices, time the requests.
async fn run_store(o: &Opts, url: Option<&str>) -> anyhow::Result<StoreRun> {
    anyhow::ensure!(o.registry_devices > 0, "--registry-devices must be at least 1");
    let p = procs::start_fleetdeck(&o.fleetdeck, ADMIN_PASSWORD, url).await?;
    let res = tokio::time::timeout(RUN_LIMIT, measure(o, p.http.as_deref().unwrap_or_default())).await;
    p.stop().await;
    match res {
        Ok(r) => r,
        Err(_) => anyhow::bail!("not done within {} s", RUN_LIMIT.as_secs()),
    }
}

async fn measure(o: &Opts, http: &str) -> anyhow::Result<StoreRun> {
    let api = Api::login(http, "admin", ADMIN_PASSWORD).await?;
    api.ensure_product(PRODUCT_KEY).await?;
    let n = o.registry_devices;
    let t0 = Instant::now();
    let created = api.import_devices(PRODUCT_KEY, 0..n).await?;
    let create_secs = t0.elapsed().as_secs_f64();
    anyhow::ensure!(created == n as u64, "created {created} of {n} devices");
    eprintln!("        {n} devices created in {create_secs:.1} s");
    let qs = queries(PRODUCT_KEY, n);
    let mut runs: Vec<QueryRun> = qs
        .iter()
        .map(|q| QueryRun {
            key: q.key.into(),
            path: q.path.clone(),
            ms: Vec::with_capacity(o.registry_requests),
            ..Default::default()
        })
        .collect();
    for round in 0..WARMUP_ROUNDS + o.registry_requests.max(1) {
        for (q, run) in qs.iter().zip(runs.iter_mut()) {
            let t = Instant::now();
            let (status, body) = api.get_text(&q.path).await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            match check(&q.expect, status, &body) {
                Ok(()) if round >= WARMUP_ROUNDS => run.ms.push(ms),
                Ok(()) => {}
                Err(e) => {
                    run.wrong += 1;
                    run.first_wrong.get_or_insert(format!("GET {}: {e}", q.path));
                }
            }
        }
    }
    Ok(StoreRun { devices: n, create_secs, queries: runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requests_of_a_100k_registry() {
        let qs = queries("PK", 100_000);
        assert_eq!(qs.iter().map(|q| q.key).collect::<Vec<_>>(), KINDS);
        assert_eq!(qs[0].path, "/api/v1/devices?page=1&page_size=50");
        assert_eq!(qs[0].expect, Expect::Page { items: 50, total: 100_000 });
        assert_eq!(qs[1].path, "/api/v1/devices?page=1000&page_size=50");
        assert_eq!(qs[1].expect, Expect::Page { items: 50, total: 100_000 });
        // lg050000 ..= lg050009
        assert_eq!(qs[2].path, "/api/v1/devices?q=lg05000&page_size=50");
        assert_eq!(qs[2].expect, Expect::Page { items: 10, total: 10 });
        assert_eq!(qs[3].path, "/api/v1/devices?status=inactive&page_size=50");
        assert_eq!(qs[4].path, "/api/v1/devices/PK/lg050000");
        assert_eq!(qs[4].expect, Expect::Device("lg050000".into()));
    }

    #[test]
    fn small_registries_ask_for_pages_that_exist() {
        assert_eq!(deep_page(120), 3);
        assert_eq!(deep_page(1), 1);
        let qs = queries("PK", 120);
        assert_eq!(qs[1].expect, Expect::Page { items: 20, total: 120 });
        assert_eq!(search_prefix(120), ("lg00006".into(), 10));
        assert_eq!(search_prefix(3), ("lg00000".into(), 3));
    }

    #[test]
    fn responses_are_checked() {
        let page = Expect::Page { items: 2, total: 7 };
        assert_eq!(check(&page, StatusCode::OK, r#"{"items":[{},{}],"total":7,"page":1,"page_size":50}"#), Ok(()));
        assert!(check(&page, StatusCode::OK, r#"{"items":[{}],"total":7}"#).unwrap_err().contains("got Some(1)"));
        assert!(check(&page, StatusCode::INTERNAL_SERVER_ERROR, "boom").unwrap_err().starts_with("500"));
        assert!(check(&page, StatusCode::OK, "<html>").unwrap_err().starts_with("not JSON"));
        let dev = Expect::Device("lg000001".into());
        assert_eq!(check(&dev, StatusCode::OK, r#"{"device_name":"lg000001"}"#), Ok(()));
        assert!(check(&dev, StatusCode::OK, r#"{"device_name":"lg000002"}"#).is_err());
    }

    #[test]
    fn stores_swap_places_every_repetition() {
        assert_eq!(store_order(0, false), [Store::Sqlite]);
        assert_eq!(store_order(1, false), [Store::Sqlite]);
        assert_eq!(store_order(0, true), [Store::Sqlite, Store::Postgres]);
        assert_eq!(store_order(1, true), [Store::Postgres, Store::Sqlite]);
        assert_eq!(store_order(2, true), store_order(0, true));
    }

    #[test]
    fn medians_of_a_run() {
        let q = |key: &str, ms: &[f64]| QueryRun { key: key.into(), ms: ms.to_vec(), ..Default::default() };
        let run =
            StoreRun { devices: 10, create_secs: 1.0, queries: vec![q("first", &[3.0, 1.0, 2.0]), q("get", &[])] };
        assert_eq!(run.median_ms("first"), Some(2.0));
        assert_eq!(run.median_ms("get"), None);
        assert_eq!(run.median_ms("deep"), None);
    }
}
