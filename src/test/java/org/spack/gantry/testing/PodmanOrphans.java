package org.spack.gantry.testing;

import java.io.IOException;
import java.time.Duration;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Removes, before any test runs, the test containers whose owning test process is gone (a
 * run killed before its clean-up, as when a session ends mid-test). Such a container keeps
 * its published port as podman's DNAT rule for {@code 127.0.0.1:PORT}, with no socket
 * bound: a later test that binds that port on loopback has its connections taken to the
 * container and refused. This happened once: a unit test's GitLab stand-in on 127.0.0.1:44045
 * was "refused" by a container a killed run had published there.
 * Registered in {@code META-INF/services}, for the unit and the integration test JVMs alike.
 */
public final class PodmanOrphans implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!Processes.onPath("podman")) return;
        try {
            Processes.Result r = Podman.podman(Duration.ofSeconds(30), "ps", "-a", "--filter", "label=" + Podman.OWNER_LABEL,
                    "--format", "{{.ID}} {{index .Labels \"" + Podman.OWNER_LABEL + "\"}}");
            if (r.code() != 0) return;
            for (String line : r.out().strip().lines().toList()) {
                String[] f = line.strip().split("\\s+");
                if (f.length != 2 || ownerAlive(f[1])) continue;
                Processes.Result rm = Podman.podman(Duration.ofMinutes(1), "rm", "-f", "-t", "0", f[0]);
                System.out.printf("[container tests] removed container %s, left running by test process %s, which is gone"
                        + " (%s)%n", f[0], f[1], rm.code() == 0 ? "removed" : "podman rm failed: " + rm.err().strip());
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            System.out.println("[container tests] could not look for containers left by earlier runs: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean ownerAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
