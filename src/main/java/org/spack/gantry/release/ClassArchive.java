package org.spack.gantry.release;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The release's class data archive ({@code lib/gantry.jsa}, AppCDS): the classes a server
 * loads on its way to its first answer, already parsed and verified, so that {@code
 * bin/gantry} starts in about two thirds of the time. Java 17 writes such an archive
 * when a JVM run with {@code -XX:ArchiveClassesAtExit} ends, so it is made once at
 * unpack: a {@code serve} of this very release (its final path: the archive holds it) on
 * an empty database in a temporary directory, on loopback, asked once on each route, then
 * stopped. The archive is only for the Java that made it; another one ignores it.
 */
final class ClassArchive {
    static final String PATH = "lib/gantry.jsa";
    private static final long START_SECONDS = 120;

    private ClassArchive() {}

    /** Makes {@code release/lib/gantry.jsa}; on failure says why and leaves none (the release works without). */
    static void make(Path release) {
        Path archive = release.resolve(PATH);
        Path partial = release.resolve(PATH + ".partial");
        Path work = null;
        try {
            work = Files.createTempDirectory("gantry-class-archive-");
            train(release, partial, work);
            if (!Files.isRegularFile(partial)) throw new IOException("the JVM wrote no archive");
            partial.toFile().setReadable(true, false);
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            System.err.println("gantry.run: warning: no class data archive (" + e.getMessage()
                    + "); the release works, it only starts slower");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // nothing more to do
            }
            deleteRecursively(work);
        }
    }

    private static void train(Path release, Path partial, Path work) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the options this JVM was given by the launcher (its defaults, and JAVA_OPTS): those a server runs with
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-jar", release.resolve(ReleaseFiles.JAR).toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("serve.log").toFile());
        Map<String, String> env = pb.environment();
        // none of the operator's settings: an empty database here, nothing asked upstream
        env.keySet().removeIf(k -> k.startsWith("GANTRY_") || k.startsWith("GITLAB_") || k.startsWith("PROMETHEUS_")
                || k.equals("DB_FILE") || k.startsWith("LOG_") || k.equals("JAVA_TOOL_OPTIONS"));
        env.putAll(Map.of("DB_FILE", work.resolve("gantry.db").toString(), "GANTRY_HOST", "127.0.0.1",
                "GANTRY_PORT", Integer.toString(port), "LOG_LEVEL", "WARN"));
        Process serve = pb.start();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitHealthy(serve, base);
            ask(base + "/v1/allocation?spec=zlib%401.3.1%20%2Bshared%20arch%3Dlinux-x86_64%25gcc%4011.4.0", null);
            ask(base + "/v1/allocations", "[\"zlib@1.3.1 +shared arch=linux-x86_64%gcc@11.4.0\", \"nonsense\"]");
            ask(base + "/metrics", null);
            ask(base + "/v1/collect", "{}");
        } finally {
            serve.destroy(); // SIGTERM: a clean stop, at whose end the JVM writes the archive
            if (!serve.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
                serve.destroyForcibly().waitFor();
                throw new IOException("the training server did not stop");
            }
        }
    }

    private static void awaitHealthy(Process serve, String base) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!serve.isAlive()) throw new IOException("the training server exited with " + serve.exitValue());
            try {
                if (ask(base + "/healthz", null) == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("the training server did not answer within " + START_SECONDS + " s");
    }

    /** GET, or POST with {@code body}; the status. */
    private static int ask(String url, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2_000);
        c.setReadTimeout(10_000);
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
        try {
            int status = c.getResponseCode();
            try (var in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) in.readAllBytes();
            }
            return status;
        } finally {
            c.disconnect();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }
}
