package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces everything the {@code main} database holds with what an attached database
 * holds: its tables with their rows, indexes, triggers, views and {@code user_version}.
 * It runs inside the caller's write transaction, so that it is committed whole or not at
 * all, and other connections to the file (a running server's) see the old content, then
 * the new, and write into whichever they see: never into a file that is no longer the
 * database. Foreign keys must be off on the connection (rows are copied table by table).
 */
final class ContentSwap {
    private ContentSwap() {}

    private record SchemaObject(String type, String name, String sql) {}

    static void replace(Connection c, String source) throws SQLException {
        String src = SchemaRecord.quote(source);
        try (Statement st = c.createStatement()) {
            List<SchemaObject> present = objects(st, "main");
            for (String type : List.of("view", "table")) {
                // an index or a trigger goes with its table
                for (SchemaObject o : present) {
                    if (o.type().equals(type)) st.execute("DROP " + type + " main." + SchemaRecord.quote(o.name()));
                }
            }
            List<SchemaObject> wanted = objects(st, source);
            for (SchemaObject o : wanted) {
                if (!o.type().equals("table")) continue;
                st.execute(o.sql());
                st.execute("INSERT INTO main." + SchemaRecord.quote(o.name()) + " SELECT * FROM " + src + "."
                        + SchemaRecord.quote(o.name()));
            }
            // copying rows into an AUTOINCREMENT table wrote its own sequence: the backup's replaces it
            if (hasSequence(st, "main")) st.execute("DELETE FROM main.sqlite_sequence");
            if (hasSequence(st, source)) {
                st.execute("INSERT INTO main.sqlite_sequence SELECT * FROM " + src + ".sqlite_sequence");
            }
            // indexes once the rows are in (quicker), then triggers and views, in the source's order
            for (SchemaObject o : wanted) {
                if (!o.type().equals("table")) st.execute(o.sql());
            }
            int userVersion;
            try (ResultSet rs = st.executeQuery("PRAGMA " + src + ".user_version")) {
                userVersion = rs.next() ? rs.getInt(1) : 0;
            }
            st.execute("PRAGMA main.user_version = " + userVersion);
        }
    }

    /** The schema objects a user made (SQLite's own, such as automatic indexes, have no SQL). */
    private static List<SchemaObject> objects(Statement st, String database) throws SQLException {
        List<SchemaObject> all = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT type, name, sql FROM " + SchemaRecord.quote(database)
                + ".sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")) {
            while (rs.next()) all.add(new SchemaObject(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
        return all;
    }

    private static boolean hasSequence(Statement st, String database) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM " + SchemaRecord.quote(database)
                + ".sqlite_master WHERE name = 'sqlite_sequence'")) {
            return rs.next();
        }
    }
}
