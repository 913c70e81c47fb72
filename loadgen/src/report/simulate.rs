//! The simulated demo fleet's section: what N simulated devices cost inside the server process.
//! Written between markers, so `loadgen simulate` replaces only its own section and `bench`
//! keeps it when it writes the rest ([`carry_over`]).

use std::fmt::Write as _;

use super::format::{mib, rate};
use crate::simulate::Outcome;

pub const BEGIN: &str = "<!-- loadgen simulate: begin -->";
pub const END: &str = "<!-- loadgen simulate: end -->";

pub fn render(o: &Outcome) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{BEGIN}");
    let _ = writeln!(w, "## Simulated demo fleet (`loadgen simulate`)\n");
    let _ = writeln!(
        w,
        "`fleetdeck serve --demo --demo-devices N`: the demo fleet's devices are real MQTT clients of the \
         server's own broker, inside the server process (street lamps and environment sensors reporting every \
         30–60 s, gateways with four sub-devices, events, Wi-Fi diagnostics, a few flapping devices). Measured \
         once with N = 0 (the demo products only) and once with N devices after 95 % are online: CPU of the \
         process over {} s of steady reporting (cores: 1.0 = one core busy), `VmRSS` median of three reads. \
         Machine: {} CPUs, load average at the end {}.\n",
        o.window_secs, o.cpus, o.loadavg
    );
    let _ = writeln!(
        w,
        "| devices | online | 95 % online after | CPU (cores) | RSS | peak (VmHWM) |\n|---|---|---|---|---|---|"
    );
    for p in [&o.baseline, &o.fleet] {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            rate(p.devices as f64),
            p.online,
            p.online_95_secs.map_or("not reached".into(), |s| format!("{s:.1} s")),
            p.cores.map_or("–".into(), |c| format!("{c:.2}")),
            mib(p.rss),
            mib(p.rss_peak),
        );
    }
    if o.fleet.devices > 0 {
        let per = o.fleet.rss.saturating_sub(o.baseline.rss) as f64 / o.fleet.devices as f64;
        let cores = o.fleet.cores.zip(o.baseline.cores).map(|(f, b)| f - b);
        let _ = writeln!(
            w,
            "\nPer simulated device (server and device together): {:.1} KiB RSS{}.",
            per / 1024.0,
            cores.map_or(String::new(), |c| format!(", {:.3} % of a core", c * 100.0 / o.fleet.devices as f64))
        );
    }
    let _ = writeln!(w, "{END}");
    s
}

/// `doc` with its simulated-fleet section replaced by `section` (appended if it has none).
pub fn splice(doc: &str, section: &str) -> String {
    match (doc.find(BEGIN), doc.find(END)) {
        (Some(b), Some(e)) if e > b => format!("{}{}{}", &doc[..b], section.trim_end(), &doc[e + END.len()..]),
        _ if doc.trim().is_empty() => section.to_string(),
        _ => format!("{}\n\n{}", doc.trim_end(), section),
    }
}

/// The section of an existing report, so a new `bench` report keeps it.
pub fn carry_over(old: &str, new: String) -> String {
    match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if e > b => splice(&new, &old[b..e + END.len()]),
        _ => new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::Point;

    fn outcome() -> Outcome {
        Outcome {
            baseline: Point { devices: 0, rss: 40 << 20, cores: Some(0.01), ..Default::default() },
            fleet: Point {
                devices: 100,
                online: 100,
                online_95_secs: Some(3.2),
                cores: Some(0.11),
                rss: 50 << 20,
                rss_peak: 60 << 20,
            },
            window_secs: 60,
            loadavg: "0.5 0.4 0.3".into(),
            cpus: 2,
        }
    }

    #[test]
    fn the_section_is_replaced_in_place_and_survives_a_new_report() {
        let s = render(&outcome());
        assert!(s.contains("| 100 | 100 | 3.2 s | 0.11 |"), "{s}");
        assert!(s.contains("102.4 KiB RSS"), "{s}");
        let doc = "# Benchmarks\n\nintro\n";
        let once = splice(doc, &s);
        assert!(once.starts_with("# Benchmarks") && once.contains(BEGIN));
        let twice = splice(&once, &render(&Outcome { window_secs: 30, ..outcome() }));
        assert_eq!(twice.matches(BEGIN).count(), 1);
        assert!(twice.contains("over 30 s"));
        let kept = carry_over(&twice, "# Benchmarks\n\nnew numbers\n".into());
        assert!(kept.contains("new numbers") && kept.contains("over 30 s"));
    }
}
