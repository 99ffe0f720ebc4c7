#!/usr/bin/env bash
# The cost of persistence on the fanout scenario: the same run against Relay with persistence off, on SQLite, on
# PostgreSQL (when 127.0.0.1:5432 answers), and off again, one server process each, results as JSON in one folder.
#   bench/persistence.sh [OUT_DIR] [extra bench/run fanout options]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/bench/results/persistence-$(date -u +%Y%m%dT%H%M)}
shift || true
mkdir -p "$out"
export WS_JWT_SECRET=${WS_JWT_SECRET:-bench-secret-that-is-at-least-32-bytes-long}
port=${BENCH_PORT:-18080}
work=$(mktemp -d)
schema=relay_bench_$(date +%s)
trap 'rm -rf "$work"; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true' EXIT

run() {
  local label=$1; shift
  "$root/wsserver" --port "$port" --set enable_rate_limit=false --set log_dir="$work/logs" \
      --set data_dir="$work/data-$label" --set enable_statistics=false "$@" >"$work/$label.server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
    sleep 0.2
  done
  "$root/bench/run" fanout --url "ws://127.0.0.1:$port/ws/connect" --duration 8s --warmup 2s --quiet --server-pid "$pid" \
      --label "$label" --json "$out/$label.json" "${EXTRA[@]}" || true
  echo "other CPU while $label ran: $(cat /proc/loadavg)" >>"$out/load.txt"
  kill "$pid"; wait "$pid" || true
}

EXTRA=("$@")
run off-1
run sqlite --set enable_message_persistence=true
if (echo >/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE SCHEMA $schema" >/dev/null
  run postgresql --set enable_message_persistence=true \
      --set "database_url=jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$schema,public"
fi
run off-2
"$root/bench/run" report "$out"
