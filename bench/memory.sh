#!/usr/bin/env bash
# Where serve's memory goes (bench/RESULTS.md, "Memory"): serve on the benchmark history
# (bench/history.sh) with Native Memory Tracking, the load of bench/run.sh (repeated and
# unique specs at 32 connections, then batches of 1,000 and 10,000 specs at 4), then its
# peak and current resident memory and `jcmd PID VM.native_memory summary`.
#   bench/memory.sh [JVM OPTION...]     added to JAVA_OPTS after -XX:NativeMemoryTracking=summary
# RUNNER=DIR/bin/gantry measures an unpacked release (default target/gantry.run);
# DURATION (default 20s) per load. The summary goes to bench/out/nmt-LABEL.txt (LABEL, default "serve").
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
URL=http://127.0.0.1:$PORT
RUNNER=${RUNNER:-target/gantry.run}
DURATION=${DURATION:-20s}
LABEL=${LABEL:-serve}
OUT=bench/out
for tool in java jcmd wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench/memory.sh: $tool is not installed" >&2; exit 1; }
done
bench/history.sh
export JAVA_OPTS="-XX:NativeMemoryTracking=summary $*"
env DB_FILE="$OUT/history.db" GANTRY_PORT="$PORT" GANTRY_HOST=127.0.0.1 "$RUNNER" serve >"$OUT/memory-server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  curl -sf -o /dev/null "$URL/healthz" && grep -q 'history index loaded' "$OUT/memory-server.log" && break
  kill -0 "$PID" 2>/dev/null || { cat "$OUT/memory-server.log" >&2; exit 1; }
  sleep 0.1
done
# the launcher execs java: the process started is the JVM
for script in cycle unique; do
  wrk -t2 -c32 -d"$DURATION" -s "bench/$script.lua" "$URL" -- "$OUT/queries.txt" | awk -v s="$script" '/Requests\/sec/ { print s, $2, "requests/s" }'
done
for n in 1000 10000; do
  wrk -t2 -c4 -d"$DURATION" -s bench/batch.lua "$URL" -- "$OUT/queries.txt.batch-$n.json" | awk -v n="$n" '/Requests\/sec/ { print "batch", n, $2, "requests/s" }'
done
echo "$LABEL ($RUNNER, JAVA_OPTS=$JAVA_OPTS): peak RSS $(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$PID/status") MiB, RSS now $(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$PID/status") MiB, $(ls "/proc/$PID/task" | wc -l) threads"
# what is resident, by mapping: the heap (one anonymous range of -Xmx), the class data archives,
# libjvm and the other files, and the rest of the anonymous memory (malloc, metaspace, code, stacks)
pmap -x "$PID" | awk -v heap_kb="$(jcmd "$PID" VM.flags | tr ' ' '\n' | awk -F= '/MaxHeapSize/ { print int($2 / 1024) }')" '
  $1 ~ /^[0-9a-f]+$/ && NF >= 6 {
    if ($2 == heap_kb) kind = "java heap (-Xmx)"
    else if ($6 == "[") kind = "anonymous (malloc, metaspace, code cache, stacks)"
    else if ($6 ~ /\.jsa$/) kind = "class data archives (.jsa)"
    else if ($6 ~ /libjvm/) kind = "libjvm.so"
    else kind = "other files (libraries, jars)"
    rss[kind] += $3
  }
  END { for (k in rss) printf "  resident %-52s %6.1f MiB\n", k, rss[k] / 1024 }' | sort
jcmd "$PID" VM.native_memory summary scale=KB >"$OUT/nmt-$LABEL.txt"
grep -E '^Total|^-' "$OUT/nmt-$LABEL.txt" | sed 's/^-  */  /'
