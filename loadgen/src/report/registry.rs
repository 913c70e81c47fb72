//! Section 4, the device registry at scale: creating the devices and the console's list and
//! search requests on SQLite and (with `--pg-url`) PostgreSQL, and PostgreSQL ÷ SQLite.

use std::fmt::Write as _;

use super::format::{rate, spread};
use crate::bench::{Opts, Results};
use crate::registry::{deep_page, search_prefix, RegistryRep, Store, StoreRun, KINDS, PAGE_SIZE, WARMUP_ROUNDS};
use crate::stats::Spread;

/// The creation of the devices, next to the request kinds of [`KINDS`].
const CREATE: &str = "create";

/// What a request kind is called in the tables.
fn label(key: &str, devices: usize) -> String {
    match key {
        "first" => "first page".into(),
        "deep" => format!("page {}", rate(deep_page(devices) as f64)),
        "search" => "name prefix search".into(),
        "status" => "status filter".into(),
        "get" => "GET one device".into(),
        _ => key.into(),
    }
}

fn store_name(s: Store) -> &'static str {
    match s {
        Store::Sqlite => "SQLite",
        Store::Postgres => "PostgreSQL",
    }
}

/// One number of a run: seconds to create the devices, or a request kind's median in ms.
fn value(run: &StoreRun, key: &str) -> Option<f64> {
    if key == CREATE {
        Some(run.create_secs).filter(|s| *s > 0.0)
    } else {
        run.median_ms(key)
    }
}

/// The runs' values of one store, median and range over the repetitions.
pub(super) fn medians(reps: &[RegistryRep], store: Store, key: &str) -> Option<Spread> {
    let v: Vec<f64> = reps.iter().filter_map(|r| value(r.run(store)?, key)).collect();
    Spread::of(&v)
}

/// PostgreSQL ÷ SQLite of each repetition that has both (measured back to back), median and range.
pub(super) fn ratios(reps: &[RegistryRep], key: &str) -> Option<Spread> {
    let v: Vec<f64> =
        reps.iter().filter_map(|r| Some(value(r.postgres.as_ref()?, key)? / value(r.sqlite.as_ref()?, key)?)).collect();
    Spread::of(&v)
}

fn ms(x: f64) -> String {
    format!("{x:.2} ms")
}

fn secs(x: f64) -> String {
    format!("{x:.1} s")
}

fn times(x: f64) -> String {
    format!("{x:.2}×")
}

/// The progress line of a repetition (stderr).
pub fn registry_line(r: &RegistryRep) -> String {
    let one = |s: Store| {
        r.run(s)
            .map(|run| {
                let q: Vec<String> =
                    KINDS.iter().map(|k| format!("{k} {}", run.median_ms(k).map(ms).unwrap_or("–".into()))).collect();
                format!("{}: create {}, {}", store_name(s), secs(run.create_secs), q.join(", "))
            })
            .unwrap_or_default()
    };
    format!("{}  {}  {}", one(Store::Sqlite), one(Store::Postgres), r.errors.join("; "))
}

/// The summary's rows: each store's medians, and PostgreSQL ÷ SQLite.
pub(super) fn summary_rows(w: &mut String, res: &Results, o: &Opts) {
    let reps = &res.registry;
    if reps.is_empty() {
        return;
    }
    let n = o.registry_devices;
    let all = |s: Store| {
        let q: Vec<String> = KINDS.iter().map(|k| spread_median(medians(reps, s, k), |x| format!("{x:.2}"))).collect();
        format!("{} ms; {}", q.join(" / "), spread_median(medians(reps, s, CREATE), secs))
    };
    let _ = writeln!(
        w,
        "| 4. registry, {} devices on SQLite: ms per request, {} / {} / `q=` prefix / `status=` / GET one; time to create them | {} | – | – | (reported) | – |",
        rate(n as f64),
        label("first", n),
        label("deep", n),
        all(Store::Sqlite),
    );
    if reps.iter().all(|r| r.postgres.is_none()) {
        let _ = writeln!(
            w,
            "| 4p. the same on PostgreSQL | {} | – | – | (reported) | – |",
            if o.pg_url.is_some() || !res.meta.postgres.is_empty() {
                "no run succeeded, see 4."
            } else {
                "not measured (no `--pg-url`)"
            }
        );
        return;
    }
    let r: Vec<String> = KINDS.iter().map(|k| spread_median(ratios(reps, k), times)).collect();
    let _ = writeln!(
        w,
        "| 4p. the same on PostgreSQL | {} | – | {}; create {} (PostgreSQL ÷ SQLite) | (reported) | – |",
        all(Store::Postgres),
        r.join(" / "),
        spread_median(ratios(reps, CREATE), times),
    );
}

fn spread_median(s: Option<Spread>, f: impl Fn(f64) -> String) -> String {
    s.map(|s| f(s.median)).unwrap_or("–".into())
}

pub(super) fn registry(w: &mut String, res: &Results, o: &Opts) {
    let reps = &res.registry;
    if reps.is_empty() {
        return;
    }
    let n = o.registry_devices;
    let with_pg = reps.iter().any(|r| r.order.contains(&Store::Postgres));
    let _ = writeln!(w, "## 4. Device registry with {} devices\n", rate(n as f64));
    let (prefix, matches) = search_prefix(n);
    let _ = writeln!(
        w,
        "A fresh fleetdeck gets the product and {} devices through the REST API: `POST \
         /api/v1/products/{{pk}}/devices/import`, 10,000 CSV rows per request (the most the API takes); \"create\" \
         is the wall time of those requests. Then the console's requests are timed, as the logged-in operator, one \
         at a time: the first page of `GET /api/v1/devices?page_size={PAGE_SIZE}`, page {} of it, the DeviceName \
         prefix search `q={prefix}` ({matches} matches), the status filter `status=inactive` (every device matches: \
         none ever connected) and `GET /api/v1/devices/{{pk}}/{{dn}}` of one device. {} untimed rounds, then {} timed \
         ones, the kinds interleaved round by round; time = request sent → whole response read; every response is \
         checked (status, items, total). A run's figure is the median of its requests.\n",
        rate(n as f64),
        rate(deep_page(n) as f64),
        WARMUP_ROUNDS,
        o.registry_requests,
    );
    if with_pg {
        let _ = writeln!(
            w,
            "Stores: SQLite (the default: a file in the fresh data directory) and PostgreSQL (a fresh database on a \
             private cluster: {}), one fleetdeck process each, the order swapped every repetition. Ratio: \
             PostgreSQL ÷ SQLite of each repetition, the median of those (above 1×: PostgreSQL is slower).\n",
            if res.meta.postgres.is_empty() { "version not recorded" } else { &res.meta.postgres }
        );
    }
    let cols: Vec<String> = KINDS.iter().map(|k| label(k, n)).collect();
    let _ = writeln!(
        w,
        "| run | store | create {} devices | {} | load avg |\n|---|---|---|{}---|",
        rate(n as f64),
        cols.join(" | "),
        "---|".repeat(KINDS.len())
    );
    let row = |run: &StoreRun| {
        let q: Vec<String> = KINDS.iter().map(|k| run.median_ms(k).map(ms).unwrap_or("–".into())).collect();
        format!(
            "{} ({} devices/s) | {}",
            secs(run.create_secs),
            rate(run.devices as f64 / run.create_secs.max(1e-9)),
            q.join(" | ")
        )
    };
    for (i, r) in reps.iter().enumerate() {
        for &s in &r.order {
            let cells = r.run(s).map(row).unwrap_or_else(|| vec!["–"; KINDS.len() + 1].join(" | "));
            let _ = writeln!(w, "| {} | {} | {cells} | {} |", i + 1, store_name(s), r.load);
        }
    }
    for s in [Store::Sqlite, Store::Postgres] {
        if reps.iter().all(|r| r.run(s).is_none()) {
            continue;
        }
        let q: Vec<String> = KINDS.iter().map(|k| spread(medians(reps, s, k), ms)).collect();
        let _ = writeln!(
            w,
            "| **median** (range) | {} | {} | {} | |",
            store_name(s),
            spread(medians(reps, s, CREATE), secs),
            q.join(" | ")
        );
    }
    if reps.iter().any(|r| r.sqlite.is_some() && r.postgres.is_some()) {
        let q: Vec<String> = KINDS.iter().map(|k| format!("**{}**", spread_median(ratios(reps, k), times))).collect();
        let _ = writeln!(
            w,
            "| **ratio** PostgreSQL ÷ SQLite | | **{}** | {} | |",
            spread_median(ratios(reps, CREATE), times),
            q.join(" | ")
        );
    }
    let _ = writeln!(w);
    if !with_pg {
        let _ = writeln!(
            w,
            "PostgreSQL was not measured: no `--pg-url` (`bash scripts/bench.sh --store postgres` measures both \
             stores in the same run).\n"
        );
    }
    let mut problems: Vec<String> = Vec::new();
    for (i, r) in reps.iter().enumerate() {
        problems.extend(r.errors.iter().map(|e| format!("run {}: {e}", i + 1)));
        for &s in &r.order {
            for q in r.run(s).map(|x| x.queries.as_slice()).unwrap_or_default() {
                if let Some(e) = &q.first_wrong {
                    problems.push(format!("run {}, {}: {} wrong answers, first: {e}", i + 1, store_name(s), q.wrong));
                }
            }
        }
    }
    if !problems.is_empty() {
        let _ = writeln!(w, "Errors:\n");
        for p in problems {
            let _ = writeln!(w, "- {p}");
        }
        let _ = writeln!(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::QueryRun;

    fn run(create_secs: f64, first_ms: &[f64]) -> StoreRun {
        let q = QueryRun { key: "first".into(), ms: first_ms.to_vec(), ..Default::default() };
        StoreRun { devices: 10, create_secs, queries: vec![q] }
    }

    #[test]
    fn ratios_only_from_repetitions_with_both_stores() {
        let rep =
            |s: Option<StoreRun>, p: Option<StoreRun>| RegistryRep { sqlite: s, postgres: p, ..Default::default() };
        let reps = [
            rep(Some(run(10.0, &[1.0, 2.0, 3.0])), Some(run(30.0, &[4.0, 6.0]))), // 3×, 2.5×
            rep(Some(run(10.0, &[2.0])), None),                                   // no ratio
            rep(None, Some(run(5.0, &[100.0]))),                                  // no ratio
            rep(Some(run(20.0, &[4.0])), Some(run(20.0, &[2.0]))),                // 1×, 0.5×
        ];
        assert_eq!(ratios(&reps, CREATE).map(|s| (s.median, s.n)), Some((2.0, 2)));
        assert_eq!(ratios(&reps, "first").map(|s| (s.median, s.min, s.max)), Some((1.5, 0.5, 2.5)));
        assert_eq!(ratios(&reps, "get"), None);
        // Each store's runs on their own: medians of the per-run medians.
        assert_eq!(medians(&reps, Store::Sqlite, "first").map(|s| (s.median, s.n)), Some((2.0, 3)));
        assert_eq!(medians(&reps, Store::Postgres, CREATE).map(|s| s.median), Some(20.0));
        // A run that created nothing has no creation time.
        assert_eq!(value(&run(0.0, &[]), CREATE), None);
    }
}
