package org.spack.gantry.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs podman as the container tests need it on these machines: the {@code runc} runtime
 * ({@code crun} refuses hybrid cgroups) and rlimits within the machine's hard limits (podman's
 * defaults exceed them). Where podman cannot run a container at all the tests are skipped,
 * except in CI ({@code CI} or {@code GANTRY_REQUIRE_PODMAN} set), where that is a failure.
 */
public final class Podman {
    /** Global options: before the subcommand. */
    public static final List<String> GLOBAL = List.of("--runtime", "runc");
    /** Options of {@code podman run} and {@code podman build}. */
    public static final List<String> LIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000");
    /** The label naming the test process that ran a container: see {@link PodmanOrphans}. */
    public static final String OWNER_LABEL = "gantry-it.owner-pid";
    /** Options of every {@code podman run} of the tests: the container says which process owns it. */
    public static final List<String> OWNED = List.of("--label", OWNER_LABEL + "=" + ProcessHandle.current().pid());

    private static Optional<String> whyNot;

    private Podman() {}

    /** In CI a podman that cannot run containers is a failure, never a reason to skip. */
    public static boolean required() {
        return System.getenv("CI") != null || System.getenv("GANTRY_REQUIRE_PODMAN") != null;
    }

    /** Why podman cannot run a container here, or empty when it can. */
    public static synchronized Optional<String> whyNot() {
        if (whyNot == null) {
            whyNot = probe();
        }
        return whyNot;
    }

    private static Optional<String> probe() {
        for (String program : List.of("podman", "runc")) {
            if (!Processes.onPath(program)) {
                return Optional.of(program + " is not on PATH (Debian packages podman and runc)");
            }
        }
        try {
            Processes.Result info = podman(Duration.ofSeconds(60), "info", "--format", "{{.Host.OCIRuntime.Name}}");
            if (info.code() != 0) {
                return Optional.of("podman info fails: " + info.err().strip().lines().findFirst().orElse(""));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.of("podman does not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return Optional.empty();
    }

    /** Fails in CI, skips elsewhere, when podman cannot run a container. */
    public static void assumeUsable() {
        Optional<String> why = whyNot();
        if (required() && why.isPresent()) {
            throw new AssertionError("podman cannot run a container here (" + why.get() + "): CI must install podman and runc (.ci/run does)");
        }
        assumeTrue(why.isEmpty(), () -> "podman cannot run a container here: " + why.orElse(""));
    }

    /** Runs {@code podman GLOBAL ARGS}: its exit code and output; throws when it takes longer than the timeout. */
    public static Processes.Result podman(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(GLOBAL);
        command.addAll(List.of(args));
        return run(timeout, command);
    }

    /** Like {@link #podman}, failing with the output unless it exits 0; its standard output. */
    public static String podmanOk(Duration timeout, String... args) throws IOException, InterruptedException {
        Processes.Result r = podman(timeout, args);
        if (r.code() != 0) {
            throw new AssertionError("podman " + String.join(" ", args) + " exited with " + r.code() + ":\n" + r.out() + r.err());
        }
        return r.out();
    }

    /** Runs a command to its end (or the timeout): its exit code and output. */
    public static Processes.Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        File out = File.createTempFile("podman-out", ".txt");
        File err = File.createTempFile("podman-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " took longer than " + timeout + ":\n"
                        + Files.readString(out.toPath()) + Files.readString(err.toPath()));
            }
            return new Processes.Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }
}
