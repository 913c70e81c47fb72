//! "Change against <before>": what a change to fleetdeck costs, from the repetitions in which the
//! previous build (`--fleetdeck-before`) ran beside Mosquitto and this build. Each fleetdeck is
//! divided by the Mosquitto run of its own repetition (never by another run's or another
//! machine's), and the change is that of the median ratios.

use std::fmt::Write as _;

use super::format::{ms_f, pass, rate, spread};
use super::ingest::{fleet_lossless, ingest_lossless};
use super::latency::{goal_limit_us, us};
use crate::bench::{IngestRep, LatencyRep, Opts, Results, Side};
use crate::stats::Spread;

/// The ingest ratio to Mosquitto may drop by this share at most (issue 8: "must not drop more
/// than 5 %").
pub(super) const MAX_INGEST_DROP: f64 = 0.05;

/// Whether the report has a comparison: a before-binary was given.
pub(super) fn present(res: &Results) -> bool {
    !res.meta.before.is_empty()
}

/// What the before-binary is called in the report.
pub(super) fn label(res: &Results) -> String {
    format!("{} (`{}`)", res.meta.before, res.meta.before_binary)
}

/// One repetition of one benchmark: the three numbers measured in it, `None` where a run failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Run {
    pub baseline: Option<f64>,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

impl Run {
    fn ratio_before(&self) -> Option<f64> {
        ratio_to(self.before?, self.baseline?)
    }

    fn ratio_after(&self) -> Option<f64> {
        ratio_to(self.after?, self.baseline?)
    }

    /// This repetition's own change of the ratio (its baseline cancels out: after ÷ before − 1).
    fn change(&self) -> Option<f64> {
        relative_change(self.ratio_before()?, self.ratio_after()?)
    }
}

/// `value ÷ baseline`; a value may be +∞ (a latency that was never reached), a baseline must be
/// a positive number or there is no ratio.
fn ratio_to(value: f64, baseline: f64) -> Option<f64> {
    (baseline.is_finite() && baseline > 0.0 && !value.is_nan()).then(|| value / baseline)
}

/// `after ÷ before − 1`, e.g. −0.03 for a ratio that dropped by 3 %. `None` unless both are
/// finite and `before` is positive.
pub(super) fn relative_change(before: f64, after: f64) -> Option<f64> {
    (before.is_finite() && before > 0.0 && after.is_finite()).then(|| after / before - 1.0)
}

/// Whether an ingest ratio change meets the goal. The tolerance keeps a drop of exactly 5 %
/// (0.57 after 0.60, which is −0.0500000…04 in floating point) a pass, as the goal says.
pub(super) fn ingest_change_ok(change: f64) -> bool {
    change >= -MAX_INGEST_DROP - 1e-9
}

/// The medians of one benchmark over its repetitions.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Compared {
    pub baseline: Option<Spread>,
    pub before: Option<Spread>,
    pub after: Option<Spread>,
    /// Medians of the per-repetition ratios to the same repetition's baseline.
    pub ratio_before: Option<Spread>,
    pub ratio_after: Option<Spread>,
    /// Median ratio after ÷ median ratio before − 1: the number the goal is about.
    pub change: Option<f64>,
    /// The repetitions' own changes (for their range).
    pub run_changes: Option<Spread>,
}

/// Medians of the repetitions; a value may be +∞ (lost), which counts as in section 2.
pub(super) fn compare(runs: &[Run]) -> Compared {
    let col = |f: &dyn Fn(&Run) -> Option<f64>| {
        let v: Vec<f64> = runs.iter().filter_map(f).collect();
        Spread::of_or_infinite(&v)
    };
    let ratio_before = col(&Run::ratio_before);
    let ratio_after = col(&Run::ratio_after);
    let change = ratio_before.zip(ratio_after).and_then(|(b, a)| relative_change(b.median, a.median));
    Compared {
        baseline: col(&|r| r.baseline),
        before: col(&|r| r.before),
        after: col(&|r| r.after),
        ratio_before,
        ratio_after,
        change,
        run_changes: col(&Run::change),
    }
}

/// `+4.8 %`, `−1.7 %` (a real minus sign, as elsewhere in the report), `–` for none.
pub(super) fn pct(change: Option<f64>) -> String {
    match change {
        Some(c) => format!("{:+.1} %", 100.0 * c).replace('-', "−"),
        None => "–".into(),
    }
}

fn times(r: f64) -> String {
    if r.is_finite() {
        format!("{r:.2}×")
    } else {
        "lost".into()
    }
}

fn median(s: Option<Spread>, f: impl Fn(f64) -> String) -> String {
    s.map(|s| f(s.median)).unwrap_or("–".into())
}

/// "M B F": the order of one repetition (P: fleetdeck on PostgreSQL).
pub(super) fn order(o: &[Side]) -> String {
    let letter = |s: &Side| match s {
        Side::Mosquitto => "M",
        Side::Before => "B",
        Side::Fleetdeck => "F",
        Side::Postgres => "P",
    };
    o.iter().map(letter).collect::<Vec<_>>().join(" ")
}

pub(super) fn ingest_runs(reps: &[IngestRep]) -> Vec<Run> {
    reps.iter()
        .map(|r| Run {
            baseline: r.mosquitto.as_ref().map(|m| m.rate),
            before: r.before.as_ref().map(|b| b.out.rate),
            after: r.fleetdeck.as_ref().map(|f| f.rate),
        })
        .collect()
}

pub(super) fn latency_runs(reps: &[LatencyRep]) -> Vec<Run> {
    reps.iter()
        .map(|r| Run {
            baseline: us(r.mosquitto.as_ref().and_then(|m| m.p99_us)),
            before: us(r.before.as_ref().and_then(|b| b.p99_us)),
            after: us(r.fleetdeck.as_ref().and_then(|f| f.p99_us)),
        })
        .collect()
}

pub(super) fn change(w: &mut String, res: &Results, o: &Opts) {
    if !present(res) {
        return;
    }
    let (before, now) = (&res.meta.before, &res.meta.git);
    let _ = writeln!(w, "## Change against {before}\n");
    if res.ingest.is_empty() && res.latency.is_empty() && res.latency_low.is_empty() {
        let _ = writeln!(w, "Not measured: this run had neither the ingest nor the latency measurement (`--only`).\n");
        return;
    }
    let _ = writeln!(
        w,
        "What this build ({now}) costs against fleetdeck {}, measured in the same run: every repetition of the \
         ingest and latency measurements runs Mosquitto (M), fleetdeck {before} (B) and this build (F) one after \
         the other, each on a fresh process, the order rotated by one place per repetition (M B F, B F M, F M B) so \
         that each takes each slot once in three repetitions and no binary always runs next to the baseline or \
         first after a pause. Each fleetdeck is divided by the Mosquitto run of its own repetition; the change is \
         the median ratio now ÷ the median ratio before − 1. Goals: the ingest ratio drops by at most {:.0} %, \
         and the latency goal of section 2 still holds.\n",
        label(res),
        100.0 * MAX_INGEST_DROP
    );
    let n = res.ingest.len().max(res.latency.len());
    if !n.is_multiple_of(3) {
        let _ = writeln!(
            w,
            "**{n} repetition(s)**: the slots are shared evenly only in multiples of three, and the medians need \
             at least three (`--reps 3`).\n"
        );
    }
    let _ = writeln!(
        w,
        "| measurement | Mosquitto | {before} | {now} | ratio {before} | ratio {now} | change of the ratio | goal | result |\n|---|---|---|---|---|---|---|---|---|"
    );
    if !res.ingest.is_empty() {
        let c = compare(&ingest_runs(&res.ingest));
        let lossless = res.ingest.iter().all(ingest_lossless);
        let ok = c.change.map(|x| ingest_change_ok(x) && lossless);
        let _ = writeln!(
            w,
            "| 1. ingest, {} devices, msg/s | {} | {} | {} | {} | {} | **{}** | drop ≤ {:.0} %, zero loss | {} |",
            o.ingest_devices,
            median(c.baseline, rate),
            median(c.before, rate),
            median(c.after, rate),
            median(c.ratio_before, times),
            median(c.ratio_after, times),
            pct(c.change),
            100.0 * MAX_INGEST_DROP,
            pass(ok),
        );
    }
    for (reps, at, goal) in [(&res.latency, o.rate, true), (&res.latency_low, o.low_rate, false)] {
        if reps.is_empty() {
            continue;
        }
        let c = compare(&latency_runs(reps));
        let limit = c.baseline.map(|b| goal_limit_us(b.median));
        let holds = |s: Option<Spread>| s.zip(limit).map(|(s, l)| s.median <= l);
        let _ = writeln!(
            w,
            "| {}. device → browser p99 at {} msg/s | {} | {} | {} | {} | {} | {} | {} | {} |",
            if goal { "2" } else { "2b" },
            rate(at as f64),
            median(c.baseline, ms_f),
            median(c.before, ms_f),
            median(c.after, ms_f),
            median(c.ratio_before, times),
            median(c.ratio_after, times),
            pct(c.change),
            match (goal, limit) {
                (true, Some(l)) => format!("{now} ≤ max(10 ms, 4× Mosquitto) = {}", ms_f(l)),
                (true, None) => "section 2's".into(),
                (false, _) => "(not a goal)".into(),
            },
            if goal { format!("{} ({before}: {})", pass(holds(c.after)), pass(holds(c.before))) } else { "–".into() },
        );
    }
    let _ = writeln!(w);
    ingest_table(w, res);
    latency_table(w, &res.latency, o.rate, res);
    latency_table(w, &res.latency_low, o.low_rate, res);
    problems(w, res);
}

fn ingest_table(w: &mut String, res: &Results) {
    if res.ingest.is_empty() {
        return;
    }
    let (before, now) = (&res.meta.before, &res.meta.git);
    let _ = writeln!(w, "Ingest, every repetition (msg/s as in section 1):\n");
    let _ = writeln!(
        w,
        "| run | order | Mosquitto | {before} | {now} | ratio {before} | ratio {now} | change (this run) | lossless {before} / {now} | load avg |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    let runs = ingest_runs(&res.ingest);
    let yes = |ok: bool| if ok { "yes" } else { "**no**" };
    for (i, (r, run)) in res.ingest.iter().zip(&runs).enumerate() {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} |",
            i + 1,
            order(&r.order),
            run.baseline.map(rate).unwrap_or("–".into()),
            run.before.map(rate).unwrap_or("–".into()),
            run.after.map(rate).unwrap_or("–".into()),
            run.ratio_before().map(times).unwrap_or("–".into()),
            run.ratio_after().map(times).unwrap_or("–".into()),
            pct(run.change()),
            r.before.as_ref().map_or("–", |b| yes(fleet_lossless(b))),
            yes(ingest_lossless(r)),
            r.load,
        );
    }
    summary_row(w, &compare(&runs), rate, 10);
}

fn latency_table(w: &mut String, reps: &[LatencyRep], at: u64, res: &Results) {
    if reps.is_empty() {
        return;
    }
    let (before, now) = (&res.meta.before, &res.meta.git);
    let _ = writeln!(w, "Device → browser p99 at {} msg/s, every repetition (as in section 2):\n", rate(at as f64));
    let _ = writeln!(
        w,
        "| run | order | Mosquitto | {before} | {now} | ratio {before} | ratio {now} | change (this run) | p50 {before} / {now} | missing {before} / {now} | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let runs = latency_runs(reps);
    let p50 =
        |o: &Option<crate::latency::Outcome>| us(o.as_ref().and_then(|o| o.p50_us)).map(ms_f).unwrap_or("–".into());
    let missing = |o: &Option<crate::latency::Outcome>| o.as_ref().map_or("–".into(), |o| o.missing.to_string());
    for (i, (r, run)) in reps.iter().zip(&runs).enumerate() {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} / {} | {} |",
            i + 1,
            order(&r.order),
            run.baseline.map(ms_f).unwrap_or("–".into()),
            run.before.map(ms_f).unwrap_or("–".into()),
            run.after.map(ms_f).unwrap_or("–".into()),
            run.ratio_before().map(times).unwrap_or("–".into()),
            run.ratio_after().map(times).unwrap_or("–".into()),
            pct(run.change()),
            p50(&r.before),
            p50(&r.fleetdeck),
            missing(&r.before),
            missing(&r.fleetdeck),
            r.load,
        );
    }
    summary_row(w, &compare(&runs), ms_f, 11);
}

/// The median row under a per-run table: the change here is that of the median ratios (the
/// result above); the runs' own changes follow in parentheses, min – max.
fn summary_row(w: &mut String, c: &Compared, f: impl Fn(f64) -> String + Copy, columns: usize) {
    let runs =
        c.run_changes.map(|r| format!(" (runs {} – {})", pct(Some(r.min)), pct(Some(r.max)))).unwrap_or_default();
    let _ = writeln!(
        w,
        "| **median** (range) | | {} | {} | {} | {} | {} | **{}**{} |{}\n",
        spread(c.baseline, f),
        spread(c.before, f),
        spread(c.after, f),
        spread(c.ratio_before, times),
        spread(c.ratio_after, times),
        pct(c.change),
        runs,
        " |".repeat(columns - 8),
    );
}

/// Runs of the before-binary that failed or lost messages (this build's are listed in its own
/// sections).
fn problems(w: &mut String, res: &Results) {
    let before = &res.meta.before;
    let mut v = Vec::new();
    // Its start-up failures are in the repetition's errors; a run without them was skipped.
    let not_run = |v: &mut Vec<String>, name: &str, i: usize, errors: &[String]| {
        let mine: Vec<&String> = errors.iter().filter(|e| e.starts_with("fleetdeck before")).collect();
        if mine.is_empty() {
            v.push(format!("{name} run {}: {before} not measured", i + 1));
        }
        v.extend(mine.into_iter().map(|e| format!("{name} run {}: {e}", i + 1)));
    };
    for (i, r) in res.ingest.iter().enumerate() {
        match &r.before {
            None => not_run(&mut v, "ingest", i, &r.errors),
            Some(b) if !fleet_lossless(b) => v.push(format!(
                "ingest run {}: {before} sent {}, replied 200 {}, other codes {}, connect failures {}, stored {:?}{}{}",
                i + 1,
                b.out.sent,
                b.out.delivered,
                b.out.failed_replies,
                b.out.connect_failures,
                b.stored,
                b.out.error.as_ref().map(|e| format!(", error: {e}")).unwrap_or_default(),
                if b.errors.is_empty() { String::new() } else { format!(", {}", b.errors.join("; ")) }
            )),
            Some(_) => {}
        }
    }
    for (name, reps) in [("latency", &res.latency), ("low-rate latency", &res.latency_low)] {
        for (i, r) in reps.iter().enumerate() {
            match &r.before {
                None => not_run(&mut v, name, i, &r.errors),
                Some(b) if b.missing > 0 || b.connect_failures > 0 || b.error.is_some() => v.push(format!(
                    "{name} run {}: {before} {} missing, {} connect failures{}",
                    i + 1,
                    b.missing,
                    b.connect_failures,
                    b.error.as_ref().map(|e| format!(", {e}")).unwrap_or_default()
                )),
                Some(_) => {}
            }
        }
    }
    for p in &v {
        let _ = writeln!(w, "- {p}");
    }
    if !v.is_empty() {
        let _ = writeln!(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(baseline: f64, before: f64, after: f64) -> Run {
        Run { baseline: Some(baseline), before: Some(before), after: Some(after) }
    }

    #[test]
    fn relative_change_of_a_ratio() {
        assert_eq!(relative_change(0.5, 0.5), Some(0.0));
        assert!((relative_change(0.60, 0.57).unwrap() + 0.05).abs() < 1e-12);
        assert!((relative_change(2.0, 2.5).unwrap() - 0.25).abs() < 1e-12);
        assert_eq!(relative_change(0.0, 0.5), None);
        assert_eq!(relative_change(f64::INFINITY, 0.5), None);
        assert_eq!(relative_change(0.5, f64::INFINITY), None);
    }

    #[test]
    fn a_drop_of_exactly_five_percent_passes_and_more_fails() {
        assert!(ingest_change_ok(relative_change(0.60, 0.57).unwrap()));
        assert!(ingest_change_ok(0.10));
        assert!(!ingest_change_ok(relative_change(0.60, 0.569).unwrap()));
        assert!(!ingest_change_ok(-0.051));
    }

    #[test]
    fn each_fleetdeck_is_divided_by_its_own_repetitions_baseline() {
        // The baseline swings 40k → 30k → 50k; the two builds follow it. Per repetition the
        // ratios are 0.6/0.57, 0.5/0.5, 0.6/0.6; their medians 0.6 and 0.57: −5 %.
        let c = compare(&[
            run(40_000.0, 24_000.0, 22_800.0),
            run(30_000.0, 15_000.0, 15_000.0),
            run(50_000.0, 30_000.0, 30_000.0),
        ]);
        assert_eq!(c.baseline.unwrap().median, 40_000.0);
        assert_eq!(c.before.unwrap().median, 24_000.0);
        assert_eq!(c.after.unwrap().median, 22_800.0);
        assert!((c.ratio_before.unwrap().median - 0.6).abs() < 1e-12);
        assert!((c.ratio_after.unwrap().median - 0.57).abs() < 1e-12);
        assert!((c.change.unwrap() + 0.05).abs() < 1e-9);
        assert!(ingest_change_ok(c.change.unwrap()));
        let rc = c.run_changes.unwrap();
        assert!((rc.min + 0.05).abs() < 1e-9 && rc.max.abs() < 1e-12 && rc.n == 3);
    }

    #[test]
    fn a_failed_run_counts_for_neither_ratio() {
        let failed = Run { baseline: None, before: Some(1.0), after: Some(1.0) };
        let c = compare(&[run(10.0, 5.0, 6.0), failed]);
        assert_eq!(c.ratio_before.unwrap().n, 1);
        assert!((c.change.unwrap() - 0.2).abs() < 1e-12);
        // Without any before-run there is no change to report.
        let c = compare(&[Run { baseline: Some(10.0), before: None, after: Some(6.0) }]);
        assert_eq!((c.ratio_before, c.change, c.run_changes), (None, None, None));
        assert_eq!(compare(&[]).change, None);
    }

    #[test]
    fn mostly_lost_latencies_make_the_ratio_lost_not_fast() {
        let inf = f64::INFINITY;
        let c = compare(&[run(3_000.0, 9_000.0, inf), run(3_000.0, 9_000.0, inf), run(3_000.0, 9_000.0, 12_000.0)]);
        assert_eq!(c.ratio_after.unwrap().median, inf);
        assert_eq!(c.change, None);
        assert_eq!(times(c.ratio_after.unwrap().median), "lost");
        assert_eq!(pct(c.change), "–");
    }

    #[test]
    fn percentages_and_order() {
        assert_eq!(pct(Some(-0.017)), "−1.7 %");
        assert_eq!(pct(Some(0.048)), "+4.8 %");
        assert_eq!(pct(None), "–");
        assert_eq!(order(&crate::bench::run_order(1, true, false)), "B F M");
    }
}
