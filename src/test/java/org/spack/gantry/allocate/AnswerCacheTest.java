package org.spack.gantry.allocate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.Application;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.testing.Healthz;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.testing.GeneratedHistory;
import org.spack.gantry.testing.TestDatabases;

/** A kept answer is given only while its package's history is the one it was computed from. */
class AnswerCacheTest {
    @TempDir
    Path dir;

    @Test
    void keepsAnAnswerUntilItsPackagesHistoryChanges() {
        Map<String, Long> revisions = new HashMap<>();
        ToLongFunction<String> index = p -> revisions.getOrDefault(p, 0L);
        AnswerCache cache = new AnswerCache(1 << 20);
        revisions.put("a", 3L);
        cache.put("a@1 +x arch=x%gcc@1", answer("a", 3));
        assertNull(cache.get("a@1 +x arch=x%gcc@1", index), "kept only when asked for a second time");
        cache.put("a@1 +x arch=x%gcc@1", answer("a", 3));
        cache.put("b@1 +x arch=x%gcc@1", answer("b", 0));
        cache.put("b@1 +x arch=x%gcc@1", answer("b", 0));
        assertEquals("default", cache.get("a@1 +x arch=x%gcc@1", index).predictor());
        assertNotNull(cache.get("b@1 +x arch=x%gcc@1", index));

        revisions.put("a", 4L); // a job of package a was stored
        assertNull(cache.get("a@1 +x arch=x%gcc@1", index));
        assertNotNull(cache.get("b@1 +x arch=x%gcc@1", index), "other packages' answers stay");
    }

    @Test
    void holdsNoMoreBytesThanItsBudgetKeysIncluded() {
        ToLongFunction<String> index = p -> 0L;
        long budget = 1 << 20;
        AnswerCache cache = new AnswerCache(budget);
        String longSpec = "p@1 +" + "x".repeat(8000) + " arch=x%gcc@1 ";
        for (int i = 0; i < 1000; i++) {
            String spec = longSpec + i;
            cache.put(spec, answer("p", 0));
            cache.put(spec, answer("p", 0));
            assertNotNull(cache.get(spec, index));
            assertTrue(cache.bytes() <= budget, cache.bytes() + " bytes held");
            assertTrue(cache.size() * 8_000L <= budget, cache.size() + " specs of 8,000 Latin-1 characters held");
        }
        // short specs: many fit
        cache = new AnswerCache(budget);
        for (int i = 0; i < 2000; i++) {
            cache.put("s" + i, answer("p", 0));
            cache.put("s" + i, answer("p", 0));
        }
        assertTrue(cache.size() > 1000, cache.size() + " short answers held");
    }

    @Test
    void aStoredJobChangesTheNextAnswerThroughHttp() throws Exception {
        Path db = TestDatabases.migrated(dir);
        Application app = new Application(new ConfigLoader(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0",
                "GANTRY_HOST", "127.0.0.1"), null).load(), BuildInfo.load(), Clock.systemUTC());
        app.start();
        try (java.sql.Connection other = org.spack.gantry.store.Database.open(db, false)) {
            HttpClient client = HttpClient.newHttpClient();
            String spec = "fresh@1.0 +mpi arch=x%gcc@11.4.0";
            URI uri = URI.create("http://127.0.0.1:" + app.port() + "/v1/allocation?spec="
                    + URLEncoder.encode(spec, StandardCharsets.UTF_8));
            String defaults = "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}";
            Healthz.awaitAllocationsFromMemory(app.port(), Duration.ofSeconds(60));
            for (int i = 0; i < 4; i++) {
                assertEquals(defaults, get(client, uri), "after " + i + " jobs");
                assertEquals(defaults, get(client, uri), "kept, after " + i + " jobs");
                GeneratedHistory.insert(other, List.of(new GeneratedHistory.Job("develop", "fresh", "1.0",
                        Map.of("mpi", true), "{\"mpi\": true}", "gcc", "11.4.0", 1_800_000_000L + i, 2.5, 3e9)));
            }
            // committed by another connection: the background check finds it within a second
            String expected = "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"2500m\", \"KUBERNETES_MEMORY_REQUEST\": \"3000M\"}}";
            long committed = System.nanoTime();
            String answer = get(client, uri);
            while (!answer.equals(expected) && System.nanoTime() - committed < 2_000_000_000L) {
                Thread.sleep(10);
                answer = get(client, uri);
            }
            assertEquals(expected, answer, "within 2 s of the commit");
        } finally {
            app.close();
        }
    }

    /** The default answer, as the reference gives it. */
    private static Answer answer(String pkgName, long revision) {
        return new Answer(pkgName, revision, "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}"
                .getBytes(StandardCharsets.US_ASCII), "default");
    }

    private static String get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
