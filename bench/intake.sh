#!/usr/bin/env bash
# Intake rate: webhooks per second that POST /v1/collect accepts durably (each 200 is
# committed, fsync'd, before it is sent), at CONNECTIONS concurrent connections.
#   bench/intake.sh                          # collection parked: intake alone
#   COLLECT=instant bench/intake.sh          # with workers collecting from an instant upstream
# Then checks that the database holds every event that was answered 200.
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
COLLECT=${COLLECT:-parked}
out=bench/out/intake
rm -rf "$out" && mkdir -p "$out"

up_port=$(free_port)
if [ "$COLLECT" = instant ]; then
  java bench/InstantUpstream.java "$up_port" >"$out/upstream.log" 2>&1 & pids+=($!)
else
  java bench/InstantUpstream.java "$up_port" --silent >"$out/upstream.log" 2>&1 & pids+=($!)
fi
port=$(free_port)
DB_FILE=$out/gantry.db GANTRY_HOST=127.0.0.1 GANTRY_PORT=$port \
  PROMETHEUS_URL=http://127.0.0.1:$up_port/prometheus/api/v1 \
  GITLAB_URL=http://127.0.0.1:$up_port/gitlab/api/v4/projects/2 GITLAB_API_TOKEN=bench \
  GITLAB_WEBHOOK_TOKEN=bench-token GANTRY_HTTP_TIMEOUT_SECONDS=600 \
  "$GANTRY_RUN" serve >"$out/gantry.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$port/healthz"

# a short warm-up (JIT), not counted, then the measured run
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/webhook.lua "http://127.0.0.1:$port/v1/collect" >/dev/null
before=$(sqlite3 "$out/gantry.db" "SELECT count(*) FROM collection_queue")
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION -s bench/webhook.lua (collection: $COLLECT)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/webhook.lua "http://127.0.0.1:$port/v1/collect" | tee "$out/wrk.txt"
after=$(sqlite3 "$out/gantry.db" "SELECT count(*) FROM collection_queue")
answered=$(sed -n 's/^requests: \([0-9]*\), not 2xx or failed: \([0-9]*\).*/\1 \2/p' "$out/wrk.txt")
read -r total bad <<<"$answered"
stored=$((after - before))
ok=$((total - bad))
# every 200 is on disk; a few more may be, whose answers were under way when wrk stopped
echo "events on disk: $stored; answered 200: $ok; per second: $((ok / ${DURATION%s}))"
if [ "$stored" -lt "$ok" ] || [ $((stored - ok)) -gt "$CONNECTIONS" ]; then
  echo "MISMATCH: $ok webhooks answered 200 but $stored events on disk" >&2
  exit 1
fi
