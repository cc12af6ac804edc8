package org.spack.gantry.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseException;
import org.spack.gantry.testing.GeneratedHistory;
import org.spack.gantry.testing.TestDatabases;

/**
 * The in-memory predictor against the reference queries, on every query of a
 * generated history: the same cores and bytes to the last bit (so the same rows,
 * summed in the same order), the same predictor, the same refusals.
 */
class IndexedPredictorDifferentialTest {
    @TempDir
    Path dir;

    private final SpecParser parser = new SpecParser();

    /** What a predictor did with a spec: its answer, or the kind of failure. */
    private static Object outcome(Predictor p, Spec spec) {
        try {
            return p.predict(spec);
        } catch (InvalidSpecException e) {
            return "invalid spec";
        } catch (DatabaseException e) {
            return "database error";
        }
    }

    /** Compares both on every query; returns how many answers each predictor gave. */
    private Map<String, Integer> compareAll(IndexedPredictor fast, Predictor oracle, List<String> queries) {
        Map<String, Integer> by = new TreeMap<>();
        for (String q : queries) {
            Spec spec;
            try {
                spec = parser.parse(q);
            } catch (InvalidSpecException e) {
                continue;
            }
            Object expected = outcome(oracle, spec);
            Object actual = outcome(fast, spec);
            assertEquals(expected, actual, q);
            by.merge(expected instanceof Prediction p ? p.predictor() : (String) expected, 1, Integer::sum);
        }
        return by;
    }

    @Test
    void answersEveryQueryOfAGeneratedHistoryAsTheReferenceQueries() throws Exception {
        GeneratedHistory history = GeneratedHistory.random(6, 60, 3000);
        Path file = TestDatabases.migrated(dir);
        try (Connection c = Database.open(file, false)) {
            GeneratedHistory.insert(c, history.jobs());
        }
        try (Database db = Database.open(file, 2); IndexedPredictor fast = new IndexedPredictor(db, new ReferencePredictor(db))) {
            Predictor oracle = new ReferencePredictor(db);
            assertNull(db.read(QueryPlans::mismatch));
            assertTrue(fast.load());
            List<String> queries = history.queries(7);
            Map<String, Integer> by = compareAll(fast, oracle, queries);

            // the history reaches every predictor, both kinds of sample, the defaults and the refusals
            for (int i = 1; i <= 6; i++) {
                assertTrue(by.getOrDefault("exact:" + i, 0) > 0, "exact:" + i + " never answered: " + by);
                assertTrue(by.getOrDefault("expensive:" + i, 0) > 0, "expensive:" + i + " never answered: " + by);
            }
            assertTrue(by.getOrDefault("default", 0) > 0, by.toString());
            assertTrue(by.getOrDefault("invalid spec", 0) > 0, by.toString());
            assertTrue(by.getOrDefault("database error", 0) > 0, by.toString());

            // and the answers came from memory, except for the package the index cannot model
            int fromMemory = 0;
            for (String q : queries) {
                Spec spec = parseOrNull(q);
                if (spec == null || spec.pkgName().equals("not-json")) continue;
                try {
                    assertNotNull(fast.fromIndex(spec), q);
                    fromMemory++;
                } catch (InvalidSpecException expected) {
                    // refused from memory, as the reference refuses it
                }
            }
            assertTrue(fromMemory > queries.size() / 2);
            assertNull(fast.fromIndex(parser.parse("not-json@3.0 +mpi arch=x%gcc@11.4.0")));
        }
    }

    @Test
    void tiesAreBrokenAsSqliteBreaksThem() throws Exception {
        // a package of identical builds that finished in the same second: only tie order picks the sample
        GeneratedHistory history = GeneratedHistory.random(11, 3, 50);
        Path file = TestDatabases.migrated(dir);
        try (Connection c = Database.open(file, false)) {
            GeneratedHistory.insert(c, history.jobs());
        }
        try (Database db = Database.open(file, 2); IndexedPredictor fast = new IndexedPredictor(db, new ReferencePredictor(db))) {
            fast.load();
            Predictor oracle = new ReferencePredictor(db);
            for (String version : new String[] {"1.0", "1.\uE000", "1.\uD83D\uDE00", "7"}) {
                for (String compiler : new String[] {"gcc@11.4.0", "clang@16.0.6", "gcc@0"}) {
                    for (String variants : new String[] {"+cuda~shared", "+cuda+shared", "+cuda", "~cuda", "+shared"}) {
                        Spec spec = parser.parse("tied@" + version + " " + variants + " arch=x%" + compiler);
                        assertEquals(outcome(oracle, spec), outcome(fast, spec), spec.toString());
                    }
                }
            }
            Prediction exact = fast.predict(parser.parse("tied@1.0 +cuda~shared arch=x%gcc@11.4.0"));
            assertEquals("exact:1", exact.predictor());
        }
    }

    @Test
    void followsJobsStoredAfterLoadingByThisProcessOrAnother() throws Exception {
        GeneratedHistory history = GeneratedHistory.random(21, 30, 1500);
        List<GeneratedHistory.Job> jobs = history.jobs();
        Path file = TestDatabases.migrated(dir);
        try (Database db = Database.open(file, 2); IndexedPredictor fast = new IndexedPredictor(db, new ReferencePredictor(db));
                Connection other = Database.open(file, false)) {
            Predictor oracle = new ReferencePredictor(db);
            fast.load(); // empty
            List<String> queries = history.queries(8).subList(0, 600);
            int step = jobs.size() / 4;
            for (int from = 0; from < jobs.size(); from += step) {
                List<GeneratedHistory.Job> part = jobs.subList(from, Math.min(jobs.size(), from + step));
                if ((from / step) % 2 == 0) {
                    // through the service's own writer, as the collection workers store jobs
                    db.write(c -> {
                        GeneratedHistory.insert(c, part);
                        return null;
                    });
                } else {
                    // through another connection, as another process would
                    GeneratedHistory.insert(other, part);
                }
                compareAll(fast, oracle, queries);
            }
            // one job more makes a sample of four from three, on the very next request
            Spec spec = parser.parse("fresh@1.0 +mpi arch=x%gcc@11.4.0");
            for (int i = 0; i < 4; i++) {
                assertEquals("default", fast.predict(spec).predictor());
                GeneratedHistory.insert(other, List.of(new GeneratedHistory.Job("develop", "fresh", "1.0",
                        Map.of("mpi", true), "{\"mpi\": true}", "gcc", "11.4.0", 1_800_000_000L + i, 2.0, 3e9)));
            }
            assertEquals(new Prediction(2.0, 3e9, "exact:1"), fast.predict(spec));
            assertEquals(oracle.predict(spec), fast.predict(spec));
        }
    }

    @Test
    void anEmptyHistoryGivesTheDefaultsAndStillRefusesBadExpensiveVariants() {
        Path file = TestDatabases.migrated(dir);
        try (Database db = Database.open(file, 1); IndexedPredictor fast = new IndexedPredictor(db, new ReferencePredictor(db))) {
            fast.load();
            assertEquals(Prediction.defaults(), fast.predict(parser.parse("x@1 +mpi arch=x%gcc@1")));
            assertEquals(Prediction.defaults(), fast.fromIndex(parser.parse("x@1 mpi=1 arch=x%gcc@1")));
            org.junit.jupiter.api.Assertions.assertThrows(InvalidSpecException.class,
                    () -> fast.fromIndex(parser.parse("x@1 cuda=a,b arch=x%gcc@1")));
        }
    }

    @Test
    void textSqliteWouldStoreDifferentlyGoesToTheReferenceQueries() {
        Path file = TestDatabases.migrated(dir);
        try (Database db = Database.open(file, 1); IndexedPredictor fast = new IndexedPredictor(db, new ReferencePredictor(db))) {
            fast.load();
            assertNull(fast.fromIndex(parser.parse("x\uD800y@1 +mpi arch=x%gcc@1")));
            assertNotNull(fast.fromIndex(parser.parse("x\uD83D\uDE00y@1 +mpi arch=x%gcc@1")));
            assertEquals(Prediction.defaults(), fast.predict(parser.parse("x\uD800y@1 +mpi arch=x%gcc@1")));
        }
    }

    @Test
    void beforeLoadingEveryAnswerComesFromTheReferenceQueries() {
        Path file = TestDatabases.migrated(dir);
        try (Database db = Database.open(file, 1); IndexedPredictor fast = new IndexedPredictor(db, new ReferencePredictor(db))) {
            Spec spec = parser.parse("x@1 +mpi arch=x%gcc@1");
            assertNull(fast.predictWithoutBlocking(spec));
            assertEquals(Prediction.defaults(), fast.predict(spec));
            fast.load();
            assertEquals(Prediction.defaults(), fast.predictWithoutBlocking(spec));
        }
    }

    @Test
    void anIndexThatChangesSqlitesPlanKeepsTheReferenceQueriesAnswering() throws Exception {
        GeneratedHistory history = GeneratedHistory.random(31, 10, 300);
        Path file = TestDatabases.migrated(dir);
        try (Connection c = Database.open(file, false)) {
            GeneratedHistory.insert(c, history.jobs());
        }
        // a later migration could add such an index; SQLite then takes rows in another order
        TestDatabases.execute(file, "CREATE INDEX newest ON jobs(pkg_name, end)");
        try (Database db = Database.open(file, 2); IndexedPredictor fast = new IndexedPredictor(db, new ReferencePredictor(db))) {
            assertTrue(db.read(QueryPlans::mismatch).contains("predictor"), db.read(QueryPlans::mismatch));
            org.junit.jupiter.api.Assertions.assertFalse(fast.load());
            Spec spec = parser.parse(history.queries(1).get(0));
            assertNull(fast.predictWithoutBlocking(spec));
            compareAll(fast, new ReferencePredictor(db), history.queries(2));
        }
    }

    private Spec parseOrNull(String q) {
        try {
            return parser.parse(q);
        } catch (InvalidSpecException e) {
            return null;
        }
    }
}
