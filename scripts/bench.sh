#!/usr/bin/env bash
# THE BENCHMARK (not part of the test command): fleetdeck against a private Mosquitto measured in
# the same run on the same machine; writes BENCHMARKS.md (and target/bench-results.json).
#   1. ingest rate (validated + stored + logged + replied) vs Mosquitto's 1 -> 1 QoS1 rate
#   2. device -> browser WebSocket latency p50/p99 at 10k msg/s vs broker-only p99
#   3. RSS with 10k and 100k idle devices vs Mosquitto with the same clients
#   4. the registry with 100k devices: time to create them, list/search/get ms per request
# Loopback only (127.0.0.0/8); every run is bounded in count and time. About 10-15 minutes on
# 2 cores. Extra arguments go to `loadgen bench` (see `target/release/loadgen bench --help`),
# e.g. `bash scripts/bench.sh --reps 1 --only ingest`.
#
# What a change costs: `bash scripts/bench.sh --before REV` (e.g. `--before HEAD~1`) also runs
# REV's fleetdeck in every repetition of 1 and 2, interleaved with Mosquitto and this checkout's
# fleetdeck, and BENCHMARKS.md gets a "Change against REV" section (ratios to the same runs'
# Mosquitto, never across runs or machines). REV's release fleetdeck is built in a git worktree
# under target/bench-before/ with its own target dir and kept as
# target/bench-before/fleetdeck-<commit>: a later run against the same REV skips the build.
#
# PostgreSQL as well: `bash scripts/bench.sh --store postgres` starts a private PostgreSQL cluster
# (scripts/pg-cluster.sh start target/pg-bench: loopback only, a free port, never the system
# service) and passes its admin URL to loadgen as `--pg-url`. Then fleetdeck on PostgreSQL (a
# fresh database per run, created and dropped by loadgen) runs in every ingest repetition,
# interleaved with Mosquitto and fleetdeck on SQLite, and measurement 4 runs on both stores;
# BENCHMARKS.md reports PostgreSQL's ratios to Mosquitto and to SQLite from the same repetitions.
# The cluster is stopped when the script exits (its data stays in target/pg-bench). `--store
# sqlite` (the default) measures SQLite only. The cluster runs with PostgreSQL's durable defaults
# (fsync, synchronous_commit on: a reply means flushed, as deployed); the report shows them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH:/usr/sbin:/sbin"

BEFORE=""
STORE=sqlite
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --before)
            [ $# -ge 2 ] || { echo "bench: --before needs a revision (e.g. HEAD~1)" >&2; exit 2; }
            BEFORE="$2"
            shift 2
            ;;
        --before=*) BEFORE="${1#--before=}"; shift ;;
        --store)
            [ $# -ge 2 ] || { echo "bench: --store needs sqlite or postgres" >&2; exit 2; }
            STORE="$2"
            shift 2
            ;;
        --store=*) STORE="${1#--store=}"; shift ;;
        *) ARGS+=("$1"); shift ;;
    esac
done

case "$STORE" in
    sqlite | postgres) ;;
    *) echo "bench: --store $STORE: expected sqlite or postgres" >&2; exit 2 ;;
esac

MOSQUITTO="$(command -v mosquitto || true)"
if [ -z "$MOSQUITTO" ]; then
    echo "bench: the baseline needs Mosquitto (Debian: apt-get install -y mosquitto; only the binary is used)" >&2
    exit 1
fi

# Resolved before anything is built, so that a typo fails at once.
if [ -n "$BEFORE" ]; then
    BEFORE_REV="$(git rev-parse --verify --quiet "$BEFORE^{commit}")" || {
        echo "bench: --before $BEFORE: not a commit" >&2
        exit 2
    }
fi

# Honour CARGO_TARGET_DIR as cargo does (the binaries are wherever cargo put them).
TARGET="${CARGO_TARGET_DIR:-target}"

# Built one at a time: together, cargo would unify their dependencies' features and build a
# second, differently-featured fleetdeck instead of the one `cargo build --release -p backend` gives.
cargo build --release -p backend
cargo build --release -p loadgen

BEFORE_ARGS=()
if [ -n "$BEFORE" ]; then
    short="$(git rev-parse --short "$BEFORE_REV")"
    bin="$TARGET/bench-before/fleetdeck-$BEFORE_REV"
    if [ -x "$bin" ]; then
        echo "bench: fleetdeck $short already built: $bin"
    else
        dir="$(cd "$TARGET" && pwd)/bench-before"
        src="$dir/src"
        mkdir -p "$dir"
        if [ -e "$src/.git" ]; then
            git -C "$src" checkout --quiet --detach "$BEFORE_REV"
        else
            # A worktree directory deleted by hand leaves a registration that blocks `add`.
            git worktree prune
            git worktree add --quiet --detach "$src" "$BEFORE_REV"
        fi
        # Its own target dir, so that this checkout's build stays as it is. Seeded once from this
        # checkout's release build: the dependencies are mostly the same and need not be compiled
        # again (cargo rebuilds whatever differs at REV).
        if [ ! -d "$dir/target/release" ]; then
            mkdir -p "$dir/target"
            cp -a --reflink=auto "$TARGET/release" "$dir/target/"
        fi
        echo "bench: building fleetdeck $short in $src"
        (cd "$src" && CARGO_TARGET_DIR="$dir/target" cargo build --release -p backend)
        cp "$dir/target/release/fleetdeck" "$bin.tmp"
        mv "$bin.tmp" "$bin"
    fi
    BEFORE_ARGS=(--fleetdeck-before "$bin" --before-label "$short")
fi

# Every connection costs a descriptor on both sides: 100k idle devices need > 100k open files in
# fleetdeck and in loadgen. Raise the hard limit where allowed (root outside a container), then
# the soft limit to the hard one; loadgen measures at most what the limit allows and says so.
ulimit -Hn 220000 2>/dev/null || true
if [ "$(ulimit -Hn)" = unlimited ]; then ulimit -n 1048576; else ulimit -n "$(ulimit -Hn)"; fi
echo "bench: open files $(ulimit -n) (hard $(ulimit -Hn))"

PG_ARGS=()
if [ "$STORE" = postgres ]; then
    PG_DIR=target/pg-bench
    stop_cluster() { bash scripts/pg-cluster.sh stop "$PG_DIR" || true; }
    # The cluster must not outlive the script, whatever ends it.
    trap stop_cluster EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # A cluster left running by an earlier test run may be the fast one: start afresh, durable.
    bash scripts/pg-cluster.sh stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_URL="$(PG_CLUSTER_DURABLE=1 bash scripts/pg-cluster.sh start "$PG_DIR")"
    echo "bench: PostgreSQL cluster $PG_URL ($PG_DIR)"
    PG_ARGS=(--pg-url "$PG_URL")
fi

# Extra arguments come last: they override the defaults given here (e.g. `--out /tmp/b.md`).
# Not `exec`: with --store postgres the EXIT trap stops the cluster after loadgen.
"$TARGET/release/loadgen" bench \
    --fleetdeck "$TARGET/release/fleetdeck" \
    "${BEFORE_ARGS[@]}" \
    --mosquitto "$MOSQUITTO" \
    "${PG_ARGS[@]}" \
    --out BENCHMARKS.md \
    --json "$TARGET/bench-results.json" \
    "${ARGS[@]}"
