package org.spack.gantry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code target/gantry.run serve} as a separate process, as systemd runs
 * it: configured by environment variables, logging to a file the test reads.
 */
public final class GantryProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private GantryProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The archive {@code mvn package} built (failsafe passes its path). */
    public static Path archive() {
        String path = System.getProperty("gantry.archive");
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException("system property gantry.archive must name target/gantry.run"
                    + " (run the integration tests with mvn verify)");
        }
        return Path.of(path);
    }

    /** What a command printed and how it ended. */
    public record Result(int exit, String out, String err) {}

    /** Runs {@code gantry.run ARGS...} to completion (stdout is a pipe: not a terminal). */
    public static Result run(Path dir, Map<String, String> env, Duration timeout, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(archive().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        cleanEnvironment(pb.environment());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(String.join(" ", command) + " took longer than " + timeout + ":\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** No setting of the machine running the tests may leak into the server under test. */
    private static void cleanEnvironment(Map<String, String> environment) {
        environment.keySet().removeIf(k -> k.startsWith("GANTRY_") || k.startsWith("GITLAB_")
                || k.startsWith("PROMETHEUS_") || k.equals("DB_FILE") || k.startsWith("LOG_"));
    }

    /** Starts {@code gantry.run serve} in {@code dir} with these variables (and a free port); waits for /healthz. */
    public static GantryProcess serve(Path dir, Map<String, String> env) throws IOException, InterruptedException {
        return serve(dir, env, null);
    }

    /**
     * As {@link #serve(Path, Map)}; {@code shellPrefix}, when not null, is bash run just
     * before the server replaces the shell (e.g. {@code ulimit -f 4096}).
     */
    public static GantryProcess serve(Path dir, Map<String, String> env, String shellPrefix)
            throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Processes.freePort();
            Path log = dir.resolve("gantry-" + port + ".log");
            List<String> command = new ArrayList<>();
            if (shellPrefix == null) {
                command.add(archive().toString());
            } else {
                // exec: the server keeps the shell's process id, so signals reach it
                command.addAll(List.of("bash", "-c", shellPrefix + " && exec \"$0\" \"$@\"", archive().toString()));
            }
            command.add("serve");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> environment = pb.environment();
            cleanEnvironment(environment);
            Map<String, String> all = new HashMap<>(Map.of("GANTRY_HOST", "127.0.0.1", "LOG_LEVEL", "INFO"));
            all.putAll(env);
            all.put("GANTRY_PORT", Integer.toString(port));
            environment.putAll(all);
            GantryProcess gantry = new GantryProcess(pb.start(), port, log);
            try {
                gantry.awaitHealthy(Duration.ofSeconds(60));
                return gantry;
            } catch (IOException e) {
                gantry.close();
                last = e;
            }
        }
        throw last;
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("gantry serve exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/healthz")))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("gantry serve not healthy after " + timeout + ":\n" + logText());
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** {@code kill -9}: no shutdown hook, no last write. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as systemd stops it; the exit status, or null when it did not exit in time. */
    public Integer terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the log holds the text (log lines are written a moment after the fact). */
    public boolean awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (logText().contains(text)) return true;
            Thread.sleep(50);
        }
        return logText().contains(text);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
