//! The whole report from made-up results: with a before-binary it has the comparison section
//! with the right numbers; without one, nothing of it.

use clap::Parser;

use super::render;
use crate::bench::{run_order, FleetIngest, IngestRep, LatencyRep, Opts, Results};
use crate::db::Stored;
use crate::registry::{QueryRun, RegistryRep, StoreRun, KINDS};
use crate::{ingest, latency};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    opts: Opts,
}

fn opts(args: &[&str]) -> Opts {
    Cli::parse_from(std::iter::once("bench").chain(args.iter().copied())).opts
}

fn fleet(rate: f64) -> ingest::Outcome {
    ingest::Outcome { sent: 100, pubacks: 100, delivered: 100, rate, ..Default::default() }
}

const STORED: Stored = Stored { uplinks: 100, replies: 100, values: 300 };

fn p99(us: u64) -> latency::Outcome {
    latency::Outcome { sent: 10, received: 10, p50_us: Some(us / 4), p99_us: Some(us), ..Default::default() }
}

/// Three repetitions: Mosquitto 40k/30k/50k msg/s; before at 0.60×/0.50×/0.60×, after at
/// 0.57×/0.50×/0.60× (the median ratio drops exactly 5 %); p99 3 ms / 9 ms / 11 ms.
fn results(with_before: bool) -> Results {
    let mut res = Results::default();
    res.meta.git = "new1234".into();
    if with_before {
        res.meta.before = "old1234".into();
        res.meta.before_binary = "target/bench-before/fleetdeck-old".into();
    }
    for (rep, (m, b, a)) in
        [(40_000.0, 24_000.0, 22_800.0), (30_000.0, 15_000.0, 15_000.0), (50_000.0, 30_000.0, 30_000.0)]
            .into_iter()
            .enumerate()
    {
        let before = FleetIngest { out: fleet(b), props: 3, stored: Some(STORED), ..Default::default() };
        res.ingest.push(IngestRep {
            order: run_order(rep, with_before, false),
            mosquitto: Some(ingest::Outcome { sent: 100, delivered: 100, rate: m, ..Default::default() }),
            fleetdeck: Some(fleet(a)),
            stored: Some(STORED),
            before: with_before.then_some(before),
            ..Default::default()
        });
        res.latency.push(LatencyRep {
            order: run_order(rep, with_before, false),
            mosquitto: Some(p99(3_000)),
            fleetdeck: Some(p99(11_000)),
            before: with_before.then(|| p99(9_000)),
            ..Default::default()
        });
    }
    res
}

#[test]
fn the_comparison_section_has_medians_ratios_and_the_change() {
    let md = render(&results(true), &opts(&["--fleetdeck-before", "x", "--before-label", "old1234"]));
    let section = &md[md.find("## Change against old1234").expect("section")..md.find("## Machine and run").unwrap()];
    // Summary rows: medians, ratios of the medians of per-run ratios, the change, the verdicts.
    assert!(
        section.contains("| 1. ingest, 100 devices, msg/s | 40,000 | 24,000 | 22,800 | 0.60× | 0.57× | **−5.0 %** | drop ≤ 5 %, zero loss | **pass** |"),
        "{section}"
    );
    assert!(section.contains(
        "| 2. device → browser p99 at 10,000 msg/s | 3.00 ms | 9.00 ms | 11.00 ms | 3.00× | 3.67× | +22.2 % | new1234 ≤ max(10 ms, 4× Mosquitto) = 12.00 ms | **pass** (old1234: **pass**) |"
    ), "{section}");
    // Every repetition, in the order it ran.
    assert!(
        section.contains("| 1 | M B F | 40,000 | 24,000 | 22,800 | 0.60× | 0.57× | −5.0 % | yes / yes |"),
        "{section}"
    );
    assert!(section.contains("| 2 | B F M | 30,000 | 15,000 | 15,000 | 0.50× | 0.50× | +0.0 % |"), "{section}");
    assert!(
        section.contains(
            "| 3 | F M B | 3.00 ms | 9.00 ms | 11.00 ms | 3.00× | 3.67× | +22.2 % | 2.25 ms / 2.75 ms | 0 / 0 |"
        ),
        "{section}"
    );
    assert!(section.contains("**−5.0 %** (runs −5.0 % – +0.0 %)"), "{section}");
    // Nothing failed, so no problem list.
    assert!(!section.contains("\n- "), "{section}");
    assert!(
        md.contains("| fleetdeck before (ingest and latency only) | old1234 (`target/bench-before/fleetdeck-old`) |")
    );
    assert!(md.contains("bash scripts/bench.sh --before old1234"));
    assert!(md.contains("--fleetdeck-before target/bench-before/fleetdeck-old --before-label 'old1234'"));
}

#[test]
fn a_larger_drop_fails_and_a_missing_before_run_is_listed() {
    let mut res = results(true);
    res.ingest[0].fleetdeck.as_mut().unwrap().rate = 21_600.0; // 0.54× after 0.60×
    res.ingest[2].fleetdeck.as_mut().unwrap().rate = 27_000.0; // 0.54× after 0.60×
    res.latency[1].before = None;
    res.latency[1].errors.push("fleetdeck before: did not start".into());
    res.latency[2].before = None;
    let md = render(&res, &opts(&[]));
    assert!(md.contains("| 0.60× | 0.54× | **−10.0 %** | drop ≤ 5 %, zero loss | **FAIL** |"), "{md}");
    assert!(
        md.contains("- latency run 2: fleetdeck before: did not start\n- latency run 3: old1234 not measured\n"),
        "{md}"
    );
}

#[test]
fn without_a_before_binary_the_report_has_no_comparison() {
    let md = render(&results(false), &opts(&[]));
    assert!(!md.contains("Change against"));
    assert!(!md.contains("fleetdeck before") && !md.contains("--fleetdeck-before"), "{md}");
    assert!(md.contains("| repetitions | 3 per measurement, baseline and fleetdeck interleaved |"));
    assert!(md.contains("| fleetdeck | commit new1234 |\n| open files (RLIMIT_NOFILE) |"));
    assert!(md.contains("```sh\nbash scripts/bench.sh          # builds fleetdeck + loadgen (release)"));
}

/// `results(false)` plus fleetdeck on PostgreSQL in every ingest repetition: 20k/12k/25k msg/s,
/// i.e. 0.50×/0.40×/0.50× of Mosquitto and 0.88×/0.80×/0.83× of SQLite.
fn results_with_postgres() -> Results {
    let mut res = results(false);
    res.meta.postgres = "PostgreSQL 15.8, fsync=off".into();
    for (rep, (r, p)) in res.ingest.iter_mut().zip([20_000.0, 12_000.0, 25_000.0]).enumerate() {
        r.order = run_order(rep, false, true);
        r.postgres = Some(FleetIngest { out: fleet(p), props: 3, stored: Some(STORED), ..Default::default() });
    }
    res
}

#[test]
fn postgres_ingest_has_its_ratios_to_mosquitto_and_sqlite_from_the_same_runs() {
    let md = render(&results_with_postgres(), &opts(&["--pg-url", "postgres://fleetdeck@127.0.0.1:5999/postgres"]));
    let section = &md[md.find("### 1c. fleetdeck on PostgreSQL").expect("section")..md.find("## 2.").unwrap()];
    assert!(section.contains("private cluster: PostgreSQL 15.8, fsync=off;"), "{section}");
    assert!(
        section
            .contains("| 1 | M F P | 40,000 | 22,800 | 20,000 | 0.50× | 0.88× | 100 / 100 / 100 | 100 / 100 / 300 |"),
        "{section}"
    );
    assert!(section.contains("| 2 | F P M | 30,000 | 15,000 | 12,000 | 0.40× | 0.80× |"), "{section}");
    assert!(section.contains("| 3 | P M F | 50,000 | 30,000 | 25,000 | 0.50× | 0.83× |"), "{section}");
    assert!(
        section.contains(
            "| **median** (range) | | **40,000** (30,000 – 50,000) | **22,800** (15,000 – 30,000) | **20,000** (12,000 – 25,000) | **0.50×** | **0.83×** |"
        ),
        "{section}"
    );
    assert!(section.contains("Loss on PostgreSQL: **none**"), "{section}");
    assert!(md.contains(
        "| 1p. the same ingest on PostgreSQL (100 devices) | 20,000 msg/s, loss 0 | (same runs as 1.) | 0.50× (0.83× of SQLite's) | zero loss | **pass** |"
    ), "{md}");
    assert!(md
        .contains("| PostgreSQL (ingest 1c, registry 4) | PostgreSQL 15.8, fsync=off (private cluster, `--pg-url`) |"));
    assert!(md.contains("bash scripts/bench.sh --store postgres   # builds"));
    assert!(md.contains("--pg-url postgres://fleetdeck@127.0.0.1:<port>/postgres"));
    // The SQLite-only numbers are unchanged by the third contender.
    assert!(md.contains("| 1 | 40,000 | 22,800 | 0.57× |"), "{md}");
}

#[test]
fn a_failed_postgres_run_is_listed_and_fails_zero_loss() {
    let mut res = results_with_postgres();
    res.ingest[1].postgres = None;
    res.ingest[1].errors.push("fleetdeck (PostgreSQL): did not start".into());
    let md = render(&res, &opts(&[]));
    assert!(md.contains("- run 2: not measured: fleetdeck (PostgreSQL): did not start\n"), "{md}");
    assert!(
        md.contains("| 1p. the same ingest on PostgreSQL (100 devices) | 22,500 msg/s, loss **yes, see 1c.**"),
        "{md}"
    );
    assert!(md.contains("| zero loss | **FAIL** |"), "{md}");
    assert!(md.contains("| 2 | F P M | 30,000 | 15,000 | – | – | – | – |"), "{md}");
}

fn store_run(create_secs: f64, ms: [f64; 5]) -> StoreRun {
    let queries = KINDS
        .iter()
        .zip(ms)
        .map(|(k, m)| QueryRun { key: k.to_string(), ms: vec![m, m - 0.1, m + 0.1], ..Default::default() })
        .collect();
    StoreRun { devices: 100_000, create_secs, queries }
}

/// Two repetitions; PostgreSQL ÷ SQLite: first page 1.5× then 2.5×, page 1,000 0.5×, the rest
/// 2×; creating the devices 2× then 1.5×.
fn registry_results(with_pg: bool) -> Results {
    let mut res = results(false);
    res.ingest.clear();
    res.latency.clear();
    if with_pg {
        res.meta.postgres = "PostgreSQL 15.8".into();
    }
    let sqlite = [2.0, 12.0, 1.0, 4.0, 0.5];
    for (rep, (sc, pc, first)) in [(10.0, 20.0, 3.0), (12.0, 18.0, 5.0)].into_iter().enumerate() {
        res.registry.push(RegistryRep {
            load: "0.50 0.40 0.30".into(),
            order: crate::registry::store_order(rep, with_pg),
            sqlite: Some(store_run(sc, sqlite)),
            postgres: with_pg.then(|| store_run(pc, [first, 6.0, 2.0, 8.0, 1.0])),
            errors: Vec::new(),
        });
    }
    res
}

#[test]
fn the_registry_section_compares_the_stores_from_the_same_repetitions() {
    let md = render(&registry_results(true), &opts(&["--pg-url", "postgres://fleetdeck@127.0.0.1:5999/postgres"]));
    let section = &md[md.find("## 4. Device registry with 100,000 devices").expect("section")..];
    assert!(section.contains("page 1,000 of it, the DeviceName prefix search `q=lg05000` (10 matches)"), "{section}");
    assert!(section.contains(
        "| run | store | create 100,000 devices | first page | page 1,000 | name prefix search | status filter | GET one device | load avg |"
    ), "{section}");
    assert!(section.contains(
        "| 1 | SQLite | 10.0 s (10,000 devices/s) | 2.00 ms | 12.00 ms | 1.00 ms | 4.00 ms | 0.50 ms | 0.50 0.40 0.30 |\n| 1 | PostgreSQL | 20.0 s (5,000 devices/s) | 3.00 ms |"
    ), "{section}");
    // The second repetition ran PostgreSQL first.
    assert!(section.contains("| 2 | PostgreSQL | 18.0 s (5,556 devices/s) | 5.00 ms |"), "{section}");
    assert!(section.contains(
        "| **median** (range) | SQLite | **11.0 s** (10.0 s – 12.0 s) | 2.00 ms | 12.00 ms | 1.00 ms | 4.00 ms | 0.50 ms | |"
    ), "{section}");
    assert!(section.contains("| **median** (range) | PostgreSQL | **19.0 s** (18.0 s – 20.0 s) | **4.00 ms** (3.00 ms – 5.00 ms) | 6.00 ms |"), "{section}");
    assert!(section.contains(
        "| **ratio** PostgreSQL ÷ SQLite | | **1.75×** | **2.00×** | **0.50×** | **2.00×** | **2.00×** | **2.00×** | |"
    ), "{section}");
    assert!(!section.contains("not measured") && !section.contains("Errors"), "{section}");
    assert!(md.contains(
        "| 4. registry, 100,000 devices on SQLite: ms per request, first page / page 1,000 / `q=` prefix / `status=` / GET one; time to create them | 2.00 / 12.00 / 1.00 / 4.00 / 0.50 ms; 11.0 s | – | – | (reported) | – |"
    ), "{md}");
    assert!(md.contains(
        "| 4p. the same on PostgreSQL | 4.00 / 6.00 / 2.00 / 8.00 / 1.00 ms; 19.0 s | – | 2.00× / 0.50× / 2.00× / 2.00× / 2.00×; create 1.75× (PostgreSQL ÷ SQLite) | (reported) | – |"
    ), "{md}");
}

#[test]
fn without_postgres_the_registry_says_it_was_not_measured() {
    let mut res = registry_results(false);
    let run = res.registry[1].sqlite.as_mut().unwrap();
    run.queries[4].wrong = 2;
    run.queries[4].first_wrong = Some("GET /api/v1/devices/PK/lg050000: 404 Not Found".into());
    let md = render(&res, &opts(&["--registry-requests", "25"]));
    let section = &md[md.find("## 4. Device registry").expect("section")..];
    assert!(section.contains("3 untimed rounds, then 25 timed ones"), "{section}");
    assert!(!section.contains("| PostgreSQL |") && !section.contains("**ratio**"), "{section}");
    assert!(section.contains("PostgreSQL was not measured: no `--pg-url`"), "{section}");
    assert!(section.contains("- run 2, SQLite: 2 wrong answers, first: GET /api/v1/devices/PK/lg050000: 404 Not Found"));
    assert!(
        md.contains("| 4p. the same on PostgreSQL | not measured (no `--pg-url`) | – | – | (reported) | – |"),
        "{md}"
    );
    assert!(!md.contains("1c.") && !md.contains("--pg-url postgres://"), "{md}");
}
