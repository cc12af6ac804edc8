#!/usr/bin/env bash
# JMH benchmarks of the spec parser and the predictors on the benchmark's history
# (bench/history.sh). Arguments go to JMH, e.g. bench/jmh.sh PredictorBenchmark.indexed
# or bench/jmh.sh -h. Compiled only with the jmh profile, so mvn verify never builds them.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/history.sh
mvn -B -q -Pjmh test-compile >&2
exec java -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main "$@"
