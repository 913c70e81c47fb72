//! The whole report from made-up results: with a before-binary it has the comparison section
//! with the right numbers; without one, nothing of it.

use clap::Parser;

use super::render;
use crate::bench::{run_order, FleetIngest, IngestRep, LatencyRep, Opts, Results};
use crate::db::Stored;
use crate::{ingest, latency};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    opts: Opts,
}

fn opts(args: &[&str]) -> Opts {
    Cli::parse_from(std::iter::once("bench").chain(args.iter().copied())).opts
}

fn fleet(rate: f64) -> ingest::Outcome {
    ingest::Outcome { sent: 100, pubacks: 100, delivered: 100, rate, ..Default::default() }
}

const STORED: Stored = Stored { uplinks: 100, replies: 100, values: 300 };

fn p99(us: u64) -> latency::Outcome {
    latency::Outcome { sent: 10, received: 10, p50_us: Some(us / 4), p99_us: Some(us), ..Default::default() }
}

/// Three repetitions: Mosquitto 40k/30k/50k msg/s; before at 0.60×/0.50×/0.60×, after at
/// 0.57×/0.50×/0.60× (the median ratio drops exactly 5 %); p99 3 ms / 9 ms / 11 ms.
fn results(with_before: bool) -> Results {
    let mut res = Results::default();
    res.meta.git = "new1234".into();
    if with_before {
        res.meta.before = "old1234".into();
        res.meta.before_binary = "target/bench-before/fleetdeck-old".into();
    }
    for (rep, (m, b, a)) in
        [(40_000.0, 24_000.0, 22_800.0), (30_000.0, 15_000.0, 15_000.0), (50_000.0, 30_000.0, 30_000.0)]
            .into_iter()
            .enumerate()
    {
        let before = FleetIngest { out: fleet(b), props: 3, stored: Some(STORED), ..Default::default() };
        res.ingest.push(IngestRep {
            order: run_order(rep, with_before),
            mosquitto: Some(ingest::Outcome { sent: 100, delivered: 100, rate: m, ..Default::default() }),
            fleetdeck: Some(fleet(a)),
            stored: Some(STORED),
            before: with_before.then_some(before),
            ..Default::default()
        });
        res.latency.push(LatencyRep {
            order: run_order(rep, with_before),
            mosquitto: Some(p99(3_000)),
            fleetdeck: Some(p99(11_000)),
            before: with_before.then(|| p99(9_000)),
            ..Default::default()
        });
    }
    res
}

#[test]
fn the_comparison_section_has_medians_ratios_and_the_change() {
    let md = render(&results(true), &opts(&["--fleetdeck-before", "x", "--before-label", "old1234"]));
    let section = &md[md.find("## Change against old1234").expect("section")..md.find("## Machine and run").unwrap()];
    // Summary rows: medians, ratios of the medians of per-run ratios, the change, the verdicts.
    assert!(
        section.contains("| 1. ingest, 100 devices, msg/s | 40,000 | 24,000 | 22,800 | 0.60× | 0.57× | **−5.0 %** | drop ≤ 5 %, zero loss | **pass** |"),
        "{section}"
    );
    assert!(section.contains(
        "| 2. device → browser p99 at 10,000 msg/s | 3.00 ms | 9.00 ms | 11.00 ms | 3.00× | 3.67× | +22.2 % | new1234 ≤ max(10 ms, 4× Mosquitto) = 12.00 ms | **pass** (old1234: **pass**) |"
    ), "{section}");
    // Every repetition, in the order it ran.
    assert!(
        section.contains("| 1 | M B F | 40,000 | 24,000 | 22,800 | 0.60× | 0.57× | −5.0 % | yes / yes |"),
        "{section}"
    );
    assert!(section.contains("| 2 | B F M | 30,000 | 15,000 | 15,000 | 0.50× | 0.50× | +0.0 % |"), "{section}");
    assert!(
        section.contains(
            "| 3 | F M B | 3.00 ms | 9.00 ms | 11.00 ms | 3.00× | 3.67× | +22.2 % | 2.25 ms / 2.75 ms | 0 / 0 |"
        ),
        "{section}"
    );
    assert!(section.contains("**−5.0 %** (runs −5.0 % – +0.0 %)"), "{section}");
    // Nothing failed, so no problem list.
    assert!(!section.contains("\n- "), "{section}");
    assert!(
        md.contains("| fleetdeck before (ingest and latency only) | old1234 (`target/bench-before/fleetdeck-old`) |")
    );
    assert!(md.contains("bash scripts/bench.sh --before old1234"));
    assert!(md.contains("--fleetdeck-before target/bench-before/fleetdeck-old --before-label 'old1234'"));
}

#[test]
fn a_larger_drop_fails_and_a_missing_before_run_is_listed() {
    let mut res = results(true);
    res.ingest[0].fleetdeck.as_mut().unwrap().rate = 21_600.0; // 0.54× after 0.60×
    res.ingest[2].fleetdeck.as_mut().unwrap().rate = 27_000.0; // 0.54× after 0.60×
    res.latency[1].before = None;
    res.latency[1].errors.push("fleetdeck before: did not start".into());
    res.latency[2].before = None;
    let md = render(&res, &opts(&[]));
    assert!(md.contains("| 0.60× | 0.54× | **−10.0 %** | drop ≤ 5 %, zero loss | **FAIL** |"), "{md}");
    assert!(
        md.contains("- latency run 2: fleetdeck before: did not start\n- latency run 3: old1234 not measured\n"),
        "{md}"
    );
}

#[test]
fn without_a_before_binary_the_report_has_no_comparison() {
    let md = render(&results(false), &opts(&[]));
    assert!(!md.contains("Change against"));
    assert!(!md.contains("fleetdeck before") && !md.contains("--fleetdeck-before"), "{md}");
    assert!(md.contains("| repetitions | 3 per measurement, baseline and fleetdeck interleaved |"));
    assert!(md.contains("| fleetdeck | commit new1234 |\n| open files (RLIMIT_NOFILE) |"));
    assert!(md.contains("```sh\nbash scripts/bench.sh          # builds fleetdeck + loadgen (release)"));
}
