#!/usr/bin/env bash
# Builds the web UI into dist/ with Trunk, offline (Trunk.toml: offline = true), using the
# wasm-bindgen installed by setup.sh and wasm-opt from frontend/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/frontend/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
trunk build --release "$@"
# Pre-compressed copies: the server sends .br/.gz when the browser accepts them.
for f in dist/*.wasm dist/*.js dist/*.css; do
  [ -f "$f" ] || continue
  gzip -9 -k -f "$f"
  if command -v brotli >/dev/null; then brotli -f -q 11 "$f"; fi
done
