package org.spack.gantry.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spack.gantry.Application;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.testing.Healthz;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.ReferenceSample;
import org.spack.gantry.testing.TestEngine;

/**
 * {@code GET /v1/allocation/explain} against the parity data, through the real HTTP
 * server: for every parity query the explained answer is byte for byte {@code GET
 * /v1/allocation}'s (in the default mode also the reference's captured answer), and the
 * queries it lists, with the GitLab ids of their rows, are exactly those the reference's
 * SQL selects ({@link ReferenceSample}, run on the same file by the test itself).
 */
class ExplainParityTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SpecParser parser = new SpecParser();


    private record Answer(int status, String body) {}

    @Test
    @Timeout(300)
    void everyRealworldQueryIsExplainedWithTheAllocationsAnswerAndTheReferencesJobs() throws Exception {
        Path db = realworld();
        long started = System.nanoTime();
        int explained = 0;
        try (Application app = serve(Map.of("DB_FILE", db.toString()));
                Connection reference = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            for (Parity.RealworldQuery q : Parity.realworldQueries()) {
                Answer allocation = get(app, "/v1/allocation?spec=" + q.encodedSpec());
                Answer explanation = get(app, "/v1/allocation/explain?spec=" + q.encodedSpec());
                assertSameAnswer(allocation, explanation, q.encodedSpec());
                if (allocation.status() != 200) continue;
                // the reference's own answer, captured from it
                assertEquals(JsonParser.parseString(q.body()), JsonParser.parseString(allocation.body()), q.encodedSpec());
                assertReferenceJobs(reference, explanation.body());
                explained++;
            }
        }
        assertTrue(explained >= 1_900, explained + " answers explained");
        System.out.printf("explain parity: %d realworld answers explained and checked against the reference's SQL in %.1f s%n",
                explained, (System.nanoTime() - started) / 1e9);
    }

    @ParameterizedTest
    @CsvSource({"GANTRY_LIMITS, true", "GANTRY_MEMORY_LIMIT_FACTOR, 1.15"})
    @Timeout(300)
    void withAnOptInSettingTheExplainedAnswerIsStillTheAllocations(String setting, String value) throws Exception {
        Path db = realworld();
        int compared = 0;
        try (Application app = serve(Map.of("DB_FILE", db.toString(), setting, value))) {
            for (Parity.RealworldQuery q : Parity.realworldQueries()) {
                Answer allocation = get(app, "/v1/allocation?spec=" + q.encodedSpec());
                assertSameAnswer(allocation, get(app, "/v1/allocation/explain?spec=" + q.encodedSpec()), q.encodedSpec());
                if (allocation.status() == 200) compared++;
            }
        }
        assertTrue(compared >= 1_900, compared + " answers compared");
    }

    @Test
    void theCapturedPredictionCasesAreExplainedWithTheReferencesAnswerAndJobs() throws Exception {
        JsonObject vectors = Parity.json("prediction.json");
        TestEngine.TestDatabase history = TestEngine.SQLITE.migrated(dir);
        history.execute(Parity.text(vectors.get("history_sql").getAsString()));
        Path db = dir.resolve("gantry.db");
        List<String> predictors = new ArrayList<>();
        try (Application app = serve(Map.of("DB_FILE", db.toString()));
                Connection reference = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            for (JsonElement e : vectors.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                String spec = URLEncoder.encode(c.get("spec").getAsString(), StandardCharsets.UTF_8);
                Answer allocation = get(app, "/v1/allocation?spec=" + spec);
                Answer explanation = get(app, "/v1/allocation/explain?spec=" + spec);
                assertSameAnswer(allocation, explanation, c.get("name").getAsString());
                assertEquals(c.get("expected"), JsonParser.parseString(explanation.body()).getAsJsonObject().get("answer"));
                assertReferenceJobs(reference, explanation.body());
                predictors.add(JsonParser.parseString(explanation.body()).getAsJsonObject().get("predictor").getAsString());
            }
        }
        // the cases are made to be answered by these (PredictionParityTest): each is explained as such
        assertEquals(List.of("exact:1", "expensive:1", "default", "exact:5"), predictors);
    }

    /** The same status; for a 200 the allocation's body written into the explanation's {@code answer} as it is. */
    private static void assertSameAnswer(Answer allocation, Answer explanation, String what) {
        assertEquals(allocation.status(), explanation.status(), what);
        if (allocation.status() != 200) {
            assertEquals(allocation.body(), explanation.body(), what);
            return;
        }
        JsonObject e = JsonParser.parseString(explanation.body()).getAsJsonObject();
        assertEquals(JsonParser.parseString(allocation.body()), e.get("answer"), what);
        assertTrue(explanation.body().contains("\"answer\": " + allocation.body() + "\n}"),
                "byte for byte: " + allocation.body() + " in\n" + explanation.body());
    }

    /** The queries listed, their rows' GitLab ids, the predictor and the jobs: the reference's SQL's. */
    private void assertReferenceJobs(Connection reference, String explanationBody) throws Exception {
        JsonObject e = JsonParser.parseString(explanationBody).getAsJsonObject();
        String spec = e.get("spec").getAsString();
        List<ReferenceSample.Attempt> expected = ReferenceSample.attempts(reference, parser.parse(spec));
        List<ReferenceSample.Attempt> listed = new ArrayList<>();
        for (JsonElement p : e.getAsJsonArray("predictors")) {
            JsonObject o = p.getAsJsonObject();
            List<Long> ids = new ArrayList<>();
            o.getAsJsonArray("gitlab_ids").forEach(id -> ids.add(id.getAsLong()));
            listed.add(new ReferenceSample.Attempt(o.get("predictor").getAsString(), ids));
            assertEquals(ids.size(), o.get("jobs").getAsInt(), spec);
        }
        assertEquals(expected, listed, spec);
        ReferenceSample.Attempt last = expected.get(expected.size() - 1);
        boolean matched = last.gitlabIds().size() >= 4;
        assertEquals(matched ? last.predictor() : "default", e.get("predictor").getAsString(), spec);
        List<Long> jobs = new ArrayList<>();
        e.getAsJsonArray("jobs").forEach(j -> jobs.add(j.getAsJsonObject().get("gitlab_id").getAsLong()));
        assertEquals(matched ? last.gitlabIds() : List.of(), jobs, spec);
    }

    private Path realworld() throws IOException {
        Path db = dir.resolve("history.db");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Parity.dir().resolve("realworld/history.db.gz")))) {
            Files.copy(in, db);
        }
        return db;
    }

    private static Application serve(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(settings);
        all.putAll(Map.of("GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1"));
        Application app = new Application(new ConfigLoader(all, null).load(), BuildInfo.load(), Clock.systemUTC());
        app.start();
        Healthz.awaitAllocationsFromMemory(app.port(), Duration.ofSeconds(60));
        return app;
    }

    private Answer get(Application app, String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }
}
