package org.spack.gantry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/** LOG_FORMAT=json and GANTRY_ACCESS_LOG=true, read as journald's log shipper would read them. */
class LoggingIT {
    private static final String HOOK_TOKEN = "logging-token";

    @TempDir
    Path dir;

    @Test
    void jsonLinesCarryTimeLevelLoggerMessageAndTheJobAndTheAccessLogNoQuery() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        String log;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            env.put("LOG_FORMAT", "json");
            env.put("GANTRY_ACCESS_LOG", "true");
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                assertEquals(200, hooks.post(Webhooks.success(4242, now - 3600, now - 3000)));
                StoredRows.awaitOutcomes(db, List.of(4242L), Duration.ofSeconds(60));
                String spec = URLEncoder.encode("zlib@1.3 +shared arch=x86_64%gcc@12.3.0", StandardCharsets.UTF_8);
                assertEquals(200, Webhooks.get(hooks.client(), gantry.url("/v1/allocation?spec=" + spec + "&private_token=s3cret"))
                        .statusCode());
                // JSON escapes the slashes: look for what follows the path
                assertTrue(gantry.awaitLog("allocation 200 ", Duration.ofSeconds(10)), gantry.logText());
                assertEquals(0, gantry.terminate(Duration.ofSeconds(30)) == null ? -1 : 0);
                log = gantry.logText();
            }
        }
        assertFalse(log.contains("s3cret"), "a query string reached the log:\n" + log);
        assertFalse(log.contains(HOOK_TOKEN), log);
        JsonObject access = null;
        JsonObject collected = null;
        for (String line : log.lines().toList()) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject(); // every line is one JSON object
            for (String field : List.of("timestamp", "level", "loggerName", "formattedMessage")) {
                assertTrue(o.has(field), field + " missing in " + line);
            }
            String message = o.get("formattedMessage").getAsString();
            if (message.startsWith("GET /v1/allocation 200 ")) access = o;
            if (message.startsWith("job 4242 inserted")) collected = o;
        }
        assertTrue(access != null, log);
        assertEquals("INFO", access.get("level").getAsString());
        assertEquals("gantry.access", access.get("loggerName").getAsString());
        assertTrue(access.get("formattedMessage").getAsString().matches("GET /v1/allocation 200 \\d+ bytes \\d+ ms"), access.toString());
        assertTrue(access.toString().contains("\"route\""), "the route is a field: " + access);
        assertTrue(collected != null, log);
        assertEquals("4242", collected.getAsJsonObject("mdc").get("job").getAsString(), collected.toString());
        assertTrue(log.contains("gantry listening on"), "routine events show at the default level");
    }
}
