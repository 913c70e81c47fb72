#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for the tests.
#
#   pg-cluster.sh start DIR   start (or find already running) the cluster in DIR; print its URL
#   pg-cluster.sh stop DIR    stop it (fast shutdown); fine if nothing runs
#   pg-cluster.sh url DIR     print the URL of the running cluster; non-zero if none runs
#
# The URL is postgres://fleetdeck@127.0.0.1:PORT/postgres (trust auth, superuser `fleetdeck`),
# also written to DIR/url. Only the URL goes to stdout, so URL=$(pg-cluster.sh start DIR) works.
#
# Tests share this one cluster and create one database per test app on it, so starting it once
# per run costs a second, not a second per test. It is never the system PostgreSQL service and
# never port 5432: it listens on 127.0.0.1 only, on a free port the kernel picks, with its socket
# and data inside DIR, so it cannot touch or be touched by a developer's real database.
# fsync, synchronous_commit and full_page_writes are off because it holds throwaway test data
# only: a crash may lose it, and that is fine; the speed matters. PG_CLUSTER_DURABLE=1 keeps
# PostgreSQL's defaults instead (the benchmark: it compares the stores as deployed).
#
# initdb and postgres refuse to run as root, and CI runs as root: then DIR is handed to the
# system user fleetdeck-pg (scripts/setup.sh creates it) and both run as that user.
# Safe to run again and again.
set -euo pipefail

PG_USER=fleetdeck-pg   # OS user the server runs as when we are root
DB_USER=fleetdeck      # the cluster's superuser, in the URL
READY_TIMEOUT=20       # seconds to wait for the server to accept connections
STOP_TIMEOUT=30        # seconds to wait for a fast shutdown before an immediate one

say() { printf 'pg-cluster: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage() { die "usage: $0 start|stop|url DIR"; }

[ $# -eq 2 ] || usage
CMD=$1
DIR=$2
[ -n "$DIR" ] || usage
case "$CMD" in start|stop|url) ;; *) usage ;; esac

IS_ROOT=false; [ "$(id -u)" -eq 0 ] && IS_ROOT=true

# Run a command as the user that owns the cluster, from inside DIR (the caller's working
# directory, e.g. /root, may not be readable by fleetdeck-pg).
as_pg() {
  if $IS_ROOT; then (cd "$DIR" && runuser -u "$PG_USER" -- "$@"); else (cd "$DIR" && "$@"); fi
}

# PID of the running postmaster of DIR/data, or nothing. The pid file can be stale after a
# crash or reboot, so the process must also exist and be a postgres.
running_pid() {
  local pid comm
  pid=$(sed -n 1p "$DIR/data/postmaster.pid" 2>/dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  case "$comm" in postgres|postmaster|"") echo "$pid" ;; esac
}
running_port() { sed -n 4p "$DIR/data/postmaster.pid" 2>/dev/null || true; }
url_for() { echo "postgres://$DB_USER@127.0.0.1:$1/postgres"; }

log_tail() {
  if [ -f "$DIR/postgres.log" ]; then
    say "last lines of $DIR/postgres.log:"
    tail -n 30 "$DIR/postgres.log" >&2 || true
  fi
}

# The newest installed PostgreSQL, or the version that made an existing data directory.
find_bin() {
  local want="" bin
  [ -f "$DIR/data/PG_VERSION" ] && want=$(cat "$DIR/data/PG_VERSION")
  if [ -n "$want" ] && [ -x "/usr/lib/postgresql/$want/bin/postgres" ]; then
    echo "/usr/lib/postgresql/$want/bin"; return
  fi
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && [ -x "$bin/postgres" ] \
    || die "no PostgreSQL server under /usr/lib/postgresql/*/bin; run scripts/setup.sh (installs Debian's postgresql)"
  echo "$bin"
}

free_port() {
  local port
  for _ in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    [ "$port" != 5432 ] && { echo "$port"; return; }
  done
  die "could not find a free loopback port"
}

wait_ready() {   # wait_ready BIN PORT PID
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$1/pg_isready" -q -h 127.0.0.1 -p "$2"; do
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then return 1; fi
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.25
  done
}

cmd_url() {
  local pid port
  pid=$(running_pid)
  [ -n "$pid" ] || die "no cluster running in $DIR (start it with: $0 start $DIR)"
  port=$(running_port)
  [[ "$port" =~ ^[0-9]+$ ]] || die "cannot read the port from $DIR/data/postmaster.pid"
  url_for "$port"
}

cmd_stop() {
  local pid deadline
  pid=$(running_pid)
  [ -n "$pid" ] || { say "no cluster running in $DIR"; return 0; }
  say "stopping PostgreSQL (pid $pid) in $DIR"
  kill -INT "$pid" 2>/dev/null || die "cannot signal pid $pid (started by another user?)"
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      say "fast shutdown took over ${STOP_TIMEOUT}s; immediate shutdown"
      kill -QUIT "$pid" 2>/dev/null || true
      sleep 2
      kill -0 "$pid" 2>/dev/null && { log_tail; die "PostgreSQL pid $pid does not stop"; }
      break
    fi
    sleep 0.2
  done
  say "stopped"
}

cmd_start() {
  local pid port bin url attempt
  pid=$(running_pid)
  if [ -n "$pid" ]; then
    port=$(running_port)
    bin=$(find_bin)
    wait_ready "$bin" "$port" "$pid" || { log_tail; die "PostgreSQL pid $pid in $DIR runs but does not answer on port $port"; }
    url=$(url_for "$port")
    echo "$url" > "$DIR/url"
    say "already running (pid $pid)"
    echo "$url"
    return 0
  fi

  if $IS_ROOT; then
    id -u "$PG_USER" >/dev/null 2>&1 \
      || die "running as root, but user $PG_USER is missing; run scripts/setup.sh (it creates it)"
    chown "$PG_USER:" "$DIR"
    # A data directory left by a run as another user: hand it over.
    if [ -d "$DIR/data" ] && [ "$(stat -c %U "$DIR/data")" != "$PG_USER" ]; then
      chown -R "$PG_USER:" "$DIR/data"
    fi
    runuser -u "$PG_USER" -- test -w "$DIR" -a -x "$DIR" \
      || die "$PG_USER cannot write $DIR: a parent directory is not searchable by others (chmod o+x it)"
  else
    [ -w "$DIR" ] || die "cannot write $DIR"
  fi

  bin=$(find_bin)
  # No PG_VERSION means a half-made data directory (initdb interrupted): throwaway, redo it.
  if [ -d "$DIR/data" ] && [ ! -f "$DIR/data/PG_VERSION" ]; then
    say "removing incomplete data directory $DIR/data"
    rm -rf "$DIR/data"
  fi
  # Made by a PostgreSQL that is no longer installed: throwaway, redo it.
  if [ -f "$DIR/data/PG_VERSION" ] && [ "$bin" != "/usr/lib/postgresql/$(cat "$DIR/data/PG_VERSION")/bin" ]; then
    say "data directory is from PostgreSQL $(cat "$DIR/data/PG_VERSION"), not installed; recreating it"
    rm -rf "$DIR/data"
  fi
  if [ ! -d "$DIR/data" ]; then
    say "initdb $DIR/data ($bin)"
    as_pg "$bin/initdb" -D "$DIR/data" -A trust -U "$DB_USER" --no-sync -E UTF8 --locale=C \
      > "$DIR/initdb.log" 2>&1 || { tail -n 30 "$DIR/initdb.log" >&2; die "initdb failed (log: $DIR/initdb.log)"; }
  fi

  # The Unix socket lives in DIR; its path has a 107-byte limit. Tests connect over TCP, so
  # for a very long DIR go without the socket rather than fail.
  local sockdir=$DIR
  [ ${#DIR} -le 90 ] || { sockdir=""; say "DIR path is long; no Unix socket, TCP only"; }

  # The kernel picked a free port, but something may take it before postgres binds it: retry.
  for attempt in 1 2 3; do
    port=$(free_port)
    say "starting PostgreSQL on 127.0.0.1:$port (log: $DIR/postgres.log)"
    # setsid + nohup: the server outlives this script (the tests use it). Its output goes to
    # the log and fd 9 (our lock) is closed, so $(pg-cluster.sh start DIR) does not hang.
    local as_user=(); $IS_ROOT && as_user=(runuser -u "$PG_USER" --)
    local fast=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
    [ "${PG_CLUSTER_DURABLE:-0}" = 1 ] && fast=()
    (cd "$DIR" && exec setsid -w nohup "${as_user[@]}" \
      "$bin/postgres" -D "$DIR/data" -p "$port" -k "$sockdir" \
      -c listen_addresses=127.0.0.1 "${fast[@]}" \
      -c max_connections=400 -c shared_buffers=128MB \
      </dev/null >"$DIR/postgres.log" 2>&1 9>&-) &
    local bg=$!
    if wait_ready "$bin" "$port" "$bg"; then
      url=$(url_for "$port")
      echo "$url" > "$DIR/url"
      say "ready (pid $(running_pid))"
      echo "$url"
      return 0
    fi
    if kill -0 "$bg" 2>/dev/null; then
      # Up but not answering within the time limit: do not leave it behind.
      log_tail
      pid=$(running_pid); [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null || true
      die "PostgreSQL did not accept connections on 127.0.0.1:$port within ${READY_TIMEOUT}s"
    fi
    if grep -q "could not bind\|Address already in use" "$DIR/postgres.log" 2>/dev/null && [ "$attempt" -lt 3 ]; then
      say "port $port was taken meanwhile; trying another"
      continue
    fi
    log_tail
    die "PostgreSQL failed to start"
  done
}

if [ "$CMD" = start ]; then
  mkdir -p "$DIR"
elif [ ! -d "$DIR" ]; then
  [ "$CMD" = stop ] && { say "nothing in $DIR, nothing to stop"; exit 0; }
  die "no cluster in $DIR"
fi
DIR=$(cd "$DIR" && pwd)
# One start/stop at a time per DIR (two test runs starting at once must not both initdb).
exec 9>"$DIR/.lock"
flock -w 60 9 || die "another pg-cluster.sh holds $DIR/.lock"

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
esac
