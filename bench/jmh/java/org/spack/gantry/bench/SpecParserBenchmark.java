package org.spack.gantry.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;

/** Parsing the benchmark's queries, one after the other (5% of them are invalid). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1) // with the launcher's JVM options: bench/jmh.sh passes them
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SpecParserBenchmark {
    private final SpecParser parser = new SpecParser();
    private String[] specs;
    private int next;

    @Setup
    public void load() {
        List<String> all = BenchData.specs();
        specs = all.toArray(new String[0]);
    }

    @Benchmark
    public Spec parse() {
        String text = specs[next];
        next = next + 1 == specs.length ? 0 : next + 1;
        try {
            return parser.parse(text);
        } catch (InvalidSpecException e) {
            return null;
        }
    }
}
