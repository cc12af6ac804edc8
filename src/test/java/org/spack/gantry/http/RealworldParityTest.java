package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.Application;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Copy;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseLocation;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.testing.Healthz;
import org.spack.gantry.testing.Bodies;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.PostgresServer;
import org.spack.gantry.testing.TestEngine;

/**
 * The reference's answers on a history shaped like real Spack CI's (parity/realworld:
 * string and list expensive variants, repeated names, non-ASCII, equal end times,
 * malformed specs), replayed through the real HTTP server: the same status and body for
 * each of the 2,008 queries, but 400 {@code invalid spec} where the reference failed with
 * a 500. Asked while the history loads (the reference queries answer) and once it is
 * loaded (the index answers), and each twice (the second answer may come from the cache).
 * On SQLite (the file as it is) and on PostgreSQL (the file copied in by {@code gantry copy}).
 */
class RealworldParityTest {
    @TempDir
    Path dir;


    /** The realworld history: the SQLite file, or a PostgreSQL database it was copied into; the settings naming it. */
    private Map<String, String> history(TestEngine engine) throws IOException {
        Path db = dir.resolve("history.db");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Parity.dir().resolve("realworld/history.db.gz")))) {
            Files.copy(in, db);
        }
        if (engine == TestEngine.SQLITE) {
            return Map.of("DB_FILE", db.toString());
        }
        PostgresServer pg = PostgresServer.shared();
        String name = pg.createDatabase();
        new Copy(db, pg.location(name)).run((table, rows) -> {});
        return pg.environment(name);
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    @Timeout(180)
    void answersEveryQueryAsTheReference(TestEngine engine) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(history(engine));
        List<Parity.RealworldQuery> queries = Parity.realworldQueries();
        assertEquals(2008, queries.size()); // the README rounds: 1,927 + 40 + 41
        settings.putAll(Map.of("GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1"));
        Application app = new Application(new ConfigLoader(settings, null).load(), BuildInfo.load(), Clock.systemUTC());
        app.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + app.port() + "/v1/allocation?spec=";
            int before = 0;
            for (Parity.RealworldQuery q : queries) {
                if (fromMemory(client, app.port())) break;
                check(client, base, q, "while loading");
                before++;
            }
            Healthz.awaitAllocationsFromMemory(app.port(), Duration.ofSeconds(60));
            for (int round = 1; round <= 2; round++) {
                for (Parity.RealworldQuery q : queries) check(client, base, q, "from memory, round " + round);
            }
            System.out.println("realworld parity on " + engine + ": " + before
                    + " queries answered while loading, all 2,008 twice from memory");
        } finally {
            app.close();
        }
    }

    private static boolean fromMemory(HttpClient client, int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"allocations\":\"memory\"");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void theReferenceQueriesGiveTheSameAnswers(TestEngine engine) throws Exception {
        // the oracle itself, which also answers while the index loads (too short here to be seen above)
        DatabaseLocation location = new ConfigLoader(history(engine), null).load().database();
        SpecParser parser = new SpecParser();
        try (Database database = Database.open(location, 1)) {
            ReferencePredictor reference = new ReferencePredictor(database);
            for (Parity.RealworldQuery q : Parity.realworldQueries()) {
                String spec = URLDecoder.decode(q.encodedSpec(), StandardCharsets.UTF_8);
                if (spec.isEmpty()) continue; // "missing spec parameter", the HTTP layer's answer
                String answer;
                try {
                    answer = Bodies.of(reference.predict(parser.parse(spec)));
                } catch (InvalidSpecException e) {
                    answer = "invalid spec";
                }
                assertEquals(q.status() == 500 ? "invalid spec" : q.body(), answer, spec);
            }
        }
    }

    private static void check(HttpClient client, String base, Parity.RealworldQuery q, String when) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + q.encodedSpec()))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        String what = when + ": " + q.encodedSpec();
        if (q.status() == 500) {
            assertEquals(400, r.statusCode(), what);
            assertEquals("invalid spec", r.body(), what);
        } else if (q.status() == 200) {
            assertEquals(200, r.statusCode(), what);
            assertEquals(JsonParser.parseString(q.body()), JsonParser.parseString(r.body()), what);
        } else {
            assertEquals(q.status(), r.statusCode(), what);
            assertEquals(q.body(), r.body(), what);
        }
    }
}
