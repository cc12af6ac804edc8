package org.spack.gantry.bench;

import java.util.Map;
import java.util.TreeMap;
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
 * Every query of the benchmark asked of the in-memory index and of the reference
 * queries on the benchmark's history: the answers must be identical to the last bit
 * (the differential test does the same on generated histories). Exits 1 on the first
 * difference. Run by bench/check.sh.
 */
public final class AnswersMatch {
    private AnswersMatch() {}

    private static Object outcome(Predictor p, Spec spec) {
        try {
            return p.predict(spec);
        } catch (InvalidSpecException e) {
            return "invalid spec";
        }
    }

    public static void main(String[] args) {
        SpecParser parser = new SpecParser();
        Map<String, Integer> byPredictor = new TreeMap<>();
        int compared = 0;
        try (Database db = Database.open(BenchData.history(), 2); LiveHistory live = new LiveHistory(db)) {
            Predictor reference = new ReferencePredictor(db);
            HistoryIndex indexed = live.load();
            for (String text : BenchData.specs()) {
                Spec spec;
                try {
                    spec = parser.parse(text);
                } catch (InvalidSpecException e) {
                    byPredictor.merge("unparsable", 1, Integer::sum);
                    continue;
                }
                Object expected = outcome(reference, spec);
                Object actual = outcome(indexed, spec);
                if (!expected.equals(actual)) {
                    System.err.println("differs: " + text + "\n  reference: " + expected + "\n  index:     " + actual);
                    System.exit(1);
                }
                compared++;
                byPredictor.merge(expected instanceof Prediction p ? p.predictor() : (String) expected, 1, Integer::sum);
            }
        }
        System.out.println(compared + " queries answered identically by the index and the reference queries: " + byPredictor);
    }
}
