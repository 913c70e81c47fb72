//! "Commands": how to rerun the benchmark, how fleetdeck and the baseline are started, what the
//! devices send.

use std::fmt::Write as _;

use crate::bench::{Opts, Results};
use crate::payload::property_post;
use crate::procs::{fleetdeck_limit_flags, mosquitto_config};

pub(super) fn commands(w: &mut String, o: &Opts, res: &Results) {
    let _ = writeln!(w, "## Commands\n");
    let m = &res.meta;
    let pg = !m.postgres.is_empty();
    let (store, cluster) = if pg {
        (" --store postgres", ", starts a private PostgreSQL cluster in target/pg-bench (scripts/pg-cluster.sh)")
    } else {
        ("", "")
    };
    if m.before.is_empty() {
        let pad = if pg { "   " } else { "          " };
        let _ = writeln!(
            w,
            "```sh\nbash scripts/bench.sh{store}{pad}# builds fleetdeck + loadgen (release){cluster}, raises `ulimit -n`, runs:"
        );
    } else {
        // The script names the previous build by its short commit, which is the label it passes.
        let _ = writeln!(
            w,
            "```sh\nbash scripts/bench.sh --before {}{store}   # builds fleetdeck + loadgen (release) and {}'s fleetdeck \
             in target/bench-before/{cluster}, raises `ulimit -n`, runs:",
            m.before, m.before
        );
    }
    let before = if m.before.is_empty() {
        String::new()
    } else {
        format!(" \\\n    --fleetdeck-before {} --before-label '{}'", m.before_binary, m.before)
    };
    let pg_url = if pg { " \\\n    --pg-url postgres://fleetdeck@127.0.0.1:<port>/postgres" } else { "" };
    let _ = writeln!(
        w,
        "target/release/loadgen bench --fleetdeck target/release/fleetdeck{before} --mosquitto $(command -v mosquitto) \\\n    --reps {} --ingest-devices {} --ingest-per-device {} --window {} --baseline-window {} --one-property {} \\\n    --rate {} --low-rate {} --latency-secs {} --latency-devices {} --idle {} \\\n    --registry-devices {} --registry-requests {}{pg_url} \\\n    --out BENCHMARKS.md --json target/bench-results.json\n```\n",
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
        o.idle.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        o.registry_devices,
        o.registry_requests,
    );
    let _ = writeln!(w, "Every fleetdeck run is a fresh process with a fresh data directory (SQLite, as shipped):\n");
    let _ = writeln!(
        w,
        "```sh\ntarget/release/fleetdeck serve --http 127.0.0.1:<free> --mqtt 127.0.0.1:<free> --data-dir <tmp> \\\n    --admin-password <…> {}\n```\n",
        fleetdeck_limit_flags().join(" ")
    );
    if pg {
        let _ = writeln!(
            w,
            "On PostgreSQL (1c and 4) the same, plus `--database-url postgres://…/bench_<n>`: a database created for \
             that run only (`CREATE DATABASE bench_<n>` through `--pg-url`) and dropped after it.\n"
        );
    }
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
