package org.spack.gantry.store;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Moves a history from a SQLite file (Gantry's, or the reference's as it is) into an empty
 * PostgreSQL database that this release migrates: every row of {@code nodes}, {@code jobs},
 * {@code collection_queue}, reconciliation's tables and OOM recovery's, ids included, in one transaction.
 * Then it counts and compares every row, value by value: text, integers, and doubles to the
 * bit; a REAL the reference stored in an INTEGER column ({@code start}, {@code end}) stays
 * a fraction (NUMERIC, whose scale tells a whole number from a REAL). The source is opened
 * read-only and left as it was.
 */
public final class Copy {
    /** The tables in the order their rows can be inserted (jobs refer to nodes), and the key each is compared by. */
    private static final Map<String, String> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("nodes", "id");
        TABLES.put("jobs", "id");
        TABLES.put("collection_queue", "build_id");
        TABLES.put("reconciliation", "id");
        TABLES.put("reconcile_frontier", "id");
        TABLES.put("reconcile_unfinished", "build_id");
        TABLES.put("reconcile_last_run", "id");
        // OOM recovery's (V6): the pipelines before their jobs, which refer to them
        TABLES.put("failed_jobs", "build_id");
        TABLES.put("oom_kills", "build_id");
        TABLES.put("failed_pipelines", "pipeline_id");
        TABLES.put("failed_pipeline_jobs", "pipeline_id, build_id");
    }

    private static final int BATCH = 1_000;

    /** How many rows each table had and now has in the target. */
    public record Result(Map<String, Long> rows) {}

    /** Tells how the copy goes, table by table. */
    public interface Progress {
        void copied(String table, long rows);
    }

    private final Path source;
    private final DatabaseLocation.Postgres target;

    public Copy(Path source, DatabaseLocation.Postgres target) {
        this.source = source;
        this.target = target;
    }

    public Result run(Progress progress) {
        if (!Files.isRegularFile(source)) {
            throw new DatabaseException("database " + source + " does not exist");
        }
        new Migrations(target, null).migrate();
        try (Connection from = Database.open(source, true); Connection to = connect()) {
            refuseNonEmpty(to);
            Map<String, Long> counts = new LinkedHashMap<>();
            to.setAutoCommit(false);
            try {
                for (Map.Entry<String, String> t : TABLES.entrySet()) {
                    if (!sqliteHas(from, t.getKey())) continue;
                    counts.put(t.getKey(), copyTable(from, to, t.getKey(), t.getValue()));
                    progress.copied(t.getKey(), counts.get(t.getKey()));
                }
                for (String table : new String[] {"nodes", "jobs"}) {
                    try (Statement st = to.createStatement()) {
                        st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), coalesce(max(id), 0) + 1,"
                                + " false) FROM " + table);
                    }
                }
                to.commit();
            } catch (SQLException | RuntimeException e) {
                to.rollback();
                throw e;
            }
            to.setAutoCommit(true);
            for (Map.Entry<String, Long> c : counts.entrySet()) {
                compare(from, to, c.getKey(), TABLES.get(c.getKey()), c.getValue());
            }
            return new Result(counts);
        } catch (SQLException e) {
            throw new DatabaseException("copy into " + target.describe() + " failed, nothing was committed: "
                    + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        Properties p = PostgresDatabase.properties(target);
        // one INSERT of many rows per batch, instead of one round trip a row
        p.setProperty("reWriteBatchedInserts", "true");
        return java.sql.DriverManager.getConnection(target.jdbcUrl(), p);
    }

    private void refuseNonEmpty(Connection to) throws SQLException {
        for (String table : TABLES.keySet()) {
            try (Statement st = to.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw new DatabaseException(target.describe() + " is not empty (" + table + " has " + rs.getLong(1)
                            + " rows); copy only fills an empty database");
                }
            }
        }
    }

    private static boolean sqliteHas(Connection c, String table) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?")) {
            st.setString(1, table);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The target's columns and their PostgreSQL types, in table order. */
    private static Map<String, String> columns(Connection to, String table) throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        try (PreparedStatement st = to.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position")) {
            st.setString(1, table);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) columns.put(rs.getString(1), rs.getString(2));
            }
        }
        return columns;
    }

    private static String quoted(String column) {
        return "\"" + column + "\"";
    }

    private long copyTable(Connection from, Connection to, String table, String key) throws SQLException {
        Map<String, String> columns = columns(to, table);
        String list = String.join(", ", columns.keySet().stream().map(Copy::quoted).toList());
        String marks = String.join(", ", columns.keySet().stream().map(c -> "?").toList());
        long rows = 0;
        try (Statement read = from.createStatement();
                ResultSet rs = read.executeQuery("SELECT " + list + " FROM " + table + " ORDER BY " + key);
                PreparedStatement write = to.prepareStatement("INSERT INTO " + table + " (" + list + ") OVERRIDING SYSTEM VALUE"
                        + " VALUES (" + marks + ")")) {
            while (rs.next()) {
                int i = 1;
                for (Map.Entry<String, String> column : columns.entrySet()) {
                    bind(write, i, sqliteValue(rs, i), column.getValue(), table, column.getKey());
                    i++;
                }
                write.addBatch();
                if (++rows % BATCH == 0) write.executeBatch();
            }
            write.executeBatch();
        }
        return rows;
    }

    /** A SQLite value as its storage class: null, Long, Double or String. */
    private static Object sqliteValue(ResultSet rs, int i) throws SQLException {
        Object v = rs.getObject(i);
        if (v instanceof Integer n) return n.longValue();
        if (v == null || v instanceof Long || v instanceof Double || v instanceof String) return v;
        throw new SQLException("a value of type " + v.getClass().getSimpleName() + " cannot be copied");
    }

    private static void bind(PreparedStatement st, int i, Object v, String type, String table, String column)
            throws SQLException {
        if (v == null) {
            st.setObject(i, null);
            return;
        }
        switch (type) {
            case "bigint", "integer" -> {
                if (!(v instanceof Long n)) throw cannotHold(table, column, v, type);
                st.setLong(i, n);
            }
            case "numeric" -> st.setBigDecimal(i, numeric(v, table, column));
            case "double precision" -> {
                if (!(v instanceof Number n)) throw cannotHold(table, column, v, type);
                st.setDouble(i, n.doubleValue());
            }
            case "text" -> {
                if (!(v instanceof String s)) throw cannotHold(table, column, v, type);
                st.setString(i, s);
            }
            default -> throw new SQLException(table + "." + column + " has type " + type + ", which copy does not know");
        }
    }

    /** A whole number at scale 0, a REAL at scale 1 or more (so that 2.0 stays a REAL), exactly. */
    private static BigDecimal numeric(Object v, String table, String column) throws SQLException {
        if (v instanceof Long n) return BigDecimal.valueOf(n);
        if (v instanceof Double d && Double.isFinite(d)) {
            BigDecimal exact = new BigDecimal(Double.toString(d));
            return exact.scale() < 1 ? exact.setScale(1) : exact;
        }
        throw cannotHold(table, column, v, "numeric");
    }

    /** A PostgreSQL value as the SQLite storage class it was copied from. */
    private static Object postgresValue(ResultSet rs, int i) throws SQLException {
        Object v = rs.getObject(i);
        if (v instanceof Integer n) return n.longValue();
        if (v instanceof BigDecimal d) return d.scale() == 0 ? (Object) d.longValueExact() : (Object) d.doubleValue();
        return v;
    }

    private static SQLException cannotHold(String table, String column, Object v, String type) {
        return new SQLException(table + "." + column + " holds " + v + " (" + v.getClass().getSimpleName()
                + "), which PostgreSQL's " + type + " column cannot hold");
    }

    /** Every row of the table read back from both, in key order, compared value by value. */
    private void compare(Connection from, Connection to, String table, String key, long expected) throws SQLException {
        List<String> columns = new ArrayList<>(columns(to, table).keySet());
        String list = String.join(", ", columns.stream().map(Copy::quoted).toList());
        String sql = "SELECT " + list + " FROM " + table + " ORDER BY " + key;
        long rows = 0;
        try (Statement a = from.createStatement(); ResultSet left = a.executeQuery(sql);
                Statement b = to.createStatement()) {
            b.setFetchSize(10_000);
            to.setAutoCommit(false); // a fetch size needs a transaction with PostgreSQL's driver
            try (ResultSet right = b.executeQuery(sql)) {
                while (left.next()) {
                    if (!right.next()) break;
                    rows++;
                    for (int i = 1; i <= columns.size(); i++) {
                        Object was = sqliteValue(left, i);
                        Object is = postgresValue(right, i);
                        if (!Objects.equals(was, is)) {
                            throw new DatabaseException("copy check failed: " + table + " " + key + "=" + left.getObject(1)
                                    + ", " + columns.get(i - 1) + " is " + is + " in " + target.describe() + ", " + was
                                    + " in " + source);
                        }
                    }
                }
                if (right.next() || rows != expected) {
                    throw new DatabaseException("copy check failed: " + table + " has a different number of rows in "
                            + target.describe() + " than the " + expected + " in " + source);
                }
            } finally {
                to.rollback();
                to.setAutoCommit(true);
            }
        }
    }
}
