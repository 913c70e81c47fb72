//! Section 1, ingest rate: every run, the median, the loss check, and 1b (one property per post);
//! 1c (PostgreSQL) is in `ingest_pg`.

use std::fmt::Write as _;

use super::format::{cpu, rate, spread};
use crate::bench::{FleetIngest, IngestRep, Opts, Results};
use crate::payload::PROPERTIES_PER_POST;
use crate::stats::Spread;

pub fn ingest_line(r: &IngestRep) -> String {
    let m = r.mosquitto.as_ref().map(|m| format!("mosquitto {}/s", rate(m.rate))).unwrap_or_default();
    let f = r
        .fleetdeck
        .as_ref()
        .map(|f| format!("fleetdeck {}/s ({} of {} replied 200)", rate(f.rate), f.delivered, f.sent))
        .unwrap_or_default();
    let s = r.stored.map(|s| format!("stored {}/{}/{}", s.uplinks, s.replies, s.values)).unwrap_or_default();
    let b = r
        .before
        .as_ref()
        .map(|b| format!("before {}/s ({} of {} replied 200)  ", rate(b.out.rate), b.out.delivered, b.out.sent))
        .unwrap_or_default();
    let p = r
        .postgres
        .as_ref()
        .map(|p| {
            let s = p.stored.map(|s| format!(" stored {}/{}/{}", s.uplinks, s.replies, s.values)).unwrap_or_default();
            format!("  postgres {}/s ({} of {} replied 200){s}", rate(p.out.rate), p.out.delivered, p.out.sent)
        })
        .unwrap_or_default();
    format!("{m}  {b}{f}  {s}{p}  {}", r.errors.join("; "))
}

pub(super) fn ingest_lossless(r: &IngestRep) -> bool {
    let (Some(f), Some(s)) = (&r.fleetdeck, r.stored) else { return false };
    f.sent > 0
        && f.connect_failures == 0
        && f.delivered == f.sent
        && f.failed_replies == 0
        && s.uplinks == f.sent
        && s.replies == f.sent
        && s.values == f.sent * PROPERTIES_PER_POST
}

pub(super) fn ingest_spreads(reps: &[IngestRep]) -> (Option<Spread>, Option<Spread>) {
    let f: Vec<f64> = reps.iter().filter_map(|r| r.fleetdeck.as_ref()).map(|x| x.rate).collect();
    let b: Vec<f64> = reps.iter().filter_map(|r| r.mosquitto.as_ref()).map(|x| x.rate).collect();
    (Spread::of(&f), Spread::of(&b))
}

/// fleetdeck ÷ Mosquitto per run (the two are measured back to back), then the median: a run in
/// which the machine was busy for both does not count against either.
pub(super) fn ingest_ratios(reps: &[IngestRep]) -> Option<Spread> {
    let r: Vec<f64> =
        reps.iter().filter_map(|r| Some(r.fleetdeck.as_ref()?.rate / r.mosquitto.as_ref()?.rate)).collect();
    Spread::of(&r)
}

pub(super) fn ingest(w: &mut String, res: &Results, o: &Opts) {
    if res.ingest.is_empty() {
        return;
    }
    let total = o.ingest_devices as u64 * o.ingest_per_device;
    let _ = writeln!(w, "## 1. Ingest rate\n");
    let _ = writeln!(
        w,
        "**fleetdeck:** {} authenticated devices, one TCP connection each, post {} property posts each ({} in all) at \
         QoS 1 through the embedded broker, each device keeping at most {} posts waiting for their `post_reply` (the \
         Python SDK allows 40). Every post is validated against the thing model, its {} values are stored, it is \
         written to the run log and answered. Rate = `post_reply` with code 200 received by the devices ÷ time from \
         the first post to the last reply. Afterwards the benchmark opens fleetdeck's SQLite database read-only and \
         counts: run-log `uplink` entries of the posts (status 200), run-log `downlink` entries of the replies, and \
         `property_history` rows; \"stored\" is the time until the last of these rows was visible (polled every 100 ms).\n",
        o.ingest_devices, o.ingest_per_device, total, o.window, PROPERTIES_PER_POST
    );
    let _ = writeln!(
        w,
        "**Baseline:** Mosquitto's own 1 → 1 rate at QoS 1: one publisher (at most {} un-acknowledged PUBLISHes) and \
         one QoS 1 subscriber, {} messages of the same payload and topic shape; rate = messages delivered to the \
         subscriber ÷ time from the first publish to the last delivery. Mosquitto stores and validates nothing. \
         Ratio: fleetdeck ÷ Mosquitto of each run (measured back to back), the median of those is the result.\n",
        o.baseline_window, total
    );
    let _ = writeln!(
        w,
        "| run | Mosquitto msg/s | fleetdeck msg/s | ratio | fleetdeck sent / replied 200 / PUBACKs | in the database: uplink / reply entries / values | stored after | stored msg/s | CPU cores: Mosquitto (loadgen) / fleetdeck (loadgen) | load avg |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for (i, r) in res.ingest.iter().enumerate() {
        let b = r.mosquitto.as_ref();
        let f = r.fleetdeck.as_ref();
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            b.map(|b| format!(
                "{}{}",
                rate(b.rate),
                if b.delivered == b.sent && b.sent > 0 { "" } else { " (incomplete)" }
            ))
            .unwrap_or("–".into()),
            f.map(|f| rate(f.rate)).unwrap_or("–".into()),
            f.zip(b).map(|(f, b)| format!("{:.2}×", f.rate / b.rate)).unwrap_or("–".into()),
            f.map(|f| format!("{} / {} / {}", f.sent, f.delivered, f.pubacks)).unwrap_or("–".into()),
            r.stored.map(|s| format!("{} / {} / {}", s.uplinks, s.replies, s.values)).unwrap_or("–".into()),
            r.stored_secs.map(|x| format!("{x:.2} s")).unwrap_or("–".into()),
            f.zip(r.stored_secs).map(|(f, t)| rate(f.sent as f64 / t)).unwrap_or("–".into()),
            cpu(r.cpu_mosquitto, r.cpu_fleetdeck),
            r.load,
        );
    }
    let (f, b) = ingest_spreads(&res.ingest);
    let stored: Vec<f64> =
        res.ingest.iter().filter_map(|r| Some(r.fleetdeck.as_ref()?.sent as f64 / r.stored_secs?)).collect();
    let _ = writeln!(
        w,
        "| **median** (range) | {} | {} | **{}** | | | | {} | | |\n",
        spread(b, rate),
        spread(f, rate),
        ingest_ratios(&res.ingest).map(|r| format!("{:.2}×", r.median)).unwrap_or("–".into()),
        spread(Spread::of(&stored), rate),
    );
    let lost: Vec<String> = res
        .ingest
        .iter()
        .enumerate()
        .filter(|(_, r)| !ingest_lossless(r))
        .map(|(i, r)| {
            let f = r.fleetdeck.as_ref();
            format!(
                "run {}: sent {}, replied 200 {}, other codes {}, connect failures {}, stored {:?}{}{}",
                i + 1,
                f.map_or(0, |f| f.sent),
                f.map_or(0, |f| f.delivered),
                f.map_or(0, |f| f.failed_replies),
                f.map_or(0, |f| f.connect_failures),
                r.stored,
                f.and_then(|f| f.error.as_ref()).map(|e| format!(", error: {e}")).unwrap_or_default(),
                if r.errors.is_empty() { String::new() } else { format!(", {}", r.errors.join("; ")) }
            )
        })
        .collect();
    if lost.is_empty() {
        let _ = writeln!(w, "Loss: **none** in any run (every post replied 200 and every row present).\n");
    } else {
        let _ = writeln!(w, "Loss or errors:\n");
        for l in lost {
            let _ = writeln!(w, "- {l}");
        }
        let _ = writeln!(w);
    }
    one_property(w, res);
    super::ingest_pg::section(w, res);
}

pub(super) fn fleet_lossless(f: &FleetIngest) -> bool {
    let Some(s) = f.stored else { return false };
    let o = &f.out;
    o.sent > 0
        && o.connect_failures == 0
        && o.delivered == o.sent
        && o.failed_replies == 0
        && s.uplinks == o.sent
        && s.replies == o.sent
        && s.values == o.sent * f.props as u64
}

pub(super) fn one_property(w: &mut String, res: &Results) {
    let runs: Vec<(&IngestRep, &FleetIngest)> =
        res.ingest.iter().filter_map(|r| Some((r, r.one_property.as_ref()?))).collect();
    if runs.is_empty() {
        return;
    }
    let _ = writeln!(w, "### 1b. Supplementary: where the ingest time goes\n");
    let _ = writeln!(
        w,
        "Not a goal. The same fleetdeck run with **one** property per post instead of {PROPERTIES_PER_POST} \
         (everything else equal: same devices, window, run-log entries and replies). fleetdeck stores each value \
         as one row of `property_history` (and the newest value of each property once per write round in \
         `property_latest`), so if the rate rises with fewer values, storing the values is what limits ingest.\n"
    );
    let _ = writeln!(
        w,
        "| run | {PROPERTIES_PER_POST} properties: replied msg/s | stored msg/s | 1 property: replied msg/s | stored msg/s | 1 property: lossless | CPU cores fleetdeck (loadgen), 1 property |\n|---|---|---|---|---|---|---|"
    );
    let stored_rate = |sent: u64, secs: Option<f64>| secs.map(|t| sent as f64 / t);
    for (i, (r, one)) in runs.iter().enumerate() {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            r.fleetdeck.as_ref().map(|f| rate(f.rate)).unwrap_or("–".into()),
            r.fleetdeck.as_ref().and_then(|f| stored_rate(f.sent, r.stored_secs)).map(rate).unwrap_or("–".into()),
            rate(one.out.rate),
            stored_rate(one.out.sent, one.stored_secs).map(rate).unwrap_or("–".into()),
            if fleet_lossless(one) { "yes" } else { "**no**" },
            one.cpu.map(|c| format!("{:.2} ({:.2})", c.broker_cores, c.loadgen_cores)).unwrap_or("–".into()),
        );
    }
    let three: Vec<f64> = runs.iter().filter_map(|(r, _)| Some(r.fleetdeck.as_ref()?.rate)).collect();
    let three_s: Vec<f64> =
        runs.iter().filter_map(|(r, _)| stored_rate(r.fleetdeck.as_ref()?.sent, r.stored_secs)).collect();
    let one_r: Vec<f64> = runs.iter().map(|(_, o)| o.out.rate).collect();
    let one_s: Vec<f64> = runs.iter().filter_map(|(_, o)| stored_rate(o.out.sent, o.stored_secs)).collect();
    let _ = writeln!(
        w,
        "| **median** (range) | {} | {} | {} | {} | | |\n",
        spread(Spread::of(&three), rate),
        spread(Spread::of(&three_s), rate),
        spread(Spread::of(&one_r), rate),
        spread(Spread::of(&one_s), rate),
    );
}
