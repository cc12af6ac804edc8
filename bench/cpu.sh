#!/usr/bin/env bash
# Server CPU time per request (user + system, from /proc/PID/stat) under wrk at 32
# connections: bench-ceiling, and serve with repeated and with unique specs. Less
# sensitive to busy neighbours than requests/s. Needs bench/run.sh's history first.
#   bench/cpu.sh          # DURATION=10s ROUNDS=3 by default
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
ARCHIVE=target/gantry.run
PORT=${PORT:-18080}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
URL=http://127.0.0.1:$PORT
unset JAVA_OPTS
TICK=$(getconf CLK_TCK)

PID=
stop() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; fi; }
trap stop EXIT
start() {
  local health=$1 line=$2
  shift 2
  "$@" >"$OUT/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 600); do
    if curl -sf -o /dev/null "$URL$health" && { [ -z "$line" ] || grep -q "$line" "$OUT/server.log"; }; then return 0; fi
    sleep 0.1
  done
  echo "server not ready: $*" >&2
  exit 1
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
# prints "microseconds of server CPU per request, requests/s"
per_request() {
  local script=$1 before after out requests
  wrk -t2 -c32 -d5s -s "bench/$script.lua" "$URL" -- "$OUT/queries.txt" >/dev/null
  before=$(cpu_ticks)
  out=$(wrk -t2 -c32 -d"$DURATION" -s "bench/$script.lua" "$URL" -- "$OUT/queries.txt")
  after=$(cpu_ticks)
  requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  echo "$out" | awk -v t=$((after - before)) -v n="$requests" -v tick="$TICK" \
    '/Requests\/sec/ { printf "%.1f %.0f\n", t / tick * 1e6 / n, $2 }'
}
echo "| round | ceiling µs/request | serve repeated µs/request | serve unique µs/request | load average |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq "$ROUNDS"); do
  start / "" "$ARCHIVE" bench-ceiling --port "$PORT"
  read -r c _ < <(per_request cycle)
  stop
  start /healthz "history index loaded" env DB_FILE="$OUT/history.db" GANTRY_PORT="$PORT" GANTRY_HOST=127.0.0.1 "$ARCHIVE" serve
  read -r r _ < <(per_request cycle)
  read -r u _ < <(per_request unique)
  stop
  echo "| $round | $c | $r | $u | $(cut -d' ' -f1 /proc/loadavg) |"
done
