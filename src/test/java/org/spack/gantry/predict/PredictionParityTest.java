package org.spack.gantry.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.spec.PythonJson;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.testing.Bodies;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestEngine;
import org.spack.gantry.testing.TestWorkers;

class PredictionParityTest {
    @TempDir
    Path dir;

    private final SpecParser parser = new SpecParser();

    /** The reference queries and the in-memory index, loaded from the same file: both must give the reference's answers. */
    private static List<Predictor> predictors(Database db) {
        try (LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            return List.of(new ReferencePredictor(db), live.load());
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void everyParityCaseGivesTheReferenceAnswerByteForByte(TestEngine engine) {
        JsonObject vectors = Parity.json("prediction.json");
        TestEngine.TestDatabase history = engine.migrated(dir);
        history.execute(Parity.text(vectors.get("history_sql").getAsString()));
        try (Database db = history.open(2)) {
            for (Predictor predictor : predictors(db)) {
                for (JsonElement e : vectors.getAsJsonArray("cases")) {
                    JsonObject c = e.getAsJsonObject();
                    String expected = pythonJson(c.getAsJsonObject("expected"));
                    String actual = Bodies.of(predictor.predict(parser.parse(c.get("spec").getAsString())));
                    assertEquals(expected, actual, predictor.getClass().getSimpleName() + ": " + c.get("name").getAsString());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void emptyHistoryGivesTheDefaults(TestEngine engine) {
        JsonObject vectors = Parity.json("prediction.json");
        try (Database db = engine.migrated(dir).open(1)) {
            for (Predictor predictor : predictors(db)) {
                for (JsonElement e : vectors.getAsJsonArray("cases")) {
                    Prediction p = predictor.predict(parser.parse(e.getAsJsonObject().get("spec").getAsString()));
                    assertEquals(pythonJson(vectors.getAsJsonObject("empty_history_expected")), Bodies.of(p));
                    assertEquals("default", p.predictor());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void exactMatchComesFromTheFirstPredictor(TestEngine engine) {
        JsonObject vectors = Parity.json("prediction.json");
        TestEngine.TestDatabase history = engine.migrated(dir);
        history.execute(Parity.text("insert_samples.sql"));
        try (Database db = history.open(1)) {
            var cases = vectors.getAsJsonArray("cases");
            for (Predictor predictor : predictors(db)) {
                assertEquals("exact:1", predictor.predict(parser.parse(spec(cases, 0))).predictor());
                assertEquals("expensive:1", predictor.predict(parser.parse(spec(cases, 1))).predictor());
                assertEquals("exact:5", predictor.predict(parser.parse(spec(cases, 3))).predictor());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void anExpensiveVariantThatIsNotTrueOrFalseRequiresItsAbsence(TestEngine engine) {
        // as prediction.py at eaa0f3a: only a bool (or int) compares; a string or list is "IS NULL"
        TestEngine.TestDatabase history = engine.migrated(dir);
        history.execute(Parity.text("insert_samples.sql"));
        try (Database db = history.open(1)) {
            for (String spec : new String[] {"x@1 cuda=a,b arch=x%gcc@1", "x@1 mpi=none arch=x%gcc@1",
                "x@1 mpi=1 arch=x%gcc@1"}) {
                List<Predictor> both = predictors(db);
                assertEquals(both.get(0).predict(parser.parse(spec)), both.get(1).predict(parser.parse(spec)), spec);
            }
            String cases = Parity.json("prediction.json").getAsJsonArray("cases").get(1).getAsJsonObject()
                    .get("spec").getAsString();
            for (Predictor predictor : predictors(db)) {
                // the expensive-variant sample of the second case, whatever value its hdf5 is given
                String withHdf5 = cases.replace(" arch=", " hdf5=none arch=");
                assertEquals(Bodies.of(predictor.predict(parser.parse(cases))), Bodies.of(predictor.predict(parser.parse(withHdf5))));
            }
        }
    }

    @Test
    void roundsHalfToEvenAndAppliesTheFloors() {
        assertEquals(2, new Prediction(1, 2_500_000, "t", 0).megabytes());
        assertEquals(4, new Prediction(1, 3_500_000, "t", 0).megabytes());
        assertEquals(1000, Prediction.fromMeans(0.19, 20_000_000, "t", 0).millicores());
        assertEquals(200, Prediction.fromMeans(0.2, 20_000_000, "t", 0).millicores());
        assertEquals(2000, Prediction.fromMeans(1, 9_999_999, "t", 0).megabytes());
        assertEquals(10, Prediction.fromMeans(1, 10_000_000, "t", 0).megabytes());
        assertEquals(12, new Prediction(0.0125, 1, "t", 0).millicores());
    }

    private static String spec(com.google.gson.JsonArray cases, int i) {
        return cases.get(i).getAsJsonObject().get("spec").getAsString();
    }

    /** The expected answer written as the reference's json.dumps writes it. */
    private static String pythonJson(JsonObject expected) {
        var vars = new java.util.LinkedHashMap<String, Object>();
        expected.getAsJsonObject("variables").entrySet().forEach(en -> vars.put(en.getKey(), en.getValue().getAsString()));
        return PythonJson.dumps(java.util.Map.of("variables", vars));
    }
}
