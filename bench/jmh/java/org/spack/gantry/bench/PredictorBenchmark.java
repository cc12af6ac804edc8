package org.spack.gantry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;

/**
 * One allocation for each of the benchmark's queries in turn, on its 100,000-job
 * history: from the in-memory index (what serve uses), from the reference queries (up to twelve SELECTs), and parse plus index
 * (all the work of GET /v1/allocation but HTTP).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1) // with the launcher's JVM options: bench/jmh.sh passes them
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PredictorBenchmark {
    private final SpecParser parser = new SpecParser();
    private Database db;
    private LiveHistory live;
    private HistoryIndex indexed;
    private Predictor reference;
    private String[] texts;
    private Spec[] specs;
    private int next;

    @Setup(Level.Trial)
    public void open() {
        db = Database.open(BenchData.history(), 4);
        reference = new ReferencePredictor(db);
        live = new LiveHistory(db);
        indexed = live.load();
        List<String> valid = new ArrayList<>();
        List<Spec> parsed = new ArrayList<>();
        for (String text : BenchData.specs()) {
            try {
                parsed.add(parser.parse(text));
                valid.add(text);
            } catch (InvalidSpecException e) {
                // not a question for the predictor
            }
        }
        texts = valid.toArray(new String[0]);
        specs = parsed.toArray(new Spec[0]);
    }

    @TearDown(Level.Trial)
    public void close() {
        live.close();
        db.close();
    }

    private int advance() {
        int i = next;
        next = i + 1 == specs.length ? 0 : i + 1;
        return i;
    }

    private static Prediction predict(Predictor p, Spec spec) {
        try {
            return p.predict(spec);
        } catch (InvalidSpecException e) {
            return null;
        }
    }

    @Benchmark
    public Prediction indexed() {
        return predict(indexed, specs[advance()]);
    }

    @Benchmark
    public Prediction reference() {
        return predict(reference, specs[advance()]);
    }

    @Benchmark
    public Prediction parseAndIndexed() {
        try {
            return indexed.predict(parser.parse(texts[advance()]));
        } catch (InvalidSpecException e) {
            return null;
        }
    }
}
