#!/usr/bin/env bash
# THE TEST COMMAND: set up, then format check, clippy, and every test (unit, integration,
# real MQTT devices, the Python Link SDK, headless-Chromium end-to-end). Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/frontend/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy (native)"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo clippy (browser, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
echo "== web UI build"
bash scripts/build-ui.sh
echo "== tests"
# The end-to-end tests find the UI and the SDK through these.
export FLEETDECK_TEST_DIST="$PWD/dist"
export FLEETDECK_TEST_PYTHON="$PWD/.venv-linkkit/bin/python"
# Alibaba's C SDK archives, built into target/c-sdk/ by the C SDK tests (tests/src/c_sdk.rs).
export FLEETDECK_C_SDK_DIR="${FLEETDECK_C_SDK_DIR:-/work/shared/sdk}"
# One private PostgreSQL cluster for the whole run (throwaway, own port, never the system one);
# the tests make a database per test app on it. Stopped however this script ends.
PG_TEST_DIR="$PWD/target/pg-test"
trap 'bash scripts/pg-cluster.sh stop "$PG_TEST_DIR" || true' EXIT
FLEETDECK_TEST_PG_URL="$(bash scripts/pg-cluster.sh start "$PG_TEST_DIR")"
export FLEETDECK_TEST_PG_URL
# Both passes run even if the first fails; the script fails if either did.
status=0
cargo test --workspace --no-fail-fast -- --test-threads=2 || status=1
echo "== tests again on PostgreSQL (backend, testkit)"
FLEETDECK_TEST_STORE=postgres cargo test -p backend -p testkit --no-fail-fast -- --test-threads=2 || status=1
exit "$status"
