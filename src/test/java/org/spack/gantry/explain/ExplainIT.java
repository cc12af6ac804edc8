package org.spack.gantry.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.MetricsText;
import org.spack.gantry.testing.Parity;

/**
 * {@code /v1/allocation/explain} and {@code gantry explain} from the packaged {@code
 * gantry.run}, on the realworld parity history: the explained answer is {@code /v1/allocation}'s,
 * in the default mode and in limits mode with an OOM raise in force; both forms; the same
 * refusals; the route in the metrics; the command's forms and its one-line errors.
 */
class ExplainIT {
    /** Answered by exact:1, by a wider predictor, by the expensive variants, and by the defaults. */
    private static final List<String> SPECS = List.of(
            "p64@1.0 +shared build_system=autotools arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0",
            "p64@1.0 +shared build_system=autotools arch=linux-ubuntu22.04-x86_64_v3%clang@17.0.6",
            "p64@1.0 +shared build_system=other arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0",
            "nothing@1.0 +shared arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0");
    private static final String KILLED = SPECS.get(0);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void explainsTheAllocationsAnswerOverHttpAndOnTheCommandLine() throws Exception {
        long started = System.nanoTime();
        Path db = dir.resolve("history.db");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Parity.dir().resolve("realworld/history.db.gz")))) {
            Files.copy(in, db);
        }
        Map<String, String> defaults = Map.of("DB_FILE", db.toString());
        Map<String, String> answers = new LinkedHashMap<>();
        try (GantryProcess gantry = GantryProcess.serve(dir, defaults)) {
            for (String spec : SPECS) answers.put(spec, sameAnswer(gantry, spec).getAsJsonObject("answer").toString());
            assertEquals("exact:1", explanation(gantry, SPECS.get(0)).get("predictor").getAsString());
            assertEquals("default", explanation(gantry, SPECS.get(3)).get("predictor").getAsString());
            textForms(gantry, KILLED);
            refusals(gantry);
            MetricsText.await(gantry.baseUrl(), "gantry_http_requests_total{route=\"/v1/allocation/explain\",status=\"200\"}",
                    v -> v >= SPECS.size() + 4, Duration.ofSeconds(30));
        }

        // serve migrated the reference's file; a kill of the first spec, after its last successful build
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO oom_kills VALUES (90000001, 7, 'develop', 'runner-oom-1', 'p64', '1.0',"
                    + " '{\"shared\": true, \"build_system\": \"autotools\"}', 'gcc', '12.3.0', 'linux-ubuntu22.04-x86_64_v3',"
                    + " 20000000000.0, 30000000000.0, 2000000000, 1, 2000000000.0)");
        }
        Map<String, String> limits = Map.of("DB_FILE", db.toString(), "GANTRY_LIMITS", "true");
        String raised;
        try (GantryProcess gantry = GantryProcess.serve(dir, limits)) {
            for (String spec : SPECS) sameAnswer(gantry, spec);
            JsonObject e = explanation(gantry, KILLED);
            raised = get(gantry, "/v1/allocation?spec=" + encode(KILLED), null).body();
            // 1.2 x the 30 GB it was killed at, above the 1.2 x largest mem_max limits mode gives
            assertEquals("36000M", e.getAsJsonObject("answer").getAsJsonObject("variables").get("KUBERNETES_MEMORY_LIMIT")
                    .getAsString(), e.toString());
            assertEquals(90000001L, e.getAsJsonArray("oom_kills").get(0).getAsJsonObject().get("build_id").getAsLong());
            assertTrue(get(gantry, "/v1/allocation/explain?format=text&spec=" + encode(KILLED), null).body()
                    .contains("OOM kills of this spec since its last successful build"));
        }

        // the command reads the same file: the same explanation, as text by default or as JSON
        GantryProcess.Result text = GantryProcess.run(dir, limits, Duration.ofSeconds(60), "explain", KILLED);
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("\nanswer:     " + raised + "\n"), text.out());
        assertTrue(text.out().contains("predictor:  exact:1"), text.out());
        GantryProcess.Result json = GantryProcess.run(dir, limits, Duration.ofSeconds(60), "explain", "--json", KILLED);
        assertEquals(0, json.exit(), json.err());
        assertEquals(JsonParser.parseString(raised), JsonParser.parseString(json.out()).getAsJsonObject().get("answer"));
        GantryProcess.Result plain = GantryProcess.run(dir, defaults, Duration.ofSeconds(60), "explain", "--json", SPECS.get(1));
        assertEquals(JsonParser.parseString(answers.get(SPECS.get(1))),
                JsonParser.parseString(plain.out()).getAsJsonObject().get("answer"));

        GantryProcess.Result bad = GantryProcess.run(dir, defaults, Duration.ofSeconds(60), "explain", "p64@1.0 arch=x%gcc@1");
        assertEquals(1, bad.exit());
        assertEquals("gantry: error: invalid spec: spec does not match name@version variants arch=ARCH%compiler@version\n",
                bad.err());
        assertEquals("", bad.out());
        GantryProcess.Result missing = GantryProcess.run(dir, Map.of("DB_FILE", dir.resolve("none.db").toString()),
                Duration.ofSeconds(60), "explain", KILLED);
        assertEquals(1, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(Files.notExists(dir.resolve("none.db")), "read only: no database made");
        System.out.printf("ExplainIT: two servers and five commands in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** The explanation's answer, byte for byte the allocation's; the explanation. */
    private JsonObject sameAnswer(GantryProcess gantry, String spec) throws Exception {
        HttpResponse<String> allocation = get(gantry, "/v1/allocation?spec=" + encode(spec), null);
        HttpResponse<String> explanation = get(gantry, "/v1/allocation/explain?spec=" + encode(spec), null);
        assertEquals(200, allocation.statusCode(), allocation.body());
        assertEquals(200, explanation.statusCode(), explanation.body());
        assertTrue(explanation.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(explanation.body().contains("\"answer\": " + allocation.body() + "\n}"), explanation.body());
        return JsonParser.parseString(explanation.body()).getAsJsonObject();
    }

    private JsonObject explanation(GantryProcess gantry, String spec) throws Exception {
        return JsonParser.parseString(get(gantry, "/v1/allocation/explain?spec=" + encode(spec), null).body())
                .getAsJsonObject();
    }

    /** {@code format=text} and {@code Accept: text/plain} give the same text, whose answer is the allocation's. */
    private void textForms(GantryProcess gantry, String spec) throws Exception {
        String allocation = get(gantry, "/v1/allocation?spec=" + encode(spec), null).body();
        HttpResponse<String> byFormat = get(gantry, "/v1/allocation/explain?spec=" + encode(spec) + "&format=text", null);
        HttpResponse<String> byAccept = get(gantry, "/v1/allocation/explain?spec=" + encode(spec), "text/plain");
        assertEquals(200, byFormat.statusCode());
        assertTrue(byFormat.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertEquals(byFormat.body(), byAccept.body());
        assertTrue(byFormat.body().contains("\nanswer:     " + allocation + "\n"), byFormat.body());
        assertTrue(byFormat.body().contains("jobs used (newest first):"), byFormat.body());
    }

    /** The allocation's refusals, word for word; a format that is neither form is the client's mistake too. */
    private void refusals(GantryProcess gantry) throws Exception {
        for (String query : new String[] {"?spec=" + encode("p64@1.0 arch=x%gcc@1"), "", "?spec="}) {
            HttpResponse<String> allocation = get(gantry, "/v1/allocation" + query, null);
            HttpResponse<String> explanation = get(gantry, "/v1/allocation/explain" + query, null);
            assertEquals(400, explanation.statusCode(), query);
            assertEquals(allocation.body(), explanation.body(), query);
        }
        HttpResponse<String> format = get(gantry, "/v1/allocation/explain?format=yaml&spec=" + encode(KILLED), null);
        assertEquals(400, format.statusCode());
        assertEquals("format must be json or text", format.body());
    }

    private HttpResponse<String> get(GantryProcess gantry, String pathAndQuery, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gantry.url(pathAndQuery))).timeout(Duration.ofSeconds(30));
        if (accept != null) b.header("Accept", accept);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String spec) {
        return URLEncoder.encode(spec, StandardCharsets.UTF_8);
    }
}
