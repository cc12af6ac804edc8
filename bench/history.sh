#!/usr/bin/env bash
# Writes the benchmark's history and queries into bench/out/ unless they are there
# (REGENERATE=1 writes them again): a 100,000-job SQLite database with the project's
# schema (made by gantry.run migrate) and the query list, by generate_history.py.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
DB=$OUT/history.db
QUERIES=$OUT/queries.txt
mkdir -p "$OUT"
if [ -n "${REGENERATE:-}" ] || [ ! -f "$DB" ] || [ ! -f "$QUERIES" ]; then
  [ -x target/gantry.run ] || mvn -B -q package -DskipTests >&2
  rm -f "$DB" "$DB-wal" "$DB-shm" "$QUERIES"*
  DB_FILE=$DB target/gantry.run migrate >&2
  python3 bench/generate_history.py "$DB" "$QUERIES" --jobs "${JOBS:-100000}" --packages "${PACKAGES:-2000}" >&2
fi
