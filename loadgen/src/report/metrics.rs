//! The monitoring metrics' section (issue 14, `loadgen metrics`): ingest with metrics on against
//! `--metrics off`, the 7-day overview query, the `/metrics` scrape. Written between markers like
//! the simulated fleet's section, so `loadgen metrics` replaces only its own section and `bench`
//! keeps it ([`carry_over`]).

use std::fmt::Write as _;

use super::format::rate;
use crate::metrics::{Outcome, OVERVIEW};
use crate::stats::Spread;

pub const BEGIN: &str = "<!-- loadgen metrics: begin -->";
pub const END: &str = "<!-- loadgen metrics: end -->";

fn cell(values: &[f64], unit: &str, decimals: usize) -> String {
    match Spread::of(values) {
        Some(s) if s.n > 1 => format!("{:.d$} {unit} ({:.d$} – {:.d$})", s.median, s.min, s.max, d = decimals),
        Some(s) => format!("{:.d$} {unit}", s.median, d = decimals),
        None => "–".into(),
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**not met**"
    }
}

/// Each repetition's `on` against its own `off`, in percent.
fn paired_increase(on: &[f64], off: &[f64]) -> Vec<f64> {
    on.iter().zip(off).filter(|(_, off)| **off > 0.0).map(|(on, off)| (on - off) / off * 100.0).collect()
}

pub fn render(o: &Outcome) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{BEGIN}");
    let _ = writeln!(w, "## Monitoring metrics (`loadgen metrics`, issue 14)\n");
    let _ = writeln!(
        w,
        "Ingest {} times, the overview query and the scrape {} times each; medians with the range (min – max). \
         Machine: {} CPUs, load average at the end {}.\n",
        o.ingest_on.len(),
        o.query_sqlite.len().max(o.scrape.len()),
        o.cpus,
        o.loadavg
    );
    let rate_costs: Vec<f64> = paired_increase(&o.ingest_on, &o.ingest_off).iter().map(|c| -c).collect();
    let cpu_costs = paired_increase(&o.cpu_us_on, &o.cpu_us_off);
    let median = |v: &[f64]| Spread::of(v).map(|s| s.median);
    let (rate_cost, cpu_cost) = (median(&rate_costs), median(&cpu_costs));
    let _ = writeln!(
        w,
        "**Ingest cost of counting.** {} devices × {} property posts (QoS 1, 3 properties, 32 in flight per device) \
         on SQLite, one fresh server per run, `--metrics on` and `--metrics off` interleaved (order swapped every \
         repetition). The cost is judged on the server's CPU time per message (from `/proc`): on this shared \
         2-core box the rate of identical runs moves by ±15 %, the CPU per message far less. The cost is the \
         median of the repetitions' own on/off differences (each pair measured back to back, as the ingest \
         ratios to Mosquitto are), not the difference of the two medians.\n",
        rate(o.devices as f64),
        rate(o.per_device as f64)
    );
    let _ = writeln!(w, "| | messages/s | server CPU per message |\n|---|---|---|");
    let _ = writeln!(
        w,
        "| `--metrics off` (baseline) | {} | {} |",
        cell(&o.ingest_off, "", 0),
        cell(&o.cpu_us_off, "µs", 1)
    );
    let _ = writeln!(w, "| metrics on | {} | {} |", cell(&o.ingest_on, "", 0), cell(&o.cpu_us_on, "µs", 1));
    let pct = |c: Option<f64>| c.map_or("–".into(), |c| format!("{c:.1} %"));
    let pairs = |v: &[f64]| v.iter().map(|c| format!("{c:+.1}")).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        w,
        "| change per pair, on vs off (%) | {} | {} |",
        pairs(&rate_costs.iter().map(|c| -c).collect::<Vec<_>>()),
        pairs(&cpu_costs)
    );
    let _ = writeln!(
        w,
        "| cost (median of the pairs) | {} fewer | {} more — goal ≤ 5 %: {} |\n",
        pct(rate_cost),
        pct(cpu_cost),
        cpu_cost.map_or("–", |c| verdict(c <= 5.0))
    );
    let _ = writeln!(
        w,
        "**7-day overview query.** `GET /api/v1/monitoring/series?metrics={OVERVIEW}` over 7 days (buckets of \
         several minutes with min/max, {} points in all), with {} rows seeded into `metric_minutes` of each store: \
         the instance and {} products, four counts every minute and two levels every hour, written in time order \
         as the ingest writer stores them (every minute all scopes' rows, so one scope's rows lie spread over the \
         table). Seeded once per store, then `ANALYZE` (SQLite) or `VACUUM (ANALYZE)` (PostgreSQL: what \
         autovacuum does in steady state after inserts); every repetition starts a fresh server process on that \
         data. One warm-up, then the median of the timed queries per repetition.\n",
        o.points,
        rate(o.seeded_rows as f64),
        rate(o.products as f64)
    );
    let _ = writeln!(w, "| store | instance | one product | goal ≤ 50 ms |\n|---|---|---|---|");
    for (store, i, p) in
        [("SQLite", &o.query_sqlite, &o.query_product_sqlite), ("PostgreSQL", &o.query_pg, &o.query_product_pg)]
    {
        if i.is_empty() {
            continue;
        }
        let worst = Spread::of(i).zip(Spread::of(p)).map(|(a, b)| a.median.max(b.median));
        let _ = writeln!(
            w,
            "| {store} | {} | {} | {} |",
            cell(i, "ms", 1),
            cell(p, "ms", 1),
            worst.map_or("–", |m| verdict(m <= 50.0))
        );
    }
    let _ = writeln!(
        w,
        "\n**`/metrics` scrape** with {} registered devices (no per-device series: {} bytes): {} — goal ≤ 100 ms: {}.",
        rate(o.scrape_devices as f64),
        o.scrape_bytes,
        cell(&o.scrape, "ms", 1),
        Spread::of(&o.scrape).map_or("–", |s| verdict(s.median <= 100.0))
    );
    let _ = writeln!(w, "{END}");
    s
}

/// `doc` with its metrics section replaced by `section` (appended if it has none).
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

    fn outcome() -> Outcome {
        Outcome {
            devices: 100,
            per_device: 500,
            ingest_on: vec![9_700.0, 9_800.0, 9_600.0],
            ingest_off: vec![10_000.0, 9_900.0, 10_100.0],
            cpu_us_on: vec![41.0, 40.0, 42.0],
            cpu_us_off: vec![40.0, 39.0, 41.0],
            products: 1_000,
            seeded_rows: 40_000_000,
            query_sqlite: vec![20.0, 22.0, 21.0],
            query_product_sqlite: vec![19.0, 18.0, 20.0],
            points: 10_080,
            scrape_devices: 100_000,
            scrape: vec![3.0, 4.0, 5.0],
            scrape_bytes: 9_000,
            loadavg: "1 1 1".into(),
            cpus: 2,
            ..Default::default()
        }
    }

    #[test]
    fn the_section_says_whether_each_goal_is_met_and_survives_a_new_report() {
        let s = render(&outcome());
        assert!(s.contains("| cost (median of the pairs) | 3.0 % fewer | 2.5 % more — goal ≤ 5 %: met |"), "{s}");
        assert!(s.contains("| SQLite | 21.0 ms (20.0 – 22.0) | 19.0 ms (18.0 – 20.0) | met |"), "{s}");
        assert!(!s.contains("PostgreSQL |"), "no PostgreSQL row without its runs: {s}");
        assert!(s.contains("4.0 ms (3.0 – 5.0) — goal ≤ 100 ms: met"), "{s}");
        let slow = render(&Outcome { cpu_us_on: vec![44.0], cpu_us_off: vec![40.0], ..outcome() });
        assert!(slow.contains("10.0 % more — goal ≤ 5 %: **not met**"), "{slow}");
        // Pairs, not medians: the medians (60 vs 55) would say 9.1 %, the pairs +20, -9.1, +7.7.
        let paired =
            render(&Outcome { cpu_us_on: vec![60.0, 50.0, 70.0], cpu_us_off: vec![50.0, 55.0, 65.0], ..outcome() });
        assert!(paired.contains("| +20.0, -9.1, +7.7 |"), "{paired}");
        assert!(paired.contains("7.7 % more — goal ≤ 5 %: **not met**"), "{paired}");
        let doc = splice("# Benchmarks\n", &s);
        let again = splice(&doc, &s);
        assert_eq!(again.matches(BEGIN).count(), 1);
        assert!(carry_over(&again, "# New\n".into()).contains(BEGIN));
    }
}
