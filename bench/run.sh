#!/usr/bin/env bash
# The allocation benchmark (bench/RESULTS.md, section "Allocation"). In one run:
#   1. builds target/gantry.run (SKIP_BUILD=1 to reuse it);
#   2. writes a 100,000-job history and its query list into bench/out/ (kept between
#      runs; REGENERATE=1 to write them again);
#   3. ROUNDS times: the constant-body ceiling (gantry.run bench-ceiling), then
#      gantry.run serve on the history, each warmed up and measured with wrk at 32
#      connections cycling through the queries, as they are (repeated specs) and each
#      made unique (no answer cache); the ratio of the two;
#   4. the batch endpoint, POST /v1/allocations, with 1,000 and 10,000 specs;
#   5. peak resident memory of serve after all that load;
#   6. time to healthy of serve (from the archive, and from the unpacked release with its
#      class data archive) against bench-ceiling, STARTS alternating runs each;
#   7. (PARTS=postgresql) serve on the history copied into a throw-away PostgreSQL against
#      serve on the SQLite file, ROUNDS alternating runs of each kind of load; the ratio.
# PARTS="throughput batch startup" chooses steps 3 to 6 (memory is measured with batch);
# step 7 needs Debian's postgresql package and runs only when named.
# Servers run with the launcher's default JVM options (JAVA_OPTS is unset).
# Needs java 17, maven, python3, wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=bench/out
ARCHIVE=${ARCHIVE:-target/gantry.run}
PORT=${PORT:-18080}
ROUNDS=${ROUNDS:-3}
STARTS=${STARTS:-7}
WARMUP=${WARMUP:-10s}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
JOBS=${JOBS:-100000}
PACKAGES=${PACKAGES:-2000}
PARTS=${PARTS:-throughput batch startup}
URL=http://127.0.0.1:$PORT
unset JAVA_OPTS

for tool in java python3 wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$OUT"
SUMMARY=$OUT/summary.md
: >"$SUMMARY"
say() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "building $ARCHIVE" >&2
  mvn -B -q package -DskipTests >&2
fi

DB=$OUT/history.db
QUERIES=$OUT/queries.txt
JOBS=$JOBS PACKAGES=$PACKAGES bench/history.sh

PID=
stop() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=
  fi
}
trap stop EXIT

# starts a server in the background and waits until URL answers 200 (and, if given, a log line)
start() {
  local health=$1 line=$2
  shift 2
  "$@" >"$OUT/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 600); do
    if curl -sf -o /dev/null "$URL$health" && { [ -z "$line" ] || grep -q "$line" "$OUT/server.log"; }; then
      return 0
    fi
    kill -0 "$PID" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench/run.sh: server not ready: $*" >&2
  exit 1
}

# wrk at $CONNECTIONS connections; prints "requests/s p50 p99 (ms) non-2xx" of the measured run
measure() {
  local script=$1 arg=$2 connections=$3 out
  wrk -t"$WRK_THREADS" -c"$connections" -d"$WARMUP" -s "$script" "$URL" -- "$arg" >/dev/null
  out=$(wrk -t"$WRK_THREADS" -c"$connections" -d"$DURATION" --latency -s "$script" "$URL" -- "$arg")
  echo "$out" >>"$OUT/wrk.log"
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { non2xx = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, non2xx }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$OUT/wrk.log"
say "## Run of $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say ""
say "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); shared with wrk"
say "- java: $(java -version 2>&1 | head -n 1); wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}')"
say "- history: $(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select count(*), sum(ref=\"develop\"), count(distinct pkg_name) from jobs').fetchone())" "$DB") (jobs, develop, packages); $(wc -l <"$QUERIES") queries"
say "- load: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency (after $WARMUP of warm-up), bench/cycle.lua or bench/unique.lua over the queries"
say ""
part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

if part throughput || part batch; then
say "Each round measures, one after the other, bench-ceiling and serve with the queries as a pipeline repeats them"
say "(bench/cycle.lua: from the second time on, answers come from the answer cache) and with every spec made unique"
say "(bench/unique.lua: parsed and predicted every time)."
say ""
say "| round | queries | ceiling req/s | ceiling p99 ms | gantry req/s | gantry p50 ms | gantry p99 ms | gantry non-2xx | ratio |"
say "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
repeated=()
unique=()
for round in $(seq "$ROUNDS"); do
  for script in cycle unique; do
    start / "" "$ARCHIVE" bench-ceiling --port "$PORT"
    read -r c_rps _ c_p99 _ < <(measure "bench/$script.lua" "$QUERIES" "$CONNECTIONS")
    stop
    start /healthz "history index loaded" env DB_FILE="$DB" GANTRY_PORT="$PORT" GANTRY_HOST=127.0.0.1 "$ARCHIVE" serve
    read -r g_rps g_p50 g_p99 g_non2xx < <(measure "bench/$script.lua" "$QUERIES" "$CONNECTIONS")
    ratio=$(awk -v g="$g_rps" -v c="$c_rps" 'BEGIN { printf "%.2f", g / c }')
    if [ "$script" = cycle ]; then repeated+=("$ratio"); label=repeated; else unique+=("$ratio"); label=unique; fi
    say "| $round | $label | $c_rps | $c_p99 | $g_rps | $g_p50 | $g_p99 | $g_non2xx | $ratio |"
    # the last serve stays up for the batch endpoint and the memory figure
    if [ "$round" != "$ROUNDS" ] || [ "$script" != unique ]; then stop; fi
  done
done
say ""
say "median ratio: repeated $(printf '%s\n' "${repeated[@]}" | median), unique $(printf '%s\n' "${unique[@]}" | median)"
say ""
fi

# the last serve is still up (after both kinds of load): the batch endpoint, then its peak memory
if part batch; then
say "| batch | connections | requests/s | specs/s | p50 ms | p99 ms |"
say "| --- | --- | --- | --- | --- | --- |"
for n in 1000 10000; do
  read -r b_rps b_p50 b_p99 _ < <(measure bench/batch.lua "$QUERIES.batch-$n.json" 4)
  say "| $n specs | 4 | $b_rps | $(awk -v r="$b_rps" -v n="$n" 'BEGIN { printf "%.0f", r * n }') | $b_p50 | $b_p99 |"
done
say ""
rss_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$PID/status")
say "peak RSS of serve after all of the above: $((rss_kib / 1024)) MiB (VmHWM; default JVM options of the launcher)"
say ""
fi
stop

if part startup; then
# the release as systemd runs it: unpacked, which makes its class data archive (lib/gantry.jsa)
RELEASE=$OUT/release
rm -rf "$RELEASE"
"$ARCHIVE" -d "$RELEASE" >&2
[ -f "$RELEASE/lib/gantry.jsa" ] || echo "bench/run.sh: warning: the release has no class data archive" >&2
# start-up, alternating, so that all see the same machine: bench-ceiling from the archive (the
# baseline, as before), serve from the archive (no class data archive), serve from the release
# (bin/gantry, with it), and bench-ceiling from the release (it uses the archive too)
ceil_ms=() ceil_cpu=() run_ms=() run_cpu=() rel_ms=() rel_cpu=() index_ms=() relceil_ms=() relceil_cpu=()
serve_env=(env DB_FILE="$DB" GANTRY_PORT="$PORT" GANTRY_HOST=127.0.0.1)
for _ in $(seq "$STARTS"); do
  read -r a b < <(python3 bench/startup.py "$URL/" "$ARCHIVE" bench-ceiling --port "$PORT")
  ceil_ms+=("$a") ceil_cpu+=("$b")
  read -r a _ b < <(python3 bench/startup.py --log-line "history index loaded" "$URL/healthz" "${serve_env[@]}" "$ARCHIVE" serve)
  run_ms+=("$a") run_cpu+=("$b")
  read -r a i b < <(python3 bench/startup.py --log-line "history index loaded" "$URL/healthz" "${serve_env[@]}" "$RELEASE/bin/gantry" serve)
  rel_ms+=("$a") rel_cpu+=("$b") index_ms+=("$i")
  read -r a b < <(python3 bench/startup.py "$URL/" "$RELEASE/bin/gantry" bench-ceiling --port "$PORT")
  relceil_ms+=("$a") relceil_cpu+=("$b")
done
c=$(printf '%s\n' "${ceil_ms[@]}" | median)
cc=$(printf '%s\n' "${ceil_cpu[@]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
say "Start to healthy, median of $STARTS alternating starts each (wall ms, then the CPU ms the process had used by then):"
say ""
say "| started as | wall ms | wall runs | ratio to the baseline | CPU ms | CPU runs | CPU ratio |"
say "| --- | --- | --- | --- | --- | --- | --- |"
row() {
  local label=$1 ms=$2 cpu=$3 m p
  m=$(printf '%s\n' $ms | median)
  p=$(printf '%s\n' $cpu | median)
  say "| $label | $m | $ms | $(ratio "$m" "$c") | $p | $cpu | $(ratio "$p" "$cc") |"
}
row "bench-ceiling, gantry.run (baseline: bare Undertow)" "${ceil_ms[*]}" "${ceil_cpu[*]}"
row "serve, gantry.run (no class data archive)" "${run_ms[*]}" "${run_cpu[*]}"
row "serve, release bin/gantry (class data archive)" "${rel_ms[*]}" "${rel_cpu[*]}"
row "bench-ceiling, release bin/gantry (class data archive)" "${relceil_ms[*]}" "${relceil_cpu[*]}"
say ""
say "history index loaded (serve from the release answering from memory), median: $(printf '%s\n' "${index_ms[@]}" | median) ms after spawn (runs: ${index_ms[*]})"
fi
if part postgresql; then
# the same history in PostgreSQL (gantry copy), then both engines under the same load, alternating
PG_DIR=$(mktemp -d /tmp/gantry-bench-pg.XXXXXX)
chmod 755 "$PG_DIR"
PG_PORT=$((PORT + 1))
echo "bench-password" >"$PG_DIR/password"
bench/postgres.sh start "$PG_DIR" "$PG_PORT" "$PG_DIR/password"
trap 'stop; bench/postgres.sh stop "$PG_DIR"' EXIT
PG_ENV=(GANTRY_DATABASE_URL="postgresql://gantry@127.0.0.1:$PG_PORT/gantry" GANTRY_DATABASE_PASSWORD_FILE="$PG_DIR/password")
env "${PG_ENV[@]}" "$ARCHIVE" copy --from "$DB" >"$OUT/copy.log"
say "PostgreSQL: the history copied with gantry copy ($(tail -n 1 "$OUT/copy.log" | sed 's/.*compared every row: //')); serve on it against serve on the SQLite file, alternating:"
say ""
say "| round | queries | sqlite req/s | sqlite p99 ms | postgresql req/s | postgresql p99 ms | postgresql non-2xx | ratio |"
say "| --- | --- | --- | --- | --- | --- | --- | --- |"
pg_repeated=()
pg_unique=()
for round in $(seq "$ROUNDS"); do
  for script in cycle unique; do
    start /healthz "history index loaded" env DB_FILE="$DB" GANTRY_PORT="$PORT" GANTRY_HOST=127.0.0.1 "$ARCHIVE" serve
    read -r s_rps _ s_p99 _ < <(measure "bench/$script.lua" "$QUERIES" "$CONNECTIONS")
    stop
    start /healthz "history index loaded" env "${PG_ENV[@]}" GANTRY_PORT="$PORT" GANTRY_HOST=127.0.0.1 "$ARCHIVE" serve
    read -r p_rps _ p_p99 p_non2xx < <(measure "bench/$script.lua" "$QUERIES" "$CONNECTIONS")
    stop
    ratio=$(awk -v p="$p_rps" -v s="$s_rps" 'BEGIN { printf "%.2f", p / s }')
    if [ "$script" = cycle ]; then pg_repeated+=("$ratio"); label=repeated; else pg_unique+=("$ratio"); label=unique; fi
    say "| $round | $label | $s_rps | $s_p99 | $p_rps | $p_p99 | $p_non2xx | $ratio |"
  done
done
say ""
say "median ratio postgresql / sqlite: repeated $(printf '%s\n' "${pg_repeated[@]}" | median), unique $(printf '%s\n' "${pg_unique[@]}" | median)"
say ""
fi
echo >&2
echo "summary in $SUMMARY, wrk output in $OUT/wrk.log" >&2
