//! BENCHMARKS.md: machine, method, commands, one table per measurement (every run, then the
//! median and spread), the ratio to the baseline and the goal. Only measured numbers; a
//! projection is labelled as one.

use std::fmt::Write as _;
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::bench::{FleetIngest, IdlePoint, IngestRep, LatencyRep, Opts, Results};
use crate::payload::{property_post, PROPERTIES_PER_POST};
use crate::procs::{fleetdeck_limit_flags, mosquitto_config, CpuUse};
use crate::stats::Spread;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
/// The idle-memory goal: at most 2 GiB with 100,000 devices.
const IDLE_GOAL_DEVICES: usize = 100_000;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Meta {
    pub date: String,
    pub cpu: String,
    pub cores: usize,
    pub memory: String,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    pub mosquitto: String,
    pub git: String,
    pub nofile: u64,
    pub nofile_hard: String,
    pub duration_secs: u64,
    pub loadavg_start: String,
    pub loadavg_end: String,
}

fn cmd(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| {
            let s = if o.stdout.is_empty() { o.stderr } else { o.stdout };
            String::from_utf8_lossy(&s).lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_else(|e| format!("({program}: {e})"))
}

fn proc_field(file: &str, key: &str) -> Option<String> {
    let s = std::fs::read_to_string(file).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    Some(line.split_once([':', '=']).map(|x| x.1).unwrap_or("").trim().trim_matches('"').to_string())
}

impl Meta {
    pub fn collect(o: &Opts, nofile: u64) -> Meta {
        let dirty = !cmd("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
        let mem_kb: f64 = proc_field("/proc/meminfo", "MemTotal")
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        let mosquitto = cmd(&o.mosquitto.display().to_string(), &["-h"]);
        Meta {
            date: cmd("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            cpu: proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            memory: format!("{:.1} GiB", mem_kb / 1024.0 / 1024.0),
            os: proc_field("/etc/os-release", "PRETTY_NAME").unwrap_or_default(),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string(),
            rustc: cmd("rustc", &["--version"]),
            mosquitto: mosquitto.split(" is an MQTT").next().unwrap_or("").to_string(),
            git: format!(
                "{}{}",
                cmd("git", &["rev-parse", "--short", "HEAD"]),
                if dirty { " + uncommitted changes" } else { "" }
            ),
            nofile,
            nofile_hard: cmd("sh", &["-c", "ulimit -Hn"]),
            duration_secs: 0,
            loadavg_start: crate::procs::loadavg(),
            loadavg_end: String::new(),
        }
    }
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
}

fn rate(r: f64) -> String {
    let n = r.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ms(us: Option<u64>) -> String {
    match us {
        None => "–".into(),
        Some(u64::MAX) => "lost".into(),
        Some(u) => format!("{:.2} ms", u as f64 / 1000.0),
    }
}

/// Milliseconds of a latency in µs that may be +∞ (never arrived).
fn ms_f(us: f64) -> String {
    if us.is_finite() {
        ms(Some(us as u64))
    } else {
        "lost".into()
    }
}

/// `a / b` as `N×`, or `–` when either is not a number (e.g. lost).
fn ratio(a: f64, b: f64, decimals: usize) -> String {
    let r = a / b;
    if r.is_finite() {
        format!("{r:.decimals$}×")
    } else {
        "–".into()
    }
}

fn spread(s: Option<Spread>, f: impl Fn(f64) -> String) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.n == 1 || s.min == s.max => f(s.median),
        Some(s) => format!("**{}** ({} – {})", f(s.median), f(s.min), f(s.max)),
    }
}

fn cpu(b: Option<CpuUse>, f: Option<CpuUse>) -> String {
    let one =
        |c: Option<CpuUse>| c.map(|c| format!("{:.2} ({:.2})", c.broker_cores, c.loadgen_cores)).unwrap_or("–".into());
    format!("{} / {}", one(b), one(f))
}

fn pass(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "**pass**",
        Some(false) => "**FAIL**",
        None => "not measured",
    }
}

/// One line per ingest run, for the progress output.
pub fn ingest_line(r: &IngestRep) -> String {
    let m = r.mosquitto.as_ref().map(|m| format!("mosquitto {}/s", rate(m.rate))).unwrap_or_default();
    let f = r
        .fleetdeck
        .as_ref()
        .map(|f| format!("fleetdeck {}/s ({} of {} replied 200)", rate(f.rate), f.delivered, f.sent))
        .unwrap_or_default();
    let s = r.stored.map(|s| format!("stored {}/{}/{}", s.uplinks, s.replies, s.values)).unwrap_or_default();
    format!("{m}  {f}  {s}  {}", r.errors.join("; "))
}

pub fn latency_line(r: &LatencyRep) -> String {
    let one = |name: &str, o: &Option<crate::latency::Outcome>| {
        o.as_ref()
            .map(|o| {
                format!("{name} p50 {} p99 {} ({} of {} received)", ms(o.p50_us), ms(o.p99_us), o.received, o.sent)
            })
            .unwrap_or_default()
    };
    format!("{}  {}  {}", one("mosquitto", &r.mosquitto), one("fleetdeck", &r.fleetdeck), r.errors.join("; "))
}

fn ingest_lossless(r: &IngestRep) -> bool {
    let (Some(f), Some(s)) = (&r.fleetdeck, r.stored) else { return false };
    f.sent > 0
        && f.connect_failures == 0
        && f.delivered == f.sent
        && f.failed_replies == 0
        && s.uplinks == f.sent
        && s.replies == f.sent
        && s.values == f.sent * PROPERTIES_PER_POST
}

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
    summary(w, res, o);
    let _ = writeln!(w, "## Machine and run\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| date | {} |", m.date);
    let _ = writeln!(w, "| CPU | {} × {} |", m.cores, m.cpu);
    let _ = writeln!(w, "| memory | {} |", m.memory);
    let _ = writeln!(w, "| OS, kernel | {}, Linux {} |", m.os, m.kernel);
    let _ = writeln!(w, "| Rust | {} (release profile of the workspace) |", m.rustc);
    let _ = writeln!(w, "| baseline | {} |", m.mosquitto);
    let _ = writeln!(w, "| fleetdeck | commit {} |", m.git);
    let _ = writeln!(w, "| open files (RLIMIT_NOFILE) | soft {} / hard {} |", m.nofile, m.nofile_hard);
    let _ = writeln!(w, "| repetitions | {} per measurement, baseline and fleetdeck interleaved |", o.reps);
    let _ = writeln!(w, "| whole benchmark | {} min {} s |", m.duration_secs / 60, m.duration_secs % 60);
    let _ =
        writeln!(w, "| load average (1, 5, 15 min) | {} at the start, {} at the end |", m.loadavg_start, m.loadavg_end);
    let _ = writeln!(
        w,
        "\nThe machine is shared and noisy: every number is the **median** of the runs, with the range (min – max) \
         in parentheses. The load generator runs on the same cores as the broker it measures, for the baseline too.\n"
    );
    commands(w, o);
    ingest(w, res, o);
    latency(w, &res.latency, o.rate, o, "## 2. Device → browser latency at");
    latency(w, &res.latency_low, o.low_rate, o, "### 2b. Supplementary: the same at");
    idle(w, res, o);
    s
}

fn commands(w: &mut String, o: &Opts) {
    let _ = writeln!(w, "## Commands\n");
    let _ = writeln!(
        w,
        "```sh\nbash scripts/bench.sh          # builds fleetdeck + loadgen (release), raises `ulimit -n`, runs:"
    );
    let _ = writeln!(
        w,
        "target/release/loadgen bench --fleetdeck target/release/fleetdeck --mosquitto $(command -v mosquitto) \\\n    --reps {} --ingest-devices {} --ingest-per-device {} --window {} --baseline-window {} --one-property {} \\\n    --rate {} --low-rate {} --latency-secs {} --latency-devices {} --idle {} \\\n    --out BENCHMARKS.md --json target/bench-results.json\n```\n",
        o.reps,
        o.ingest_devices,
        o.ingest_per_device,
        o.window,
        o.baseline_window,
        o.one_property,
        o.rate,
        o.low_rate,
        o.latency_secs,
        o.latency_devices,
        o.idle.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    );
    let _ = writeln!(w, "Every fleetdeck run is a fresh process with a fresh data directory (SQLite, as shipped):\n");
    let _ = writeln!(
        w,
        "```sh\ntarget/release/fleetdeck serve --http 127.0.0.1:<free> --mqtt 127.0.0.1:<free> --data-dir <tmp> \\\n    --admin-password <…> {}\n```\n",
        fleetdeck_limit_flags().join(" ")
    );
    let _ = writeln!(
        w,
        "The `--limit-*` flags switch off fleetdeck's **per-device rate limits** (defaults: 60 connects/min, 100 \
         uplink and 100 downlink messages/s per device): benchmark devices post far faster than one real device \
         may. Nothing else is tuned; the log filter is the default. No login limit is involved (one login per run).\n"
    );
    let _ = writeln!(
        w,
        "Set-up through the REST API as an operator would: `POST /api/v1/auth/login`, `POST /api/v1/products`, \
         `PUT /api/v1/products/{{pk}}/tsl` (a bool, an int 0–100 and a double −40–120 property), devices by \
         `POST /api/v1/products/{{pk}}/devices/import` (CSV `DeviceName,DeviceSecret`, secrets chosen by the benchmark, \
         10,000 rows per request).\n"
    );
    let _ = writeln!(
        w,
        "The baseline's generated `mosquitto.conf` (a private instance on a free port, never the system service):\n"
    );
    let conf = mosquitto_config(0).replace("listener 0 ", "listener <free> ");
    let _ = writeln!(w, "```\n{}```\n", conf);
    let payload = property_post(12345);
    let _ = writeln!(
        w,
        "Devices connect as the Python Link SDK 1.2.13 does (clientId `{{pk}}&{{dn}}|securemode=3,signmethod=hmacsha1,…,timestamp=…|`, \
         HMAC-SHA1 password, keepalive 60 s, clean session, no SUBSCRIBE), one TCP connection each, from source \
         addresses 127.0.0.2–127.0.0.251 (10,000 per address). Mosquitto receives byte-identical CONNECT and PUBLISH packets. \
         A post is `/sys/{{pk}}/{{dn}}/thing/event/property/post` at QoS 1, {} bytes of payload, e.g.\n\n```json\n{}\n```\n",
        payload.len(),
        String::from_utf8_lossy(&payload)
    );
    let _ = writeln!(
        w,
        "The MQTT client is loadgen's own (rumqttc's packet codec over a plain tokio socket, so it can bind source \
         addresses); the same client drives both brokers.\n"
    );
}

fn summary(w: &mut String, res: &Results, o: &Opts) {
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
            "| 1. ingest, {} devices, QoS 1, validated + stored + logged + replied | {} msg/s, loss {} | {} msg/s (1 → 1) | {} | ≥ 0.5×, zero loss | {} |",
            o.ingest_devices,
            f.map(|s| rate(s.median)).unwrap_or("–".into()),
            if lossless { "0" } else { "**yes, see below**" },
            b.map(|s| rate(s.median)).unwrap_or("–".into()),
            ratio.map(|r| format!("{r:.2}×")).unwrap_or("–".into()),
            pass(ok)
        );
    }
    if !res.latency.is_empty() {
        let (f, b) = latency_spreads(&res.latency, |o| o.p99_us);
        let limit = b.map(|b| (4.0 * b.median).max(10_000.0));
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
    let _ = writeln!(w);
}

struct Projection {
    from: usize,
    to: usize,
    per_device: f64,
    bytes: f64,
}

/// When the goal point could not be measured: a linear projection from the first and last
/// measured points (the per-device slope). Labelled as a projection wherever it is shown.
fn projection(res: &Results) -> Option<Projection> {
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

fn ingest_spreads(reps: &[IngestRep]) -> (Option<Spread>, Option<Spread>) {
    let f: Vec<f64> = reps.iter().filter_map(|r| r.fleetdeck.as_ref()).map(|x| x.rate).collect();
    let b: Vec<f64> = reps.iter().filter_map(|r| r.mosquitto.as_ref()).map(|x| x.rate).collect();
    (Spread::of(&f), Spread::of(&b))
}

/// fleetdeck ÷ Mosquitto per run (the two are measured back to back), then the median: a run in
/// which the machine was busy for both does not count against either.
fn ingest_ratios(reps: &[IngestRep]) -> Option<Spread> {
    let r: Vec<f64> =
        reps.iter().filter_map(|r| Some(r.fleetdeck.as_ref()?.rate / r.mosquitto.as_ref()?.rate)).collect();
    Spread::of(&r)
}

fn latency_spreads(
    reps: &[LatencyRep],
    pick: impl Fn(&crate::latency::Outcome) -> Option<u64>,
) -> (Option<Spread>, Option<Spread>) {
    // A "lost" percentile counts as +∞, so the median stays honest.
    let val = |o: &crate::latency::Outcome| pick(o).map(|v| if v == u64::MAX { f64::INFINITY } else { v as f64 });
    let f: Vec<f64> = reps.iter().filter_map(|r| r.fleetdeck.as_ref()).filter_map(val).collect();
    let b: Vec<f64> = reps.iter().filter_map(|r| r.mosquitto.as_ref()).filter_map(val).collect();
    let inf = |v: &[f64]| v.iter().filter(|x| x.is_infinite()).count() * 2 > v.len();
    let sp = |v: &[f64]| {
        if inf(v) {
            Some(Spread { median: f64::INFINITY, min: f64::INFINITY, max: f64::INFINITY, n: v.len() })
        } else {
            Spread::of(v)
        }
    };
    (sp(&f), sp(&b))
}

fn idle_spreads(p: &IdlePoint) -> (Option<Spread>, Option<Spread>) {
    let f: Vec<f64> = p.fleetdeck.iter().map(|x| x.rss as f64).collect();
    let b: Vec<f64> = p.mosquitto.iter().map(|x| x.rss as f64).collect();
    (Spread::of(&f), Spread::of(&b))
}

fn ingest(w: &mut String, res: &Results, o: &Opts) {
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
}

fn fleet_lossless(f: &FleetIngest) -> bool {
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

fn one_property(w: &mut String, res: &Results) {
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

fn latency(w: &mut String, reps: &[LatencyRep], msg_rate: u64, o: &Opts, heading: &str) {
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

fn idle(w: &mut String, res: &Results, _o: &Opts) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(rate(1234567.4), "1,234,567");
        assert_eq!(rate(999.0), "999");
        assert_eq!(ms(Some(1500)), "1.50 ms");
        assert_eq!(ms(Some(u64::MAX)), "lost");
        assert_eq!(mib(3 * 1024 * 1024), "3.0 MiB");
        let s = Spread::of(&[1.0, 2.0, 3.0]);
        assert_eq!(spread(s, |x| format!("{x:.0}")), "**2** (1 – 3)");
    }
}
