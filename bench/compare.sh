#!/usr/bin/env bash
# Side by side, in one run: starts each server in turn on this machine (the peers in ../shared/peers, the raw Netty
# reference in two modes, and Relay), runs the same loads against each, stops it, and prints a markdown table of
# absolute figures and ratios to Relay. Bounded: about 40 s per server with the defaults.
#   bench/compare.sh                       all servers
#   SERVERS="gorilla relay" bench/compare.sh   some of them
# Knobs (environment): FANOUT_CLIENTS (500), DURATION (8s), PACED_RATE (msgs/s; default 100k deliveries/s spread
# over the fanout audience), IDLE_CLIENTS (15000: both sides need a descriptor per connection and this box allows
# 20000 per process), IDLE_HOLD (40s: how long idle holds them before reading the RSS; longer than the 30 s after
# which ./wsserver's JVM options give idle heap back), CONNECT_CLIENTS (5000), OUT (results folder).
# relay runs with the JVM options ./wsserver starts it with (scripts/jvm-defaults.sh) plus RELAY_JAVA_OPTS;
# relay-jvm-defaults with the JVM's own defaults plus RELAY_JAVA_OPTS, to show what those options change in RSS and
# in fan-out CPU.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
. scripts/jvm-defaults.sh
relay_find_jdk || exit 1
relay_jvm_defaults
export JAVA_HOME=$RELAY_JAVA_HOME
java="$JAVA_HOME/bin/java"

servers=${SERVERS:-"gorilla gorilla-nocoal ws socketio raw-netty raw-netty-batched relay relay-jvm-defaults"}
fanout_clients=${FANOUT_CLIENTS:-500}
duration=${DURATION:-8s}
paced_rate=${PACED_RATE:-$(( 100000 / (fanout_clients + 1) ))}
idle_clients=${IDLE_CLIENTS:-15000}
idle_hold=${IDLE_HOLD:-40s}
connect_clients=${CONNECT_CLIENTS:-5000}
out=${OUT:-$root/bench/target/compare-$(date -u +%Y%m%dT%H%M%SZ)}
secret=compare-secret-0123456789abcdef0123456789
peers="$root/../shared/peers/peers"
mkdir -p "$out/logs"

echo "== setting up the peers and building Relay and the bench jar" >&2
"$peers" setup >&2
./mvnw -q -B -ntp -DskipTests -pl server,bench -am package >&2
bench=("$java" --enable-native-access=ALL-UNNAMED -jar "$root/bench/target/relay-bench.jar")

pid=""
stop_server() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  pid=""
}
trap stop_server EXIT

wait_port() {
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "server on port $1 died; see $out/logs" >&2; return 1; }
    sleep 0.1
  done
  echo "server on port $1 did not listen" >&2
  return 1
}

# Waits (at most 15 s) until the server has been nearly idle for half a second: what one load leaves behind (15k
# disconnections, a collection) must not be counted in the next.
settle() {
  local before after
  for _ in $(seq 1 30); do
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    sleep 0.5
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    (( after - before <= 2 )) && return 0
  done
}

# start NAME PORT: sets pid, target and url
start_server() {
  local name=$1 port=$2
  case $name in
    gorilla|gorilla-nocoal|ws)
      pid=$("$peers" start "$name" "$port"); target=raw; url="ws://127.0.0.1:$port/ws" ;;
    socketio)
      pid=$("$peers" start "$name" "$port"); target=socketio
      url="ws://127.0.0.1:$port/socket.io/?EIO=4&transport=websocket" ;;
    raw-netty|raw-netty-batched)
      local mode=naive; [[ $name == raw-netty-batched ]] && mode=batched
      ( exec "${bench[@]}" raw-server --port "$port" --mode "$mode" >"$out/logs/$name.log" 2>&1 ) &
      pid=$!; target=raw; url="ws://127.0.0.1:$port/ws" ;;
    relay|relay-jvm-defaults)
      local opts="$RELAY_JVM_DEFAULTS ${RELAY_JAVA_OPTS:-}"
      [[ $name == relay-jvm-defaults ]] && opts="${RELAY_JAVA_OPTS:-}"
      ( export WS_JWT_SECRET=$secret; exec "$java" --enable-native-access=ALL-UNNAMED $opts \
          -jar "$root/server/target/relay-server.jar" --host 127.0.0.1 --port "$port" \
          --set enable_rate_limit=false --set max_connections=$(( idle_clients + 1000 )) \
          --set log_dir="$out/logs/$name" >"$out/logs/$name-console.log" 2>&1 ) &
      pid=$!; target=relay; url="ws://127.0.0.1:$port/ws/connect" ;;
    *) echo "unknown server $name" >&2; exit 2 ;;
  esac
  wait_port "$port"
}

port=9101
for name in $servers; do
  echo "== $name" >&2
  start_server "$name" "$port"
  common=(--target "$target" --url "$url" --secret "$secret" --label "$name" --quiet)
  settle
  "${bench[@]}" idle "${common[@]}" --clients "$idle_clients" --duration "$idle_hold" --server-pid "$pid" --json "$out/$name-idle.json" >&2 || true
  settle
  "${bench[@]}" connect "${common[@]}" --clients "$connect_clients" --server-pid "$pid" --json "$out/$name-connect.json" >&2 || true
  settle
  "${bench[@]}" fanout "${common[@]}" --clients "$fanout_clients" --rate 0 --duration "$duration" \
      --server-pid "$pid" --json "$out/$name-fanout-max.json" >&2 || true
  settle
  "${bench[@]}" fanout "${common[@]}" --clients "$fanout_clients" --rate "$paced_rate" --duration "$duration" \
      --server-pid "$pid" --json "$out/$name-fanout-paced.json" >&2 || true
  stop_server
  port=$((port + 1))
done

{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -1);"
  echo "fanout: $fanout_clients subscribers + 1 publisher, 100-byte content, $duration measured; paced: $paced_rate msgs/s;"
  echo "idle: $idle_clients connections; connect: $connect_clients connections. Ratios are each figure / Relay's."
  echo
  "${bench[@]}" report "$out"
} | tee "$out/table.md"
echo "results in $out" >&2
