#!/usr/bin/env bash
# What reconciliation costs GitLab at Spack's rate (issue 18): requests, bytes and seconds
# per run, of an earlier build (BEFORE) and of this tree's, side by side in one run, against
# the same GitLab stand-in (src/test/java/.../testing/SpackCiGitLab.java): 600 jobs an hour,
# 60 hours of them before the start and more in real time, 100 a page, keyset Link headers.
# Each server runs alone on a fresh database, with only GITLAB_URL and GITLAB_API_TOKEN set
# (reconciliation without collection), every INTERVAL seconds, for DURATION seconds.
#   bench/reconcile.sh                          # BEFORE: the commit before the frontier (V5) came
#   BEFORE=8b514e7 DURATION=300 bench/reconcile.sh
#   BEFORE_RUN=/path/to/old/gantry.run bench/reconcile.sh
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

DURATION=${DURATION:-240}
INTERVAL=${INTERVAL:-30}
out=bench/out/reconcile
rm -rf "$out" && mkdir -p "$out"
mvn -B -q test-compile

if [ -z "${BEFORE_RUN:-}" ]; then
  BEFORE=${BEFORE:-$(git log --format=%H --diff-filter=A -- migrations/V5__reconcile_frontier.sql | tail -1)^}
  tree=$(mktemp -d)
  git worktree add --detach "$tree" "$BEFORE" >/dev/null
  (cd "$tree" && mvn -B -q package -DskipTests >/dev/null)
  cp "$tree/target/gantry.run" "$out/before.run"
  git worktree remove --force "$tree"
  BEFORE_RUN=$out/before.run
  echo "before: $(git rev-parse --short "$BEFORE")"
fi
echo "after:  $(git rev-parse --short HEAD) (this tree)"

port=$(free_port)
java -cp target/test-classes org.spack.gantry.testing.SpackCiGitLab "$port" "$out/requests.log" 60 5 10 \
  >"$out/gitlab.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do grep -q "GitLab at Spack" "$out/gitlab.log" && break; sleep 0.1; done

measure() { # NAME ARCHIVE
  local db=$out/$1.db gport
  DB_FILE=$db "$2" migrate >/dev/null
  gport=$(free_port)
  echo "$(date +%s%3N) start $1" >>"$out/phases.log"
  DB_FILE=$db GANTRY_HOST=127.0.0.1 GANTRY_PORT=$gport GANTRY_RECONCILE_INTERVAL_SECONDS=$INTERVAL \
    GITLAB_URL=http://127.0.0.1:$port/api/v4/projects/2 GITLAB_API_TOKEN=glpat-scale \
    "$2" serve >"$out/$1.log" 2>&1 &
  local server=$!
  pids+=($server)
  sleep "$DURATION"
  curl -s "http://127.0.0.1:$gport/healthz" >"$out/$1.healthz" || true
  curl -s "http://127.0.0.1:$gport/metrics" | grep '^gantry_reconcile' >"$out/$1.metrics" || true
  kill "$server"; wait "$server" 2>/dev/null || true
  echo "$(date +%s%3N) stop $1" >>"$out/phases.log"
}
echo "each for ${DURATION} s, a run every ${INTERVAL} s"
measure before "$BEFORE_RUN"
measure after "$GANTRY_RUN"

python3 - "$out" <<'EOF' | tee "$out/summary.md"
import sys
out = sys.argv[1]
phases = {}
for line in open(f"{out}/phases.log"):
    t, what, name = line.split()
    phases.setdefault(name, {})[what] = int(t)
requests = [l.split(" ", 3) for l in open(f"{out}/requests.log")]
print("| build | run | requests | MB read | seconds |")
print("| --- | --- | ---: | ---: | ---: |")
for name in ("before", "after"):
    p = phases[name]
    mine = [(int(t), int(b)) for t, status, b, what in requests if p["start"] <= int(t) <= p["stop"]]
    runs, current = [], []
    for t, b in mine:
        # a run's requests follow each other; runs are INTERVAL seconds apart
        if current and t - current[-1][0] > 5000:
            runs.append(current)
            current = []
        current.append((t, b))
    if current:
        runs.append(current)
    rows = [(len(r), sum(b for _, b in r) / 1e6, (r[-1][0] - r[0][0]) / 1000) for r in runs]
    if not rows:
        continue
    print(f"| {name} | first | {rows[0][0]} | {rows[0][1]:.1f} | {rows[0][2]:.1f} |")
    steady = rows[1:-1] if len(rows) > 2 else rows[1:]  # the last may be cut by the stop
    if steady:
        n = len(steady)
        print(f"| {name} | steady (mean of {n}) | {sum(r[0] for r in steady) / n:.1f} | {sum(r[1] for r in steady) / n:.2f}"
              f" | {sum(r[2] for r in steady) / n:.2f} |")
        print(f"| {name} | steady (largest) | {max(r[0] for r in steady)} | {max(r[1] for r in steady):.2f}"
              f" | {max(r[2] for r in steady):.2f} |")
EOF
