#!/usr/bin/env bash
# Installs everything fleetdeck's build and tests need, and nothing that is already there.
# Safe to run again and again. Only crates.io, npm, PyPI and Debian are contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
SDK_VENV=.venv-linkkit         # the Python Link SDK, run as a device by the tests

step() { printf '\n== %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. Debian packages: headless Chromium + its driver (browser tests), Mosquitto (benchmark
#    baseline and its clients for tests), python venv support, PostgreSQL (the second store;
#    the tests run their own throwaway cluster of it, see scripts/pg-cluster.sh).
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v mosquitto >/dev/null || need_apt+=(mosquitto)
command -v mosquitto_pub >/dev/null || need_apt+=(mosquitto-clients)
command -v brotli >/dev/null || need_apt+=(brotli)   # pre-compressed UI assets
python3 -c "import ensurepip, venv" 2>/dev/null || need_apt+=(python3-venv)
# initdb/postgres are not on PATH on Debian; any installed major version will do.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_apt+=(postgresql)
# CJK glyphs, so screenshots of the Chinese UI show characters, not boxes.
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need_apt+=(fonts-wqy-zenhei)
# A C compiler and make: the tests build Alibaba's C Link SDKs from source as devices (tests/c/).
command -v gcc >/dev/null || need_apt+=(gcc libc6-dev)
command -v make >/dev/null || need_apt+=(make)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
fi
# initdb and postgres refuse to run as root, and CI runs as root: the test cluster then runs
# as this unprivileged user (no home, no login).
if [ "$(id -u)" -eq 0 ] && ! id -u fleetdeck-pg >/dev/null 2>&1; then
  step "useradd fleetdeck-pg (runs the tests' PostgreSQL)"
  useradd --system --no-create-home --shell /usr/sbin/nologin fleetdeck-pg
fi

# 2. Rust: the pinned toolchain's wasm target, trunk and wasm-bindgen-cli at exact versions.
rustup target list --installed | grep -q wasm32-unknown-unknown || { step "rustup target add wasm32"; rustup target add wasm32-unknown-unknown; }
rustup component list --installed | grep -q '^rustfmt' && rustup component list --installed | grep -q '^clippy' \
  || { step "rustup component add rustfmt clippy"; rustup component add rustfmt clippy; }
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "cargo install trunk $TRUNK_VERSION (about 8 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  # Not --locked: its lock file names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 3. npm: the ECharts file served locally (no CDN) and wasm-opt from binaryen 132
#    (Debian's binaryen 108 silently breaks the app).
if [ ! -f frontend/node_modules/.package-lock.json ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  step "npm ci (frontend)"
  (cd frontend && npm ci --no-audit --no-fund)
fi

# 4. The unmodified Python Link SDK, as a real device in tests.
if [ ! -x "$SDK_VENV/bin/python" ] || ! "$SDK_VENV/bin/python" -c 'import linkkit' 2>/dev/null; then
  step "Python Link SDK venv"
  python3 -m venv "$SDK_VENV"
  "$SDK_VENV/bin/pip" install -q 'aliyun-iot-linkkit==1.2.13' 'paho-mqtt==1.6.1'
fi
