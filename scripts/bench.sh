#!/usr/bin/env bash
# THE BENCHMARK (not part of the test command): fleetdeck against a private Mosquitto measured in
# the same run on the same machine; writes BENCHMARKS.md (and target/bench-results.json).
#   1. ingest rate (validated + stored + logged + replied) vs Mosquitto's 1 -> 1 QoS1 rate
#   2. device -> browser WebSocket latency p50/p99 at 10k msg/s vs broker-only p99
#   3. RSS with 10k and 100k idle devices vs Mosquitto with the same clients
# Loopback only (127.0.0.0/8); every run is bounded in count and time. About 10-15 minutes on
# 2 cores. Extra arguments go to `loadgen bench` (see `target/release/loadgen bench --help`),
# e.g. `bash scripts/bench.sh --reps 1 --only ingest`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH:/usr/sbin:/sbin"

MOSQUITTO="$(command -v mosquitto || true)"
if [ -z "$MOSQUITTO" ]; then
    echo "bench: the baseline needs Mosquitto (Debian: apt-get install -y mosquitto; only the binary is used)" >&2
    exit 1
fi

# Built one at a time: together, cargo would unify their dependencies' features and build a
# second, differently-featured fleetdeck instead of the one `cargo build --release -p backend` gives.
cargo build --release -p backend
cargo build --release -p loadgen

# Every connection costs a descriptor on both sides: 100k idle devices need > 100k open files in
# fleetdeck and in loadgen. Raise the hard limit where allowed (root outside a container), then
# the soft limit to the hard one; loadgen measures at most what the limit allows and says so.
ulimit -Hn 220000 2>/dev/null || true
if [ "$(ulimit -Hn)" = unlimited ]; then ulimit -n 1048576; else ulimit -n "$(ulimit -Hn)"; fi
echo "bench: open files $(ulimit -n) (hard $(ulimit -Hn))"

exec target/release/loadgen bench \
    --fleetdeck target/release/fleetdeck \
    --mosquitto "$MOSQUITTO" \
    --out BENCHMARKS.md \
    --json target/bench-results.json \
    "$@"
