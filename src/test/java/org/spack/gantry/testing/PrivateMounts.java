package org.spack.gantry.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a bash script in a mount namespace of its own ({@code unshare}), where it may mount
 * a small tmpfs (a real full file system) or remount one read-only: real file systems, seen
 * by nothing else on the machine, and gone with the script. The packaged archive and the
 * test's files stay visible inside. Where namespaces are not allowed the tests that need
 * them are skipped with the reason; CI sets {@code GANTRY_REQUIRE_PRIVATE_MOUNTS=1} so that
 * they fail instead.
 */
public final class PrivateMounts {
    public static final String NOT_AVAILABLE = "unshare cannot make a mount namespace here";
    private static Boolean available;

    private PrivateMounts() {}

    /** Whether a mount namespace can be made here (or must be: then the tests run and fail). */
    public static synchronized boolean available() {
        if (available == null) {
            try {
                available = run(Path.of(System.getProperty("java.io.tmpdir")), Map.of(),
                        "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs \"$d\" && umount \"$d\" && rmdir \"$d\"").code() == 0;
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        return available || "1".equals(System.getenv("GANTRY_REQUIRE_PRIVATE_MOUNTS"));
    }

    /** Runs {@code script} with bash, as root of a private user and mount namespace; its exit code and output. */
    public static Processes.Result run(Path cwd, Map<String, String> env, String script) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private",
                "bash", "-euc", script));
        return Processes.run(cwd, env, command);
    }
}
