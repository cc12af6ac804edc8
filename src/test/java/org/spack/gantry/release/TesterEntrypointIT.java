package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.ReleaseVariants;

/**
 * packaging/tester/entrypoint.sh, run directly with a temporary root: it must install the
 * archive as a server would and end serving. TesterContainerIT runs it in its container.
 */
class TesterEntrypointIT {
    private static final Path ENTRYPOINT = Path.of("packaging/tester/entrypoint.sh").toAbsolutePath();
    /** What the entrypoint writes into environment.json; inherited values would blur what the test proves. */
    private static final List<String> SETTINGS = List.of("PROMETHEUS_URL", "PROMETHEUS_COOKIE", "GITLAB_URL",
            "GITLAB_API_TOKEN", "GITLAB_WEBHOOK_TOKEN", "DB_FILE", "GANTRY_HOST", "GANTRY_PORT", "LOG_LEVEL", "GANTRY_ENV_FILE");

    @TempDir
    Path tmp;

    @Test
    void theEntrypointInstallsTheArchiveAndEndsWithAHealthyServer() throws Exception {
        assumeTrue(Processes.onPath("dash") || System.getenv("CI") != null, "dash is not installed");
        Path root = tmp.resolve("root");
        int port = Processes.freePort();
        ProcessBuilder pb = new ProcessBuilder("dash", ENTRYPOINT.toString()).directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("entrypoint.log").toFile());
        SETTINGS.forEach(pb.environment()::remove);
        pb.environment().putAll(Map.of(
                "GANTRY_TESTER_ARTIFACT", ReleaseVariants.packagedArchive().toString(),
                "GANTRY_TESTER_ROOT", root.toString(),
                "GANTRY_HOST", "127.0.0.1",
                "GANTRY_PORT", Integer.toString(port),
                "LOG_LEVEL", "INFO",
                // all four collection settings: /healthz says "enabled" only if serve read them from environment.json
                "PROMETHEUS_URL", "http://127.0.0.1:9/api/v1",
                "GITLAB_URL", "http://127.0.0.1:9/api/v4/projects/2",
                "GITLAB_API_TOKEN", "api-token",
                "GITLAB_WEBHOOK_TOKEN", "webhook \"token\" with \\ and quotes"));
        // a setting the entrypoint has no list for, and one a new release might add
        pb.environment().put("GANTRY_HTTP_TIMEOUT_SECONDS", "7");
        pb.environment().put("GANTRY_SETTING_OF_A_LATER_RELEASE", "x");
        Process entrypoint = pb.start();
        try {
            JsonObject health = JsonParser.parseString(waitForHealth(entrypoint, port, tmp.resolve("entrypoint.log")))
                    .getAsJsonObject();
            String version = Processes.run(tmp, Map.of(), List.of("sh", ReleaseVariants.packagedArchive().toString(), "--version"))
                    .out().strip().replaceFirst("^gantry ", "");
            assertEquals("ok", health.get("status").getAsString());
            assertEquals(version, health.get("version").getAsString());
            assertEquals("enabled", health.get("collection").getAsString(), "serve read its settings from environment.json");

            assertEquals(Path.of("releases", version), Files.readSymbolicLink(root.resolve("current")));
            Path env = root.resolve("shared/environment.json");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
            assertEquals("webhook \"token\" with \\ and quotes",
                    JsonParser.parseString(Files.readString(env)).getAsJsonObject().get("GITLAB_WEBHOOK_TOKEN").getAsString());
            JsonObject written = JsonParser.parseString(Files.readString(env)).getAsJsonObject();
            assertEquals("7", written.get("GANTRY_HTTP_TIMEOUT_SECONDS").getAsString());
            assertEquals("x", written.get("GANTRY_SETTING_OF_A_LATER_RELEASE").getAsString());
            assertTrue(written.keySet().stream().noneMatch(k -> k.startsWith("GANTRY_TESTER_")), written.toString());
            assertTrue(Files.isRegularFile(root.resolve("shared/gantry.db")), "migrated into shared/gantry.db");
            // exec: the process the container runs is the JVM itself, so podman's SIGTERM reaches it
            assertTrue(entrypoint.info().command().orElse("").endsWith("java"), entrypoint.info().toString());
        } finally {
            entrypoint.destroy();
            if (!entrypoint.waitFor(30, TimeUnit.SECONDS)) {
                entrypoint.destroyForcibly().waitFor();
            }
        }
    }

    /** The entrypoint passes settings on by their naming convention: every setting the loader reads must follow it. */
    @Test
    void everySettingTheServiceReadsFollowsTheConventionTheEntrypointPassesOn() throws IOException {
        String loader = Files.readString(Path.of("src/main/java/org/spack/gantry/config/ConfigLoader.java"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([A-Z][A-Z0-9]*_[A-Z0-9_]+)\"").matcher(loader);
        List<String> names = m.results().map(r -> r.group(1)).distinct().toList();
        assertTrue(names.contains("GANTRY_HTTP_TIMEOUT_SECONDS"), names.toString());
        for (String name : names) {
            assertTrue(name.matches("DB_FILE|(PROMETHEUS|GITLAB|GANTRY|LOG)_[A-Z0-9_]*"),
                    name + " does not follow the convention packaging/tester/entrypoint.sh relies on");
        }
    }

    @Test
    void aMissingArchiveIsNamedWithTheMountThatProvidesIt() throws Exception {
        Processes.Result r = Processes.run(tmp, Map.of("GANTRY_TESTER_ARTIFACT", tmp.resolve("absent.run").toString(),
                "GANTRY_TESTER_ROOT", tmp.resolve("root").toString()), List.of("sh", ENTRYPOINT.toString()));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no archive at " + tmp.resolve("absent.run")) && r.err().contains("-v "), r.err());
    }

    @Test
    void theEntrypointPassesShellcheck() throws Exception {
        assumeTrue(Processes.onPath("shellcheck") || System.getenv("CI") != null, "shellcheck is not installed");
        Processes.Result r = Processes.run(tmp, Map.of(), List.of("shellcheck", "-s", "sh", ENTRYPOINT.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
    }

    /** The body of the first 200 from /healthz; fails at once, with the log, if the entrypoint exits. */
    private static String waitForHealth(Process entrypoint, int port, Path log) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!entrypoint.isAlive()) {
                throw new AssertionError("the entrypoint exited with " + entrypoint.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return r.body();
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no healthy server within 60 s:\n" + Files.readString(log));
    }
}
