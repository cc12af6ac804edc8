package org.spack.gantry.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.allocate.AllocationListener;
import org.spack.gantry.allocate.Allocations;
import org.spack.gantry.allocate.ReferenceAnswer;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseException;
import org.spack.gantry.store.HistoryRow;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.testing.GeneratedHistory;
import org.spack.gantry.testing.TestEngine;
import org.spack.gantry.testing.TestWorkers;

/**
 * The in-memory index against the reference queries (shaped like prediction.py), on
 * every query of a generated history: the same cores, bytes and largest mem_max to the
 * last bit (so the same rows, summed in the same order) and the same predictor.
 */
class IndexedPredictorDifferentialTest {
    /** Its stored variants are not JSON: the reference's expensive query fails (a 500), the index finds no match. */
    private static final String NOT_JSON = "not-json";

    @TempDir
    Path dir;

    private final SpecParser parser = new SpecParser();

    private static Object outcome(Predictor p, Spec spec) {
        try {
            return p.predict(spec);
        } catch (DatabaseException e) {
            return "database error";
        }
    }

    /** A query and its spec. */
    private record Query(String text, Spec spec) {}

    /**
     * The queries the parser takes, but the package whose variants are not JSON: all but a
     * few, and at least most of them (a parser that refused every query would compare nothing).
     */
    private List<Query> parsed(List<String> queries) {
        List<Query> out = new ArrayList<>();
        for (String q : queries) {
            try {
                Spec spec = parser.parse(q);
                if (!spec.pkgName().equals(NOT_JSON)) out.add(new Query(q, spec));
            } catch (InvalidSpecException refused) {
                // the generated queries include specs the reference refuses too
            }
        }
        assertTrue(out.size() > queries.size() / 2, out.size() + " of " + queries.size() + " queries compared");
        return out;
    }

    /** The answers the service gives from this history, byte for byte the reference's answers from the database. */
    private void compareAnswers(LiveHistory live, Predictor oracle, List<String> queries) {
        ReferenceAnswer rule = new ReferenceAnswer(MemoryLimit.NONE);
        Allocations allocations = new Allocations(live, oracle, rule, 1 << 20, AllocationListener.NONE);
        for (Query q : parsed(queries)) {
            assertEquals(new String(rule.variables(q.spec(), oracle.predict(q.spec())).json(), StandardCharsets.UTF_8),
                    new String(allocations.answer(q.text()).body(), StandardCharsets.UTF_8), q.text());
        }
    }

    /** Compares both on every query; returns how many answers each predictor gave. */
    private Map<String, Integer> compareAll(Predictor fast, Predictor oracle, List<String> queries) {
        Map<String, Integer> by = new TreeMap<>();
        for (Query q : parsed(queries)) {
            Object expected = outcome(oracle, q.spec());
            assertEquals(expected, outcome(fast, q.spec()), q.text());
            by.merge(expected instanceof Prediction p ? p.predictor() : (String) expected, 1, Integer::sum);
        }
        return by;
    }

    private TestEngine.TestDatabase history(TestEngine engine, GeneratedHistory history) throws SQLException {
        TestEngine.TestDatabase db = engine.migrated(dir);
        try (Connection c = db.connect()) {
            GeneratedHistory.insert(c, history.jobs());
        }
        return db;
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void answersEveryQueryOfAGeneratedHistoryAsTheReferenceQueries(TestEngine engine) throws Exception {
        GeneratedHistory history = GeneratedHistory.random(6, 60, 3000);
        TestEngine.TestDatabase file = history(engine, history);
        try (Database db = file.open(2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            Map<String, Integer> by = compareAll(live.load(), new ReferencePredictor(db), history.queries(7));
            // the history reaches every predictor, both kinds of sample, and the defaults
            for (int i = 1; i <= 6; i++) {
                assertTrue(by.getOrDefault("exact:" + i, 0) > 0, "exact:" + i + " never answered: " + by);
                assertTrue(by.getOrDefault("expensive:" + i, 0) > 0, "expensive:" + i + " never answered: " + by);
            }
            assertTrue(by.getOrDefault("default", 0) > 0, by.toString());
            assertEquals(null, by.get("database error"), by.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void tiesAreBrokenAsSqliteBreaksThem(TestEngine engine) throws Exception {
        // a package of identical builds that finished in the same second: only tie order picks the sample
        GeneratedHistory history = GeneratedHistory.random(11, 3, 50);
        TestEngine.TestDatabase file = history(engine, history);
        try (Database db = file.open(2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            HistoryIndex fast = live.load();
            Predictor oracle = new ReferencePredictor(db);
            for (String version : new String[] {"1.0", "1.\uE000", "1.\uD83D\uDE00", "7"}) {
                for (String compiler : new String[] {"gcc@11.4.0", "clang@16.0.6", "gcc@0"}) {
                    for (String variants : new String[] {"+cuda~shared", "+cuda+shared", "+cuda", "~cuda", "+shared"}) {
                        Spec spec = parser.parse("tied@" + version + " " + variants + " arch=x%" + compiler);
                        assertEquals(outcome(oracle, spec), outcome(fast, spec), spec.toString());
                    }
                }
            }
            assertEquals("exact:1", fast.predict(parser.parse("tied@1.0 +cuda~shared arch=x%gcc@11.4.0")).predictor());
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void followsJobsCommittedByThisProcessAndByOthers(TestEngine engine) throws Exception {
        GeneratedHistory history = GeneratedHistory.random(21, 30, 1500);
        List<GeneratedHistory.Job> jobs = history.jobs();
        TestEngine.TestDatabase file = engine.migrated(dir);
        try (Database db = file.open(2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"));
                Connection other = file.connect()) {
            Predictor oracle = new ReferencePredictor(db);
            HistoryIndex fast = live.load(); // empty
            List<String> queries = history.queries(8).subList(0, 600);
            int step = jobs.size() / 4;
            for (int from = 0; from < jobs.size(); from += step) {
                List<GeneratedHistory.Job> part = jobs.subList(from, Math.min(jobs.size(), from + step));
                if ((from / step) % 2 == 0) {
                    // through the service's writer, which tells the index of each row it committed
                    long first = db.write(c -> {
                        long before = lastId(c);
                        GeneratedHistory.insert(c, part);
                        return before + 1;
                    });
                    for (int i = 0; i < part.size(); i++) live.committed(first + i, row(part.get(i)));
                    // until the history thread reads them again, those packages are answered from the database
                    for (GeneratedHistory.Job job : part) {
                        if (job.ref().equals("develop")) assertFalse(live.current(job.pkgName()), job.pkgName());
                    }
                    compareAnswers(live, oracle, queries);
                    live.readCommittedHere(); // the history thread's work
                    for (GeneratedHistory.Job job : part) assertTrue(live.current(job.pkgName()), job.pkgName());
                } else {
                    // through another connection, as another process would; the background check's work
                    GeneratedHistory.insert(other, part);
                    live.catchUp();
                }
                compareAll(fast, oracle, queries);
            }
            // one job more makes a sample of four from three, as soon as the package is read again
            Spec spec = parser.parse("fresh@1.0 +mpi arch=x%gcc@11.4.0");
            for (int i = 0; i < 4; i++) {
                assertEquals("default", fast.predict(spec).predictor());
                GeneratedHistory.Job job = new GeneratedHistory.Job("develop", "fresh", "1.0", Map.of("mpi", true),
                        "{\"mpi\": true}", "gcc", "11.4.0", 1_800_000_000L + i, 2.0, 3e9);
                long id = db.write(c -> {
                    GeneratedHistory.insert(c, List.of(job));
                    return lastId(c);
                });
                live.committed(id, row(job));
                live.readCommittedHere();
            }
            Prediction p = fast.predict(spec);
            assertEquals(List.of(2.0, 3e9, "exact:1"), List.of(p.cores(), p.bytes(), p.predictor()));
            assertEquals(oracle.predict(spec), fast.predict(spec));
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aRowCommittedByAnotherProcessIsAnsweredWithinTwoSeconds(TestEngine engine) throws Exception {
        TestEngine.TestDatabase file = engine.migrated(dir);
        try (Database db = file.open(2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history")).start(); Connection other = file.connect()) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (live.index() == null && System.nanoTime() < deadline) Thread.sleep(5);
            Spec spec = parser.parse("fresh@1.0 +mpi arch=x%gcc@11.4.0");
            List<GeneratedHistory.Job> four = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                four.add(new GeneratedHistory.Job("develop", "fresh", "1.0", Map.of("mpi", true), "{\"mpi\": true}",
                        "gcc", "11.4.0", 1_800_000_000L + i, 2.0, 3e9));
            }
            GeneratedHistory.insert(other, four);
            long committed = System.nanoTime();
            while (!live.index().predict(spec).predictor().equals("exact:1")) {
                assertTrue(System.nanoTime() - committed < 2_000_000_000L, "not answered within 2 s");
                Thread.sleep(5);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void anIndexBuiltFromAHistoryWithoutAHoldoutAnswersAsThatHistory(TestEngine engine) throws Exception {
        GeneratedHistory history = GeneratedHistory.random(41, 20, 1200);
        TestEngine.TestDatabase file = history(engine, history);
        List<HistoryRow> all;
        try (Database db = file.open(1)) {
            all = db.read(db.historyStore()::all);
        }
        // every third develop job held out, as an evaluation would
        List<HistoryRow> kept = all.stream().filter(r -> r.id() % 3 != 0).toList();
        HistoryIndex withoutHoldout = HistoryIndex.of(kept);
        file.execute("DELETE FROM jobs WHERE id % 3 = 0");
        try (Database db = file.open(1)) {
            compareAll(withoutHoldout, new ReferencePredictor(db), history.queries(42));
        }
    }

    private static long lastId(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM jobs")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What the job writer tells the listener; only the fields the index looks at matter. */
    private static JobRow row(GeneratedHistory.Job j) {
        return new JobRow("pod", 0, j.end().longValue(), 0, "success", j.ref(), j.pkgName(), j.version(),
                j.variantsJson(), j.compilerName(), j.compilerVersion(), "x86_64", "e4s", 16, 1, null, j.cpuMean(),
                0, 0, 0, 0, 1, 1, j.memMean(), 0, 0, 0, 0);
    }
}
