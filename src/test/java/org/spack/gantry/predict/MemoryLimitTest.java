package org.spack.gantry.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.allocate.ReferenceAnswer;
import org.spack.gantry.testing.Bodies;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.TestWorkers;

/** GANTRY_MEMORY_LIMIT_FACTOR on the parity history: the reference's answer plus one key, or nothing added. */
class MemoryLimitTest {
    @TempDir
    Path dir;

    @Test
    void theLimitIsTheFactorTimesTheSamplesLargestMaxNeverBelowTheRequest() {
        JsonObject vectors = Parity.json("prediction.json");
        Path file = TestDatabases.migrated(dir);
        TestDatabases.execute(file, Parity.text(vectors.get("history_sql").getAsString()));
        // every non-default case of the parity set is answered from the five py-torch builds
        double largestMax = TestDatabases.count(file, "SELECT max(mem_max) FROM jobs WHERE ref = 'develop'");
        SpecParser parser = new SpecParser();
        try (Database db = Database.open(file, 2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            for (Predictor predictor : List.of(new ReferencePredictor(db), live.load())) {
                for (JsonElement e : vectors.getAsJsonArray("cases")) {
                    JsonObject c = e.getAsJsonObject();
                    JsonObject expected = c.getAsJsonObject("expected").getAsJsonObject("variables");
                    Prediction p = predictor.predict(parser.parse(c.get("spec").getAsString()));
                    for (double factor : new double[] {1.0, 1.15, 1.5, 0.01}) {
                        JsonObject answer = JsonParser.parseString(Bodies.of(new ReferenceAnswer(new MemoryLimit(factor)), p))
                                .getAsJsonObject().getAsJsonObject("variables");
                        assertEquals(expected.get("KUBERNETES_CPU_REQUEST"), answer.get("KUBERNETES_CPU_REQUEST"));
                        assertEquals(expected.get("KUBERNETES_MEMORY_REQUEST"), answer.get("KUBERNETES_MEMORY_REQUEST"));
                        if (p.predictor().equals("default")) {
                            assertEquals(2, answer.size(), "the default answer carries no limit");
                        } else {
                            long request = Long.parseLong(expected.get("KUBERNETES_MEMORY_REQUEST").getAsString().replace("M", ""));
                            long limit = Math.max(request, Math.round(factor * largestMax / 1e6));
                            assertEquals(limit + "M", answer.get("KUBERNETES_MEMORY_LIMIT").getAsString(),
                                    c.get("name").getAsString() + " at " + factor);
                        }
                    }
                    assertEquals(Bodies.of(p), Bodies.of(new ReferenceAnswer(MemoryLimit.NONE), p), "unset: the reference's body");
                }
            }
        }
    }
}
