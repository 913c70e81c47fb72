#!/usr/bin/env bash
# THE RUN COMMAND: set up, build, and start the demo console at http://127.0.0.1:8080
# (embedded MQTT broker on :1883, SQLite in ./data). Extra arguments go to `fleetdeck serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-ui.sh
cargo build --release -p backend --bin fleetdeck
exec target/release/fleetdeck serve --demo --dist dist "$@"
