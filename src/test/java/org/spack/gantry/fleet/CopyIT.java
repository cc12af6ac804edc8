package org.spack.gantry.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.GeneratedHistory;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.PostgresServer;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.TestWorkers;

/**
 * Issue 20: {@code gantry copy} (the packaged archive) moves a SQLite history into an empty
 * PostgreSQL database: the benchmark-sized generated history (Gantry's own file) and a
 * database the reference made (its schema, no Flyway history, fractional timestamps in
 * INTEGER columns). Every row reads back the same, value by value, and the index built from
 * each gives the same 20,000 answers. A second copy into the now non-empty database is refused.
 */
class CopyIT {
    private static final int ANSWERS = 20_000;

    @TempDir
    Path dir;

    private final SpecParser parser = new SpecParser();

    @Test
    void copiesTheBenchmarkHistoryRowForRowWithTheSameAnswers() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        GeneratedHistory history = GeneratedHistory.random(20, 400, 100_000);
        Path file = TestDatabases.migrated(dir);
        try (Connection c = Database.open(file, false)) {
            GeneratedHistory.insert(c, history.jobs());
        }
        String database = pg.createDatabase();
        long started = System.nanoTime();
        GantryProcess.Result copy = copy(pg, database, file);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(0, copy.exit(), copy.err());
        assertTrue(copy.out().contains(" " + history.jobs().size() + " jobs"), copy.out());
        System.out.printf("CopyIT: copied and checked %d jobs in %.1f s%n", history.jobs().size(), seconds);
        assertSameRows(file, pg, database);

        Map<String, Integer> byPredictor = new TreeMap<>();
        try (Database sqlite = Database.open(file, 2); Database postgres = Database.open(pg.location(database), 2);
                LiveHistory fromSqlite = new LiveHistory(sqlite, TestWorkers.worker("history")); LiveHistory fromPostgres = new LiveHistory(postgres, TestWorkers.worker("history"))) {
            HistoryIndex a = fromSqlite.load();
            HistoryIndex b = fromPostgres.load();
            int asked = 0;
            for (String q : history.queries(21)) {
                if (asked == ANSWERS) break;
                Spec spec;
                try {
                    spec = parser.parse(q);
                } catch (InvalidSpecException e) {
                    continue;
                }
                Prediction expected = a.predict(spec);
                assertEquals(expected, b.predict(spec), q);
                byPredictor.merge(expected.predictor(), 1, Integer::sum);
                asked++;
            }
            assertEquals(ANSWERS, asked);
        }
        assertTrue(byPredictor.size() > 10, "the answers reach most predictors: " + byPredictor);

        GantryProcess.Result again = copy(pg, database, file);
        assertEquals(1, again.exit());
        assertTrue(again.err().strip().matches("gantry: error: .* is not empty \\(nodes has 1 rows\\); copy only fills an empty database"),
                again.err());
    }

    @Test
    void copiesADatabaseTheReferenceMade() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        Path file = TestDatabases.reference(dir);
        TestDatabases.execute(file, Parity.text("insert_samples.sql"));
        String database = pg.createDatabase();
        GantryProcess.Result copy = copy(pg, database, file);
        assertEquals(0, copy.exit(), copy.err());
        assertTrue(copy.out().contains("5 jobs"), copy.out());
        assertSameRows(file, pg, database);
        // the source is left as the reference made it: no Flyway history, nothing added
        assertEquals(0, TestDatabases.count(file, "SELECT count(*) FROM sqlite_master WHERE name = 'flyway_schema_history'"));
    }

    @Test
    void backupAndRestoreRefuseOnPostgresqlInOneLine() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        Map<String, String> env = pg.environment(pg.createDatabase());
        String expected = "gantry: error: the database is PostgreSQL (GANTRY_DATABASE_URL): back it up with pg_dump, or"
                + " the DBA's point-in-time recovery; gantry backup and restore copy the SQLite file only";
        for (String[] command : new String[][] {{"backup"}, {"restore", "--from", dir.resolve("x.db").toString()}}) {
            GantryProcess.Result r = GantryProcess.run(dir, env, Duration.ofMinutes(1), command);
            assertEquals(1, r.exit(), r.err());
            assertEquals(expected, r.err().strip());
        }
    }

    private GantryProcess.Result copy(PostgresServer pg, String database, Path file) throws Exception {
        Map<String, String> env = new HashMap<>(pg.environment(database));
        return GantryProcess.run(dir, env, Duration.ofMinutes(5), "copy", "--from", file.toString());
    }

    /** Every row of both tables, value by value, in id order: as SQLite stores it, and as PostgreSQL gives it back. */
    private static void assertSameRows(Path file, PostgresServer pg, String database) throws SQLException {
        for (String table : new String[] {"nodes", "jobs"}) {
            List<List<Object>> sqlite;
            try (Connection c = Database.open(file, true)) {
                sqlite = rows(c, table);
            }
            List<List<Object>> postgres;
            try (Connection c = pg.connect(database)) {
                c.setAutoCommit(false);
                postgres = rows(c, table);
            }
            assertEquals(sqlite.size(), postgres.size(), table);
            for (int i = 0; i < sqlite.size(); i++) {
                assertEquals(sqlite.get(i), postgres.get(i), table + " row " + i);
            }
        }
    }

    private static List<List<Object>> rows(Connection c, String table) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            st.setFetchSize(5_000);
            try (ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) row.add(typed(rs.getObject(i)));
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** SQLite's storage classes: INTEGER as Long, REAL as Double (a NUMERIC of scale 0 is a whole number). */
    private static Object typed(Object v) {
        if (v instanceof Integer n) return n.longValue();
        if (v instanceof BigDecimal d) return d.scale() == 0 ? (Object) d.longValueExact() : (Object) d.doubleValue();
        return v;
    }
}
