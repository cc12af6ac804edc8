package org.spack.gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.GantryProcess;

/** {@code gantry.run serve} where it cannot listen: one line that names the setting, exit 1, no stack trace. */
class ServeListenIT {
    @TempDir
    Path dir;

    @Test
    void aHostThatDoesNotResolveOrAPortTakenIsOneLineNamingTheSetting() throws Exception {
        Map<String, String> env = Map.of("DB_FILE", dir.resolve("gantry.db").toString());
        // .invalid never resolves (RFC 2606)
        GantryProcess.Result r = GantryProcess.run(dir, with(env, "GANTRY_HOST", "not.a.host.invalid"), Duration.ofSeconds(60),
                "serve");
        assertEquals(1, r.exit(), r.err());
        assertEquals(List.of("gantry: error: GANTRY_HOST 'not.a.host.invalid' is neither an address nor a host name this"
                + " machine can resolve"), errors(r), r.err());
        assertFalse(r.err().contains("Exception"), r.err());

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            GantryProcess.Result busy = GantryProcess.run(dir, with(with(env, "GANTRY_HOST", "127.0.0.1"), "GANTRY_PORT", port),
                    Duration.ofSeconds(60), "serve");
            assertEquals(1, busy.exit(), busy.err());
            assertEquals(List.of("gantry: error: cannot listen on 127.0.0.1:" + port + ": Address already in use"), errors(busy),
                    busy.err());
            assertFalse(busy.err().contains("Exception"), busy.err());
        }
    }

    /** The error lines, up to the detail in parentheses. */
    private static List<String> errors(GantryProcess.Result r) {
        return r.err().lines().filter(l -> l.startsWith("gantry: error: ")).map(l -> l.replaceFirst(" \\(.*$", "")).toList();
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(name, value);
        return all;
    }
}
