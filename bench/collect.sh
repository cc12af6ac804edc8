#!/usr/bin/env bash
# Collection rate: events collected (GitLab log + seven Prometheus queries + one row)
# per second, draining a queue of N events with an upstream that answers at once.
#   bench/collect.sh                    # N=20000, the default 4 workers
#   WORKERS=8 N=50000 bench/collect.sh
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

N=${N:-20000}
WORKERS=${WORKERS:-4}
out=bench/out/collect
rm -rf "$out" && mkdir -p "$out"
db=$out/gantry.db

DB_FILE=$db "$GANTRY_RUN" migrate >/dev/null
# the queue as N webhooks would have left it; each job ran for a minute
sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
  INSERT INTO collection_queue (build_id, payload, state, attempts, received_at, next_attempt_at)
  SELECT i, json_object('build_id', i, 'build_status', 'success', 'build_stage', 'stage-1',
      'build_started_at', '2024-01-24 17:24:06 UTC', 'build_finished_at', '2024-01-24 17:25:05 UTC',
      'ref', 'develop', 'runner', json_object('description', 'aws')), 'pending', 0, 0, 0 FROM n"

up_port=$(free_port)
java bench/InstantUpstream.java "$up_port" >"$out/upstream.log" 2>&1 & pids+=($!)
sleep 3
port=$(free_port)
echo "collecting $N events with GANTRY_COLLECT_WORKERS=$WORKERS"
DB_FILE=$db GANTRY_HOST=127.0.0.1 GANTRY_PORT=$port GANTRY_COLLECT_WORKERS=$WORKERS \
  PROMETHEUS_URL=http://127.0.0.1:$up_port/prometheus/api/v1 \
  GITLAB_URL=http://127.0.0.1:$up_port/gitlab/api/v4/projects/2 GITLAB_API_TOKEN=bench \
  GITLAB_WEBHOOK_TOKEN=bench-token \
  "$GANTRY_RUN" serve >"$out/gantry.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$port/healthz"
while [ "$(sqlite3 "$db" "SELECT count(*) FROM collection_queue WHERE state IN ('pending','running')")" -gt 0 ]; do
  sleep 1
done
sqlite3 -header -column "$db" "SELECT state, count(*) AS events,
    round(max(finished_at) - min(finished_at), 2) AS seconds,
    round(count(*) / (max(finished_at) - min(finished_at)), 1) AS per_second
  FROM collection_queue GROUP BY state"
echo "jobs stored: $(sqlite3 "$db" "SELECT count(*) FROM jobs")"
