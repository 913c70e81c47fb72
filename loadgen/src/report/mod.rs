//! BENCHMARKS.md: machine, method, commands, one table per measurement (every run, then the
//! median and spread), the ratio to the baseline and the goal. Only measured numbers; a
//! projection is labelled as one. One file per section; `format` holds the shared cell helpers.

use std::fmt::Write as _;

use crate::bench::{Opts, Results};

mod change;
mod commands;
mod format;
mod idle;
mod ingest;
mod ingest_pg;
mod latency;
mod meta;
mod registry;
// The simulated demo fleet's own section (issue 13).
pub mod simulate;
// The monitoring metrics' own section (issue 14).
pub mod metrics;
mod summary;

pub use format::mib;
pub use ingest::ingest_line;
pub use latency::latency_line;
pub use meta::Meta;
pub use registry::registry_line;

pub fn render(res: &Results, o: &Opts) -> String {
    let m = &res.meta;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "fleetdeck measured against a baseline that is measured **in the same run on the same machine**: a private \
         Mosquitto instance started by the benchmark. Ratios are what to compare across machines; absolute numbers \
         depend on the machine. This file is written by `bash scripts/bench.sh` (`loadgen bench`); rerun it rather \
         than editing numbers by hand. The benchmark is not part of the test command.\n"
    );
    summary::summary(w, res, o);
    change::change(w, res, o);
    let _ = writeln!(w, "## Machine and run\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| date | {} |", m.date);
    let _ = writeln!(w, "| CPU | {} × {} |", m.cores, m.cpu);
    let _ = writeln!(w, "| memory | {} |", m.memory);
    let _ = writeln!(w, "| OS, kernel | {}, Linux {} |", m.os, m.kernel);
    let _ = writeln!(w, "| Rust | {} (release profile of the workspace) |", m.rustc);
    let _ = writeln!(w, "| baseline | {} |", m.mosquitto);
    let _ = writeln!(w, "| fleetdeck | commit {} |", m.git);
    if !m.postgres.is_empty() {
        let _ = writeln!(w, "| PostgreSQL (ingest 1c, registry 4) | {} (private cluster, `--pg-url`) |", m.postgres);
    }
    let _ = writeln!(w, "| open files (RLIMIT_NOFILE) | soft {} / hard {} |", m.nofile, m.nofile_hard);
    if change::present(res) {
        let _ = writeln!(w, "| fleetdeck before (ingest and latency only) | {} |", change::label(res));
        let _ = writeln!(
            w,
            "| repetitions | {} per measurement; ingest and latency: baseline, fleetdeck before and fleetdeck \
             interleaved, the order rotated by one place per repetition; memory: baseline and fleetdeck interleaved |",
            o.reps
        );
    } else if !m.postgres.is_empty() {
        let _ = writeln!(
            w,
            "| repetitions | {} per measurement; ingest: baseline, fleetdeck on SQLite and fleetdeck on PostgreSQL \
             interleaved, the order rotated by one place per repetition; registry: SQLite and PostgreSQL, the order \
             swapped every repetition; latency and memory: baseline and fleetdeck interleaved |",
            o.reps
        );
    } else {
        let _ = writeln!(w, "| repetitions | {} per measurement, baseline and fleetdeck interleaved |", o.reps);
    }
    let _ = writeln!(w, "| whole benchmark | {} min {} s |", m.duration_secs / 60, m.duration_secs % 60);
    let _ =
        writeln!(w, "| load average (1, 5, 15 min) | {} at the start, {} at the end |", m.loadavg_start, m.loadavg_end);
    let _ = writeln!(
        w,
        "\nThe machine is shared and noisy: every number is the **median** of the runs, with the range (min – max) \
         in parentheses. The load generator runs on the same cores as the broker it measures, for the baseline too.\n"
    );
    commands::commands(w, o, res);
    ingest::ingest(w, res, o);
    latency::latency(w, &res.latency, o.rate, o, "## 2. Device → browser latency at");
    latency::latency(w, &res.latency_low, o.low_rate, o, "### 2b. Supplementary: the same at");
    idle::idle(w, res);
    registry::registry(w, res, o);
    s
}

#[cfg(test)]
mod tests;
