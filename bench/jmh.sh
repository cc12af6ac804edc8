#!/usr/bin/env bash
# JMH benchmarks of the spec parser and the predictors on the benchmark's history
# (bench/history.sh). Arguments go to JMH, e.g. bench/jmh.sh PredictorBenchmark.indexed
# or bench/jmh.sh -h. Compiled only with the jmh profile, so mvn verify never builds them.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/history.sh
mvn -B -q -Pjmh test-compile >&2
# the forks run with the launcher's JVM options, read from where they are written
java_defaults=$(sh -c '. packaging/java.sh && printf %s "$JAVA_DEFAULTS"')
exec java -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main \
  -jvmArgsAppend "$java_defaults" "$@"
