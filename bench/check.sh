#!/usr/bin/env bash
# Asks every benchmark query of the in-memory index and of the reference queries, on the
# benchmark's history (bench/history.sh), and fails on the first answer that differs.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/history.sh
mvn -B -q -Pjmh test-compile >&2
exec java -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" org.spack.gantry.bench.AnswersMatch
