//! "Summary": one row per measurement with its ratio to the baseline, the goal and the result.

use std::fmt::Write as _;

use super::format::{mib, ms, ms_f, pass, rate, ratio};
use super::idle::{idle_spreads, projection, GIB, IDLE_GOAL_DEVICES};
use super::ingest::{ingest_lossless, ingest_ratios, ingest_spreads};
use super::latency::{goal_limit_us, latency_spreads};
use crate::bench::{Opts, Results};
use crate::stats::Spread;

/// The reply-latency goal: a device's post answered (and so committed) within 20 ms at p99.
const REPLY_P99_GOAL_US: f64 = 20_000.0;

pub(super) fn summary(w: &mut String, res: &Results, o: &Opts) {
    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(
        w,
        "| measurement | fleetdeck | baseline (Mosquitto) | ratio | goal | result |\n|---|---|---|---|---|---|"
    );
    if !res.ingest.is_empty() {
        let (f, b) = ingest_spreads(&res.ingest);
        let ratio = ingest_ratios(&res.ingest).map(|r| r.median);
        let lossless = res.ingest.iter().all(ingest_lossless);
        let ok = ratio.map(|r| r >= 0.5 && lossless);
        let _ = writeln!(
            w,
            "| 1. ingest, {} devices, QoS 1, validated + committed (values + run log) + replied | {} msg/s, loss {} | {} msg/s (1 → 1) | {} | ≥ 0.5×, zero loss | {} |",
            o.ingest_devices,
            f.map(|s| rate(s.median)).unwrap_or("–".into()),
            if lossless { "0" } else { "**yes, see below**" },
            b.map(|s| rate(s.median)).unwrap_or("–".into()),
            ratio.map(|r| format!("{r:.2}×")).unwrap_or("–".into()),
            pass(ok)
        );
        super::ingest_pg::summary_row(w, res, o);
    }
    if !res.latency.is_empty() {
        let (f, b) = latency_spreads(&res.latency, |o| o.p99_us);
        let limit = b.map(|b| goal_limit_us(b.median));
        let ok = f.zip(limit).map(|(f, l)| f.median <= l);
        let _ = writeln!(
            w,
            "| 2. device → browser p99 at {} msg/s | {} | {} (broker only) | {} | ≤ max(10 ms, 4× baseline) = {} | {} |",
            rate(o.rate as f64),
            f.map(|s| if s.median.is_finite() {
                ms_f(s.median)
            } else {
                let measured = (o.rate * o.latency_secs.saturating_sub(1)).max(1) as f64;
                let share: Vec<f64> =
                    res.latency.iter().filter_map(|r| r.fleetdeck.as_ref()).map(|x| x.missing as f64 / measured).collect();
                format!(
                    "not sustained: {:.0} % of the messages never arrived (backlog: ingest is slower than the rate, see 1.)",
                    100.0 * Spread::of(&share).map_or(0.0, |s| s.median)
                )
            })
            .unwrap_or("–".into()),
            b.map(|s| ms_f(s.median)).unwrap_or("–".into()),
            f.zip(b).map(|(f, b)| ratio(f.median, b.median, 1)).unwrap_or("–".into()),
            limit.map(|l| ms(Some(l as u64))).unwrap_or("–".into()),
            pass(ok)
        );
    }
    if !res.latency.is_empty() {
        // A reply is sent only once the post is committed: this is "stored" latency too.
        let (f, _) = latency_spreads(&res.latency, |o| o.reply_p99_us);
        let (p50, _) = latency_spreads(&res.latency, |o| o.reply_p50_us);
        let ok = f.map(|f| f.median <= REPLY_P99_GOAL_US);
        let _ = writeln!(
            w,
            "| 2r. device post → `post_reply` (committed) at {} msg/s, p50 / p99 | {} / {} | – | – | p99 ≤ {} | {} |",
            rate(o.rate as f64),
            p50.map(|s| ms_f(s.median)).unwrap_or("–".into()),
            f.map(|s| ms_f(s.median)).unwrap_or("–".into()),
            ms(Some(REPLY_P99_GOAL_US as u64)),
            pass(ok)
        );
    }
    if !res.latency_low.is_empty() {
        let (f, b) = latency_spreads(&res.latency_low, |o| o.p99_us);
        let _ = writeln!(
            w,
            "| 2b. the same at {} msg/s (below fleetdeck's ingest rate) | {} | {} (broker only) | {} | (not a goal) | – |",
            rate(o.low_rate as f64),
            f.map(|s| ms_f(s.median)).unwrap_or("–".into()),
            b.map(|s| ms_f(s.median)).unwrap_or("–".into()),
            f.zip(b).map(|(f, b)| ratio(f.median, b.median, 1)).unwrap_or("–".into()),
        );
    }
    for p in &res.idle {
        if p.fleetdeck.is_empty() && p.mosquitto.is_empty() {
            continue;
        }
        let (f, b) = idle_spreads(p);
        let goal_point = p.requested >= IDLE_GOAL_DEVICES;
        let measured_here = p.devices == p.requested;
        let all_connected = p.fleetdeck.iter().all(|x| x.connected == p.devices && x.still_open == p.devices);
        let ok = if goal_point && measured_here { f.map(|f| f.median <= 2.0 * GIB && all_connected) } else { None };
        let result = match (goal_point, measured_here) {
            (true, true) => pass(ok).to_string(),
            (true, false) => match projection(res) {
                Some(pr) => format!(
                    "not measurable here (open-files limit); projected {:.2} GiB → {}",
                    pr.bytes / GIB,
                    if pr.bytes <= 2.0 * GIB { "likely pass" } else { "**likely FAIL**" }
                ),
                None => "not measurable here (open-files limit)".into(),
            },
            (false, _) => "–".into(),
        };
        let _ = writeln!(
            w,
            "| 3. RSS with {} idle devices{} | {} | {} | {} | {} | {} |",
            rate(p.devices as f64),
            if measured_here { String::new() } else { format!(" ({} requested)", rate(p.requested as f64)) },
            f.map(|s| mib(s.median as u64)).unwrap_or("–".into()),
            b.map(|s| mib(s.median as u64)).unwrap_or("–".into()),
            f.zip(b).map(|(f, b)| ratio(f.median, b.median, 2)).unwrap_or("–".into()),
            if goal_point { "≤ 2 GiB at 100,000" } else { "(reported)" },
            result,
        );
    }
    super::registry::summary_rows(w, res, o);
    let _ = writeln!(w);
}
