package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.Application;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.testing.GeneratedHistory;
import org.spack.gantry.testing.TestDatabases;

/** A kept answer is given only while its package's history is the one it was computed from. */
class AnswerCacheTest {
    @TempDir
    Path dir;

    /** A predictor whose history versions the test sets. */
    private static final class Versions implements Predictor {
        final Map<String, Long> versions = new HashMap<>();

        @Override
        public Prediction predict(Spec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long historyVersion(String pkgName) {
            return versions.getOrDefault(pkgName, 0L);
        }
    }

    @Test
    void keepsAnAnswerUntilItsPackagesHistoryChanges() {
        Versions predictor = new Versions();
        AnswerCache cache = new AnswerCache(predictor, 10);
        predictor.versions.put("a", 3L);
        cache.put("a@1 +x arch=x%gcc@1", "a", 3, Prediction.defaults());
        assertNull(cache.get("a@1 +x arch=x%gcc@1"), "kept only when asked for a second time");
        cache.put("a@1 +x arch=x%gcc@1", "a", 3, Prediction.defaults());
        cache.put("b@1 +x arch=x%gcc@1", "b", 0, Prediction.defaults());
        cache.put("b@1 +x arch=x%gcc@1", "b", 0, Prediction.defaults());
        assertEquals("default", cache.get("a@1 +x arch=x%gcc@1").predictor());
        assertNotNull(cache.get("b@1 +x arch=x%gcc@1"));

        predictor.versions.put("a", 4L); // a job of package a was stored
        assertNull(cache.get("a@1 +x arch=x%gcc@1"));
        assertNotNull(cache.get("b@1 +x arch=x%gcc@1"), "other packages' answers stay");

        predictor.versions.put("b", -1L); // b can no longer be answered from memory
        assertNull(cache.get("b@1 +x arch=x%gcc@1"));
        cache.put("c@1 +x arch=x%gcc@1", "c", -1, Prediction.defaults());
        cache.put("c@1 +x arch=x%gcc@1", "c", -1, Prediction.defaults());
        predictor.versions.put("c", -1L);
        assertNull(cache.get("c@1 +x arch=x%gcc@1"), "an answer without a version is not kept");
    }

    @Test
    void startsOverWhenFull() {
        Versions predictor = new Versions();
        AnswerCache cache = new AnswerCache(predictor, 3);
        for (int i = 0; i < 3; i++) {
            cache.put("s" + i, "p", 0, Prediction.defaults());
            cache.put("s" + i, "p", 0, Prediction.defaults());
        }
        assertNotNull(cache.get("s0"));
        cache.put("s3", "p", 0, Prediction.defaults());
        cache.put("s3", "p", 0, Prediction.defaults());
        assertNull(cache.get("s0"));
        assertNotNull(cache.get("s3"));
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
            for (int i = 0; i < 1000 && !app.answersFromMemory(); i++) Thread.sleep(10);
            assertEquals(true, app.answersFromMemory());
            for (int i = 0; i < 4; i++) {
                assertEquals(defaults, get(client, uri), "after " + i + " jobs");
                assertEquals(defaults, get(client, uri), "kept, after " + i + " jobs");
                GeneratedHistory.insert(other, List.of(new GeneratedHistory.Job("develop", "fresh", "1.0",
                        Map.of("mpi", true), "{\"mpi\": true}", "gcc", "11.4.0", 1_800_000_000L + i, 2.5, 3e9)));
            }
            assertEquals("{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"2500m\", \"KUBERNETES_MEMORY_REQUEST\": \"3000M\"}}",
                    get(client, uri));
        } finally {
            app.close();
        }
    }

    private static String get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
