//! Section 1c, ingest on PostgreSQL (`--pg-url`): the same fleetdeck on a fresh PostgreSQL
//! database, in the same repetitions as Mosquitto and fleetdeck on SQLite, with its ratio to each
//! of them from its own repetition.

use std::fmt::Write as _;

use super::change::order;
use super::format::{pass, rate, spread};
use super::ingest::fleet_lossless;
use crate::bench::{IngestRep, Opts, Results};
use crate::stats::Spread;

/// Whether any repetition had a PostgreSQL run in its order.
pub(super) fn present(reps: &[IngestRep]) -> bool {
    reps.iter().any(|r| r.order.contains(&crate::bench::Side::Postgres))
}

/// PostgreSQL's rate ÷ `baseline` of each repetition that has both, median and range.
fn ratios(reps: &[IngestRep], baseline: impl Fn(&IngestRep) -> Option<f64>) -> Option<Spread> {
    let v: Vec<f64> =
        reps.iter().filter_map(|r| Some(r.postgres.as_ref()?.out.rate / baseline(r).filter(|b| *b > 0.0)?)).collect();
    Spread::of(&v)
}

/// fleetdeck on PostgreSQL ÷ Mosquitto, per repetition, median and range.
pub(super) fn ratios_to_mosquitto(reps: &[IngestRep]) -> Option<Spread> {
    ratios(reps, |r| Some(r.mosquitto.as_ref()?.rate))
}

/// fleetdeck on PostgreSQL ÷ fleetdeck on SQLite, per repetition, median and range.
pub(super) fn ratios_to_sqlite(reps: &[IngestRep]) -> Option<Spread> {
    ratios(reps, |r| Some(r.fleetdeck.as_ref()?.rate))
}

fn pg_lossless(r: &IngestRep) -> bool {
    r.postgres.as_ref().is_some_and(fleet_lossless)
}

fn times(s: Option<Spread>) -> String {
    s.map(|s| format!("{:.2}×", s.median)).unwrap_or("–".into())
}

/// The summary's row.
pub(super) fn summary_row(w: &mut String, res: &Results, o: &Opts) {
    if !present(&res.ingest) {
        return;
    }
    let f: Vec<f64> = res.ingest.iter().filter_map(|r| Some(r.postgres.as_ref()?.out.rate)).collect();
    let lossless = res.ingest.iter().all(pg_lossless);
    let _ = writeln!(
        w,
        "| 1p. the same ingest on PostgreSQL ({} devices) | {}, loss {} | (same runs as 1.) | {} ({} of SQLite's) | zero loss | {} |",
        o.ingest_devices,
        Spread::of(&f).map(|s| format!("{} msg/s", rate(s.median))).unwrap_or("no run succeeded".into()),
        if lossless { "0" } else { "**yes, see 1c.**" },
        times(ratios_to_mosquitto(&res.ingest)),
        times(ratios_to_sqlite(&res.ingest)),
        pass(Some(f.len() == res.ingest.len() && lossless)),
    );
}

pub(super) fn section(w: &mut String, res: &Results) {
    let reps = &res.ingest;
    if !present(reps) {
        return;
    }
    let _ = writeln!(w, "### 1c. fleetdeck on PostgreSQL\n");
    let _ = writeln!(
        w,
        "The same fleetdeck binary and the same run as above, started with `--database-url` on a database created \
         for the run (`CREATE DATABASE bench_<n>` on a private cluster: {}; dropped afterwards), measured in the same \
         repetitions as Mosquitto and fleetdeck on SQLite, the order of the three rotated by one place per \
         repetition (M: Mosquitto, F: fleetdeck on SQLite, P: fleetdeck on PostgreSQL). The database check counts \
         the same rows through the database URL. Ratios are to the Mosquitto and SQLite runs of the same \
         repetition; the median of those is the result. CPU is fleetdeck's process only: PostgreSQL's server \
         processes work for it too and are not counted.\n",
        if res.meta.postgres.is_empty() { "version not recorded" } else { &res.meta.postgres }
    );
    let _ = writeln!(
        w,
        "| run | order | Mosquitto msg/s | fleetdeck SQLite msg/s | fleetdeck PostgreSQL msg/s | PostgreSQL ÷ Mosquitto | PostgreSQL ÷ SQLite | PostgreSQL sent / replied 200 / PUBACKs | in the database: uplink / reply entries / values | stored after | stored msg/s | CPU cores fleetdeck (loadgen) | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let dash = || "–".to_string();
    for (i, r) in reps.iter().enumerate() {
        let m = r.mosquitto.as_ref().map(|m| m.rate);
        let s = r.fleetdeck.as_ref().map(|f| f.rate);
        let p = r.postgres.as_ref();
        let per = |b: Option<f64>| p.zip(b).map(|(p, b)| format!("{:.2}×", p.out.rate / b)).unwrap_or_else(dash);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            order(&r.order),
            m.map(rate).unwrap_or_else(dash),
            s.map(rate).unwrap_or_else(dash),
            p.map(|p| rate(p.out.rate)).unwrap_or_else(dash),
            per(m),
            per(s),
            p.map(|p| format!("{} / {} / {}", p.out.sent, p.out.delivered, p.out.pubacks)).unwrap_or_else(dash),
            p.and_then(|p| p.stored)
                .map(|s| format!("{} / {} / {}", s.uplinks, s.replies, s.values))
                .unwrap_or_else(dash),
            p.and_then(|p| p.stored_secs).map(|x| format!("{x:.2} s")).unwrap_or_else(dash),
            p.and_then(|p| Some(rate(p.out.sent as f64 / p.stored_secs?))).unwrap_or_else(dash),
            p.and_then(|p| p.cpu)
                .map(|c| format!("{:.2} ({:.2})", c.broker_cores, c.loadgen_cores))
                .unwrap_or_else(dash),
            r.load,
        );
    }
    let col = |f: &dyn Fn(&IngestRep) -> Option<f64>| Spread::of(&reps.iter().filter_map(f).collect::<Vec<_>>());
    let _ = writeln!(
        w,
        "| **median** (range) | | {} | {} | {} | **{}** | **{}** | | | | {} | | |\n",
        spread(col(&|r| Some(r.mosquitto.as_ref()?.rate)), rate),
        spread(col(&|r| Some(r.fleetdeck.as_ref()?.rate)), rate),
        spread(col(&|r| Some(r.postgres.as_ref()?.out.rate)), rate),
        times(ratios_to_mosquitto(reps)),
        times(ratios_to_sqlite(reps)),
        spread(col(&|r| Some(r.postgres.as_ref()?.out.sent as f64 / r.postgres.as_ref()?.stored_secs?)), rate),
    );
    let lost: Vec<String> = reps
        .iter()
        .enumerate()
        .filter(|(_, r)| !pg_lossless(r))
        .map(|(i, r)| match &r.postgres {
            None => {
                let why: Vec<&String> = r.errors.iter().filter(|e| e.contains("PostgreSQL")).collect();
                let why: Vec<&str> = why.iter().map(|s| s.as_str()).collect();
                format!(
                    "run {}: not measured{}",
                    i + 1,
                    if why.is_empty() { String::new() } else { format!(": {}", why.join("; ")) }
                )
            }
            Some(p) => format!(
                "run {}: sent {}, replied 200 {}, other codes {}, connect failures {}, stored {:?}{}{}",
                i + 1,
                p.out.sent,
                p.out.delivered,
                p.out.failed_replies,
                p.out.connect_failures,
                p.stored,
                p.out.error.as_ref().map(|e| format!(", error: {e}")).unwrap_or_default(),
                if p.errors.is_empty() { String::new() } else { format!(", {}", p.errors.join("; ")) }
            ),
        })
        .collect();
    if lost.is_empty() {
        let _ =
            writeln!(w, "Loss on PostgreSQL: **none** in any run (every post replied 200 and every row present).\n");
    } else {
        let _ = writeln!(w, "Loss or errors on PostgreSQL:\n");
        for l in lost {
            let _ = writeln!(w, "- {l}");
        }
        let _ = writeln!(w);
    }
}
