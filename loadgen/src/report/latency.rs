//! Section 2, device → browser latency (and 2b, the same at a lower rate).

use std::fmt::Write as _;

use super::format::{cpu, ms, ms_f, rate, ratio, spread};
use crate::bench::{LatencyRep, Opts};
use crate::stats::Spread;

pub fn latency_line(r: &LatencyRep) -> String {
    let one = |name: &str, o: &Option<crate::latency::Outcome>| {
        o.as_ref()
            .map(|o| {
                format!("{name} p50 {} p99 {} ({} of {} received)", ms(o.p50_us), ms(o.p99_us), o.received, o.sent)
            })
            .unwrap_or_default()
    };
    format!(
        "{}  {}  {}  {}",
        one("mosquitto", &r.mosquitto),
        one("before", &r.before),
        one("fleetdeck", &r.fleetdeck),
        r.errors.join("; ")
    )
}

pub(super) fn latency_spreads(
    reps: &[LatencyRep],
    pick: impl Fn(&crate::latency::Outcome) -> Option<u64>,
) -> (Option<Spread>, Option<Spread>) {
    // A "lost" percentile counts as +∞, so the median stays honest.
    let val = |o: &crate::latency::Outcome| us(pick(o));
    let f: Vec<f64> = reps.iter().filter_map(|r| r.fleetdeck.as_ref()).filter_map(val).collect();
    let b: Vec<f64> = reps.iter().filter_map(|r| r.mosquitto.as_ref()).filter_map(val).collect();
    (Spread::of_or_infinite(&f), Spread::of_or_infinite(&b))
}

/// A latency in µs, with a percentile that was never reached ("lost") as +∞.
pub(super) fn us(v: Option<u64>) -> Option<f64> {
    v.map(|v| if v == u64::MAX { f64::INFINITY } else { v as f64 })
}

/// The latency goal: fleetdeck's p99 at most max(10 ms, 4× the baseline's median p99), in µs.
pub(super) fn goal_limit_us(baseline_p99_us: f64) -> f64 {
    (4.0 * baseline_p99_us).max(10_000.0)
}

pub(super) fn latency(w: &mut String, reps: &[LatencyRep], msg_rate: u64, o: &Opts, heading: &str) {
    if reps.is_empty() {
        return;
    }
    let main = msg_rate == o.rate;
    let _ = writeln!(w, "{heading} {} msg/s\n", rate(msg_rate as f64));
    if !main {
        let _ = writeln!(
            w,
            "Not a goal: the same measurement at a rate below fleetdeck's ingest rate (section 1), so that no \
             backlog builds up and the numbers show the pipeline's own latency.\n"
        );
    }
    if main {
        let _ = writeln!(
        w,
        "**fleetdeck:** a WebSocket client logs in (`POST /api/v1/auth/login`, session cookie), opens `/api/v1/ws` and \
         subscribes `{{\"type\":\"subscribe\",\"id\":1,\"stream\":{{\"kind\":\"product\",\"product_key\":PK}}}}`. {} \
         devices publish property posts open-loop at {} msg/s in total for {} s (a scheduler hands out sequence \
         numbers at the rate, whatever the server does; the sequence number is the Alink `id`). Latency = the \
         instant the browser side parsed the `ServerMsg` frame (possibly a `batch`) carrying the uplink `message` \
         event − the instant the device wrote the PUBLISH to its socket; same process, same monotonic clock. The \
         first second is warm-up and not counted; a message that never arrives (within 5 s after the last send) \
         counts as infinitely late.\n",
        o.latency_devices,
        rate(o.rate as f64),
        o.latency_secs
    );
    }
    if main {
        let _ = writeln!(
            w,
            "**Baseline:** the same devices, payloads and schedule through Mosquitto to one QoS 1 subscriber \
             (broker only).\n"
        );
    }
    let _ = writeln!(
        w,
        "| run | Mosquitto p50 | Mosquitto p99 | fleetdeck p50 | fleetdeck p99 | fleetdeck p99.9 / max | ratio p99 | fleetdeck post → `post_reply` p50 / p99 (device side, no WebSocket) | fleetdeck sent (msg/s achieved) / received / missing / WS `dropped` / replies 200 | CPU cores: Mosquitto (loadgen) / fleetdeck (loadgen) | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for (i, r) in reps.iter().enumerate() {
        let b = r.mosquitto.as_ref();
        let f = r.fleetdeck.as_ref();
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            ms(b.and_then(|b| b.p50_us)),
            ms(b.and_then(|b| b.p99_us)),
            ms(f.and_then(|f| f.p50_us)),
            ms(f.and_then(|f| f.p99_us)),
            f.map(|f| format!("{} / {}", ms(f.p999_us), ms(f.max_us))).unwrap_or("–".into()),
            f.zip(b)
                .and_then(|(f, b)| Some((f.p99_us?, b.p99_us?)))
                .map(|(f, b)| if f == u64::MAX || b == u64::MAX {
                    "–".into()
                } else {
                    format!("{:.1}×", f as f64 / b as f64)
                })
                .unwrap_or("–".into()),
            f.map(|f| format!("{} / {}", ms(f.reply_p50_us), ms(f.reply_p99_us))).unwrap_or("–".into()),
            f.map(|f| format!(
                "{} ({}) / {} / {} / {} / {}",
                f.sent,
                rate(f.send_rate),
                f.received,
                f.missing,
                f.ws_dropped,
                f.replies_ok
            ))
            .unwrap_or("–".into()),
            cpu(r.cpu_mosquitto, r.cpu_fleetdeck),
            r.load,
        );
    }
    let (f50, b50) = latency_spreads(reps, |o| o.p50_us);
    let (f99, b99) = latency_spreads(reps, |o| o.p99_us);
    let _ = writeln!(
        w,
        "| **median** (range) | {} | {} | {} | {} | | **{}** | | | | |\n",
        spread(b50, ms_f),
        spread(b99, ms_f),
        spread(f50, ms_f),
        spread(f99, ms_f),
        f99.zip(b99).map(|(f, b)| ratio(f.median, b.median, 1)).unwrap_or("–".into()),
    );
    let missing: Vec<String> = reps
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let mut v = Vec::new();
            for (name, x) in [("Mosquitto", &r.mosquitto), ("fleetdeck", &r.fleetdeck)] {
                if let Some(x) = x {
                    if x.missing > 0 || x.error.is_some() || x.connect_failures > 0 {
                        v.push(format!(
                            "run {} {name}: {} missing, {} connect failures{}",
                            i + 1,
                            x.missing,
                            x.connect_failures,
                            x.error.as_ref().map(|e| format!(", {e}")).unwrap_or_default()
                        ));
                    }
                }
            }
            v.extend(r.errors.iter().map(|e| format!("run {}: {e}", i + 1)));
            v
        })
        .collect();
    for m in &missing {
        let _ = writeln!(w, "- {m}");
    }
    if !missing.is_empty() {
        let _ = writeln!(w);
    }
}
