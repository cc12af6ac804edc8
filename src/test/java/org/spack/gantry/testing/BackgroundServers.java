package org.spack.gantry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Servers started outside the test's own process tree (by a playbook's restart command),
 * which the test must still stop: they are found by the PIDs recorded in a file, one a line.
 */
public final class BackgroundServers {
    private static final long STOP_TIMEOUT_MS = 30_000;

    private BackgroundServers() {}

    /** SIGTERM to every PID listed, then SIGKILL to any still running after the timeout. */
    public static void stopAll(Path pidList) throws IOException, InterruptedException {
        if (!Files.exists(pidList)) return;
        List<Long> pids = Files.readAllLines(pidList).stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(Long::parseLong).toList();
        for (long pid : pids) {
            if (running(pid)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        long deadline = System.currentTimeMillis() + STOP_TIMEOUT_MS;
        for (long pid : pids) {
            while (running(pid) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            if (running(pid)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Whether the process runs. An orphan that exited stays a zombie where init does not
     * reap it, and a zombie serves nothing: it counts as stopped.
     */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return !afterName.startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }
}
