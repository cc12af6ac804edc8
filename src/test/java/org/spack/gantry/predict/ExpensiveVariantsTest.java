package org.spack.gantry.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spack.gantry.spec.PythonJson;
import org.spack.gantry.spec.Variants;

/**
 * The Java rule ({@link ExpensiveVariants#stored}) against the reference's own conditions,
 * {@code json_extract(pkg_variants, '$.v') IS NULL}, {@code = 0} and {@code = 1}, evaluated by
 * SQLite, for every expensive variant of every text of a corpus: the texts Gantry and the
 * reference write, odd values (1 and 1.0, "1", null, arrays, objects, repeated keys), texts
 * that are not JSON, and random mixtures of JSON's tokens.
 */
class ExpensiveVariantsTest {
    private static final List<String> ODD = List.of(
            "{}", "{\"cuda\": true}", "{\"cuda\": false}", "{\"cuda\": 1}", "{\"cuda\": 0}", "{\"cuda\": 1.0}",
            "{\"cuda\": 0.0}", "{\"cuda\": -0}", "{\"cuda\": -0.0}", "{\"cuda\": 1e0}", "{\"cuda\": 10E-1}",
            "{\"cuda\": 2}", "{\"cuda\": -1}", "{\"cuda\": 0.5}", "{\"cuda\": 1.0000000000000001}",
            "{\"cuda\": 0.99999999999999999}", "{\"cuda\": 1E400}", "{\"cuda\": 100000000000000000000000}",
            "{\"cuda\": 9223372036854775807}", "{\"cuda\": \"1\"}", "{\"cuda\": \"true\"}", "{\"cuda\": \"\"}",
            "{\"cuda\": null}", "{\"cuda\": [true]}", "{\"cuda\": [1]}", "{\"cuda\": []}", "{\"cuda\": {}}",
            "{\"cuda\": {\"cuda\": true}}", "{\"cuda\": true, \"cuda\": false}", "{\"cuda\": false, \"cuda\": true}",
            "{\"cuda\": null, \"cuda\": true}", "{\"cuda\": \"x\", \"cuda\": 1}", "{\"cu\\u0064a\": true}",
            "{\"CUDA\": true}", "{\"cuda \": true}", "[]", "[{\"cuda\": true}]", "\"cuda\"", "1", "null", "true",
            " {\"cuda\" : true} ", "\n{\"cuda\":\ttrue}\n", "{\"cuda\": true, \"mpi\": false, \"hdf5\": \"none\"}",
            "{\"build_system\": \"cmake\", \"cuda\": true, \"cuda_arch\": [\"80\", \"90\"], \"mpi\": false}",
            "{\"cuda\": \"\\u0000\"}", "{\"cuda\": \"a\\\"b\"}", "{\"\": true}",
            // not JSON at all
            "", " ", "not-json", "{", "}", "{\"cuda\": tru}", "{\"cuda\": true", "{\"cuda\": true}}",
            "{\"cuda\": true} x", "{\"cuda\" true}", "{\"cuda\": 01}", "{\"cuda\": 1.}", "{\"cuda\": -}",
            "{\"cuda\": \"abc}", "{\"cuda\": [true}", "{\"cuda\": True}", "{\"cuda\": \"\\x41\"}",
            // JSON5, which SQLite also reads (and strict JSON does not)
            "{cuda: true}", "{'cuda': true}", "{\"cuda\": true,}", "{\"cuda\": .5}", "{\"cuda\": +1}",
            "{\"cuda\": 0x1}", "{\"cuda\": NaN}", "{\"cuda\": Infinity}", "{\"cuda\": true /* c */}",
            "{\"cuda\": true} // c", "{\"cuda\": 'x'}");

    private static final String[] TOKENS = {"{", "}", "[", "]", ":", ",", " ", "\"cuda\"", "\"mpi\"", "\"hdf5\"",
        "\"x\"", "true", "false", "null", "0", "1", "1.0", "0.0", "2", "-0", "1e0", "\"1\"", "\"\"", "{\"cuda\": ",
        "{\"mpi\": ", ", \"cuda\": ", "\"rocm\": ", "x", "'", "\\", "\t", "/*", "*/"};

    @Test
    void theJavaRuleSeesWhatTheReferencesConditionsSeeInSqlite() throws SQLException {
        List<String> corpus = new ArrayList<>(ODD);
        corpus.addAll(writtenTexts());
        corpus.addAll(randomMixtures(new Random(20), 20_000));
        int json = 0;
        int notJson = 0;
        int json5 = 0;
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            for (String text : corpus) {
                int stored = ExpensiveVariants.stored(text);
                boolean strict = jsonValid(sqlite, text);
                for (int i = 0; i < ExpensiveVariants.NAMES.size(); i++) {
                    String name = ExpensiveVariants.NAMES.get(i);
                    String sqliteSees = conditions(sqlite, text, name);
                    if (strict) {
                        assertEquals(sqliteSees, javaSees(stored, i), name + " in " + text);
                    } else {
                        // not RFC 8259 JSON: the index takes the job for no spec, whatever SQLite's JSON5 reading made of it
                        assertEquals(ExpensiveVariants.UNREADABLE, stored, text);
                        if (sqliteSees.equals("error")) {
                            continue;
                        }
                        json5 += i == 0 ? 1 : 0;
                    }
                }
                if (strict) json++;
                else notJson++;
            }
        }
        System.out.printf("ExpensiveVariantsTest: %d texts: %d JSON, %d not (%d of them JSON5 that SQLite reads)%n",
                corpus.size(), json, notJson, json5);
        assertTrue(json > 2_000 && notJson > 2_000, json + " JSON, " + notJson + " not");
        assertTrue(json5 >= 10, "JSON5 texts in the corpus: " + json5);
    }

    @Test
    void aSpecRequiresWhatTheReferencesConditionsCompareWith() {
        Variants v = Variants.parse("+cuda~mpi hdf5=none rocm=a,b python=1 +openmp");
        int requirement = ExpensiveVariants.requirement(v);
        // the job that meets exactly the conditions the reference's query would write
        assertEquals(requirement, ExpensiveVariants.stored("{\"cuda\": true, \"mpi\": false, \"openmp\": 1.0}"));
        assertTrue(ExpensiveVariants.acceptedBySomeSpec(requirement));
        assertEquals(1L, ExpensiveVariants.required(v, "cuda"));
        assertEquals(0L, ExpensiveVariants.required(v, "mpi"));
        assertEquals(null, ExpensiveVariants.required(v, "hdf5"));
        assertEquals(null, ExpensiveVariants.required(v, "rocm"));
        assertEquals(null, ExpensiveVariants.required(v, "python"));
        // a stored value no condition accepts
        assertTrue(!ExpensiveVariants.acceptedBySomeSpec(ExpensiveVariants.stored("{\"hdf5\": \"none\"}")));
        assertTrue(!ExpensiveVariants.acceptedBySomeSpec(ExpensiveVariants.stored("not-json")));
    }

    /** What the three conditions say of one variant: {@code null}, {@code 0}, {@code 1}, {@code other}, or {@code error}. */
    private static String conditions(Connection c, String text, String name) throws SQLException {
        try {
            if (holds(c, "SELECT json_extract(?, '$." + name + "') IS NULL", text, null)) return "null";
            if (holds(c, "SELECT json_extract(?, '$." + name + "') = ?", text, 0L)) return "0";
            if (holds(c, "SELECT json_extract(?, '$." + name + "') = ?", text, 1L)) return "1";
            return "other";
        } catch (SQLException e) {
            return "error";
        }
    }

    private static String javaSees(int stored, int i) {
        if (stored == ExpensiveVariants.UNREADABLE) return "error";
        return switch ((stored >> (2 * i)) & 3) {
            case ExpensiveVariants.ABSENT -> "null";
            case ExpensiveVariants.FALSE -> "0";
            case ExpensiveVariants.TRUE -> "1";
            default -> "other";
        };
    }

    private static boolean holds(Connection c, String sql, String text, Long value) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, text);
            if (value != null) st.setLong(2, value);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private static boolean jsonValid(Connection c, String text) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT json_valid(?)")) {
            st.setString(1, text);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    /** Variants texts as Gantry and the reference write them (json.dumps of the parsed variants). */
    private static List<String> writtenTexts() {
        List<String> texts = new ArrayList<>();
        Random random = new Random(16);
        String[] names = {"cuda", "mpi", "rocm", "sycl", "python", "fortran", "openmp", "hdf5", "shared", "build_system"};
        for (int n = 0; n < 2_000; n++) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (String name : names) {
                switch (random.nextInt(5)) {
                    case 0 -> values.put(name, true);
                    case 1 -> values.put(name, false);
                    case 2 -> values.put(name, random.nextBoolean() ? "none" : "1");
                    case 3 -> values.put(name, List.of("a", "b"));
                    default -> { }
                }
            }
            texts.add(PythonJson.dumps(values));
        }
        return texts;
    }

    private static List<String> randomMixtures(Random random, int count) {
        List<String> texts = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            StringBuilder text = new StringBuilder(random.nextInt(3) == 0 ? "" : "{");
            int tokens = 1 + random.nextInt(8);
            for (int t = 0; t < tokens; t++) text.append(TOKENS[random.nextInt(TOKENS.length)]);
            if (random.nextInt(4) != 0) text.append("}");
            texts.add(text.toString());
        }
        return texts;
    }
}
