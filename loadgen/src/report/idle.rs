//! Section 3, memory with idle devices, and the projection to the goal point when the
//! open-files limit keeps it from being measured.

use std::fmt::Write as _;

use super::format::{mib, rate, spread};
use crate::bench::{IdlePoint, Results};
use crate::stats::Spread;

pub(super) const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
/// The idle-memory goal: at most 2 GiB with 100,000 devices.
pub(super) const IDLE_GOAL_DEVICES: usize = 100_000;

pub(super) struct Projection {
    pub from: usize,
    pub to: usize,
    pub per_device: f64,
    pub bytes: f64,
}

/// When the goal point could not be measured: a linear projection from the first and last
/// measured points (the per-device slope). Labelled as a projection wherever it is shown.
pub(super) fn projection(res: &Results) -> Option<Projection> {
    if !res.idle.iter().any(|p| p.requested >= IDLE_GOAL_DEVICES && p.devices < p.requested) {
        return None;
    }
    let measured: Vec<(usize, f64)> = res
        .idle
        .iter()
        .filter(|p| !p.fleetdeck.is_empty())
        .filter_map(|p| Some((p.devices, idle_spreads(p).0?.median)))
        .collect();
    let (&(from, r1), &(to, r2)) = (measured.first()?, measured.last()?);
    if to <= from {
        return None;
    }
    let per_device = (r2 - r1) / (to - from) as f64;
    Some(Projection { from, to, per_device, bytes: r2 + per_device * (IDLE_GOAL_DEVICES - to) as f64 })
}

pub(super) fn idle_spreads(p: &IdlePoint) -> (Option<Spread>, Option<Spread>) {
    let f: Vec<f64> = p.fleetdeck.iter().map(|x| x.rss as f64).collect();
    let b: Vec<f64> = p.mosquitto.iter().map(|x| x.rss as f64).collect();
    (Spread::of(&f), Spread::of(&b))
}

pub(super) fn idle(w: &mut String, res: &Results) {
    if res.idle.is_empty() {
        return;
    }
    let _ = writeln!(w, "## 3. Memory with idle devices\n");
    let _ = writeln!(
        w,
        "N devices connect (200 handshakes at a time, CONNECT as above) and then only send PINGREQ every 30 s. \
         5 s after the last CONNACK the benchmark reads `VmRSS` of the broker process from `/proc/PID/status` three \
         times, one second apart, and takes the median. fleetdeck: a fresh process whose registry holds exactly the N \
         devices (imported by CSV); every device is authenticated, marked online and logged. Like the Link SDKs, \
         the devices send no SUBSCRIBE and fleetdeck holds no broker subscription for them: every downlink is \
         addressed to the device's session (the broker's per-device subscriptions cost ~8 KiB per connection and \
         were dropped). Baseline: Mosquitto with the same N clients (no subscriptions).\n"
    );
    let _ = writeln!(
        w,
        "| devices | run | Mosquitto RSS | fleetdeck RSS (before connects) | fleetdeck peak (VmHWM) | ratio | connected (fleetdeck / Mosquitto) | fleetdeck connect time | load avg |\n|---|---|---|---|---|---|---|---|---|"
    );
    for p in &res.idle {
        for i in 0..p.fleetdeck.len().max(p.mosquitto.len()) {
            let b = p.mosquitto.get(i);
            let f = p.fleetdeck.get(i);
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} / {} | {} | {} |",
                rate(p.devices as f64),
                i + 1,
                b.map(|b| mib(b.rss)).unwrap_or("–".into()),
                f.map(|f| format!("{} ({})", mib(f.rss), mib(f.rss_before))).unwrap_or("–".into()),
                f.map(|f| mib(f.rss_peak)).unwrap_or("–".into()),
                f.zip(b).map(|(f, b)| format!("{:.2}×", f.rss as f64 / b.rss as f64)).unwrap_or("–".into()),
                f.map_or("–".into(), |f| f.still_open.to_string()),
                b.map_or("–".into(), |b| b.still_open.to_string()),
                f.map(|f| format!("{:.1} s", f.connect_secs)).unwrap_or("–".into()),
                p.loads.get(i).map(String::as_str).unwrap_or("–"),
            );
        }
        if !p.fleetdeck.is_empty() || !p.mosquitto.is_empty() {
            let (f, b) = idle_spreads(p);
            let _ = writeln!(
                w,
                "| {} | **median** (range) | {} | {} | | **{}** | | | |",
                rate(p.devices as f64),
                spread(b, |x| mib(x as u64)),
                spread(f, |x| mib(x as u64)),
                f.zip(b).map(|(f, b)| format!("{:.2}×", f.median / b.median)).unwrap_or("–".into()),
            );
        }
    }
    let _ = writeln!(w);
    for p in res.idle.iter().filter(|p| p.devices < p.requested) {
        let _ = writeln!(
            w,
            "**{} devices were requested but not measurable on this machine.** Each side of every connection needs a file \
             descriptor, and the hard RLIMIT_NOFILE here is {} (`ulimit -Hn`; raising it needs CAP_SYS_RESOURCE, which \
             this container does not grant), so one process can hold at most that many sockets; the point was measured \
             at {} devices instead. Run `bash scripts/bench.sh` on a host where `ulimit -Hn` ≥ 110000 (e.g. \
             `LimitNOFILE=200000`) to measure {} devices; the script then does it unchanged.\n",
            rate(p.requested as f64),
            res.meta.nofile_hard,
            rate(p.devices as f64),
            rate(p.requested as f64)
        );
    }
    if let Some(pr) = projection(res) {
        let _ = writeln!(
            w,
            "Projection (not a measurement): between {} and {} devices fleetdeck's RSS grew by {:.1} KiB per device; \
             linearly, {} devices would need about {} ({:.2} GiB) against the 2 GiB goal.\n",
            rate(pr.from as f64),
            rate(pr.to as f64),
            pr.per_device / 1024.0,
            rate(IDLE_GOAL_DEVICES as f64),
            mib(pr.bytes.max(0.0) as u64),
            pr.bytes / GIB
        );
    }
    for p in &res.idle {
        for e in &p.errors {
            let _ = writeln!(w, "- {} devices: {e}", p.devices);
        }
        for (name, x) in
            p.fleetdeck.iter().map(|x| ("fleetdeck", x)).chain(p.mosquitto.iter().map(|x| ("Mosquitto", x)))
        {
            if let Some(e) = &x.error {
                let _ = writeln!(w, "- {} devices, {name}: {} failed to connect ({e})", p.devices, x.failed);
            }
        }
    }
}
