package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.spack.gantry.testing.AllocationProbe;
import org.spack.gantry.testing.BaseImage;
import org.spack.gantry.testing.DocBlocks;
import org.spack.gantry.testing.Podman;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.ReleaseVariants;
import org.spack.gantry.testing.Webhooks;

/**
 * packaging/tester built and run as its README says, on the locally made Debian base (the
 * README's "In the tests" lists each change this test makes to the commands, and why).
 */
@ExtendWith(org.spack.gantry.testing.RequiresPodman.class)
class TesterContainerIT {
    private static final Path README = Path.of("packaging/tester/README.md");
    private static final String DEFAULT_ANSWER =
            "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}";
    private static final String NOWHERE = "http://127.0.0.1:9";

    @Test
    void theTesterImageBuildsOnTheGivenBaseAndServesAsTheReadmeShows() throws Exception {
        String base = BaseImage.tag();
        String image = "localhost/gantry-tester-it:" + UUID.randomUUID().toString().substring(0, 8);
        String container = "gantry-tester-it-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> commands = new ArrayList<>();
        DocBlocks.of(README).section("").forEach(b -> commands.addAll(DocBlocks.commands(b)));
        String build = the(commands, "podman build --build-arg BASE=");
        String run = the(commands, "podman run --rm -v $PWD/target:/artifact:ro -p 8080:8080 --env-file packaging/tester/test.env -e ");

        long start = System.nanoTime();
        List<String> buildArgs = words(build.replaceFirst("BASE=\\S+", "BASE=" + base));
        swap(buildArgs, "gantry-tester", image);
        buildArgs.addAll(2, Podman.LIMITS);
        String built = Podman.podmanOk(Duration.ofMinutes(5), podmanArgs(buildArgs));
        assertTrue(built.contains("gantry-tester: Java from the base image: openjdk version \"17"),
                "the Java check found the base's Java, so dnf was not called:\n" + built);
        long builtAt = System.nanoTime();

        List<String> runArgs = words(run.replace("$PWD/target", ReleaseVariants.packagedArchive().getParent().toString())
                .replaceAll("=https://[a-z.]+\\.example\\.org", "=" + NOWHERE));
        swap(runArgs, "8080:8080", "127.0.0.1::8080");
        swap(runArgs, "gantry-tester", image);
        List<String> extra = new ArrayList<>(List.of("-d", "--name", container));
        extra.addAll(Podman.LIMITS);
        extra.addAll(Podman.OWNED);
        runArgs.addAll(2, extra);
        try {
            Podman.podmanOk(Duration.ofMinutes(2), podmanArgs(runArgs));
            String address = Podman.podmanOk(Duration.ofSeconds(30), "port", container, "8080/tcp").strip();
            String url = "http://" + address;
            JsonObject health = JsonParser.parseString(waitForHealth(url, container)).getAsJsonObject();
            long healthyAt = System.nanoTime();
            String version = Processes.run(Path.of("."), java.util.Map.of(),
                    List.of("sh", ReleaseVariants.packagedArchive().toString(), "--version")).out().strip().replaceFirst("^gantry ", "");
            assertEquals("ok", health.get("status").getAsString());
            assertEquals(version, health.get("version").getAsString());
            assertEquals("enabled", health.get("collection").getAsString(), health.toString());

            Webhooks webhooks = new Webhooks(url, "a-long-random-secret");
            HttpResponse<String> allocation = Webhooks.get(webhooks.client(),
                    url + "/v1/allocation?spec=" + URLEncoder.encode(AllocationProbe.SPEC, StandardCharsets.UTF_8));
            assertEquals(200, allocation.statusCode(), allocation.body());
            assertEquals(DEFAULT_ANSWER, allocation.body());
            long now = System.currentTimeMillis() / 1000;
            HttpResponse<String> ack = webhooks.post(Webhooks.success(4242, now - 600, now - 60).toString());
            assertEquals(200, ack.statusCode(), "the webhook was acknowledged: " + ack.body());
            HttpResponse<String> refused = new Webhooks(url, "another-token").post(Webhooks.success(4243, now - 600, now - 60).toString());
            assertFalse(refused.statusCode() == 200, "a webhook with the wrong token is not acknowledged");

            Processes.Result log = Podman.podman(Duration.ofSeconds(30), "logs", container);
            String logs = log.out() + log.err();
            assertTrue(logs.contains("gantry-tester: gantry " + version + " installed under"), logs);
            System.out.printf("[container tests] TesterContainerIT: podman build %d s, run to healthy %d s%n",
                    (builtAt - start) / 1_000_000_000, (healthyAt - builtAt) / 1_000_000_000);
        } finally {
            Podman.podman(Duration.ofMinutes(1), "rm", "-f", "-t", "0", container);
            Podman.podman(Duration.ofMinutes(1), "rmi", "-f", image);
        }
    }

    /** The one README command that starts with the prefix. */
    private static String the(List<String> commands, String prefix) {
        List<String> found = commands.stream().filter(c -> c.startsWith(prefix)).toList();
        assertEquals(1, found.size(), "the README has one command starting '" + prefix + "': " + commands);
        return found.get(0);
    }

    private static List<String> words(String command) {
        return new ArrayList<>(Arrays.asList(command.split(" ")));
    }

    /** Replaces the one word that is exactly {@code word}: the README must have it. */
    private static void swap(List<String> words, String word, String with) {
        assertEquals(1, words.stream().filter(word::equals).count(), word + " in " + words);
        words.set(words.indexOf(word), with);
    }

    /** The command's words after "podman", with the global options first. */
    private static String[] podmanArgs(List<String> words) {
        assertEquals("podman", words.get(0));
        return words.subList(1, words.size()).toArray(String[]::new);
    }

    private static String waitForHealth(String url, String container) throws Exception {
        try {
            return Processes.waitForOk(url + "/healthz", Duration.ofSeconds(120));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- podman logs:\n" + Podman.podman(Duration.ofSeconds(30), "logs", container).err()
                    + Podman.podman(Duration.ofSeconds(30), "logs", container).out(), e);
        }
    }
}
