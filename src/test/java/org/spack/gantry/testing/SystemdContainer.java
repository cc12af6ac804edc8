package org.spack.gantry.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A container of the {@link BaseImage} booted with systemd as PID 1
 * ({@code podman run --systemd=always IMAGE /sbin/init}), used as a host: commands run in it
 * as root through {@code podman exec}. Removed on {@link #close}.
 */
public final class SystemdContainer implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(2);

    private final String name;

    private SystemdContainer(String name) {
        this.name = name;
    }

    /**
     * Boots a container and waits until systemd reports the boot finished.
     * @param options more {@code podman run} options: capabilities, published ports
     */
    public static SystemdContainer boot(String image, List<String> options) throws IOException, InterruptedException {
        String name = "gantry-it-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", name, "--hostname", "gantry-host", "--systemd=always"));
        run.addAll(Podman.LIMITS);
        run.addAll(Podman.OWNED);
        run.addAll(options);
        run.addAll(List.of(image, "/sbin/init"));
        Podman.podmanOk(Duration.ofMinutes(2), run.toArray(String[]::new));
        SystemdContainer c = new SystemdContainer(name);
        try {
            // --wait: until the boot's jobs are done; "degraded" would name a failed unit, which is a failure here.
            // Until systemd has made its socket, systemctl cannot connect and says nothing on stdout.
            Processes.Result state = c.exec("systemctl is-system-running --wait");
            long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
            while (state.out().isBlank() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                state = c.exec("systemctl is-system-running --wait");
            }
            if (!state.out().strip().equals("running")) {
                throw new AssertionError("systemd in " + name + " is '" + state.out().strip() + "' (" + state.err().strip() + "):\n"
                        + c.exec("systemctl --failed --no-pager; journalctl -b --no-pager | tail -n 40").out());
            }
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    public String name() {
        return name;
    }

    /** Runs a bash script as root in /root: its exit code and output. */
    public Processes.Result exec(String script) throws IOException, InterruptedException {
        return Podman.podman(COMMAND_TIMEOUT, "exec", "-w", "/root", name, "bash", "-euo", "pipefail", "-c", script);
    }

    /** Runs a bash script as root in /root; fails with its output unless it exits 0; its standard output. */
    public String execOk(String script) throws IOException, InterruptedException {
        Processes.Result r = exec(script);
        if (r.code() != 0) {
            throw new AssertionError("exit " + r.code() + " from:\n" + script + "\n--- output:\n" + r.out() + r.err());
        }
        return r.out();
    }

    /** Copies a file of this machine into the container. */
    public void copyIn(Path file, String path) throws IOException, InterruptedException {
        Podman.podmanOk(COMMAND_TIMEOUT, "cp", file.toString(), name + ":" + path);
    }

    /** Copies a file of the container out to this machine. */
    public void copyOut(String path, Path file) throws IOException, InterruptedException {
        Podman.podmanOk(COMMAND_TIMEOUT, "cp", name + ":" + path, file.toString());
    }

    /** Properties of a unit, as {@code systemctl show -p A,B UNIT} gives them. */
    public Map<String, String> show(String unit, String... properties) throws IOException, InterruptedException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : execOk("systemctl show -p " + String.join(",", properties) + " " + unit).lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) values.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return values;
    }

    /** The host address of a published container port ({@code -p 127.0.0.1::PORT}). */
    public String published(int port) throws IOException, InterruptedException {
        return Podman.podmanOk(Duration.ofSeconds(60), "port", name, port + "/tcp").strip().lines().findFirst().orElseThrow();
    }

    /** The unit's journal, for failure messages. */
    public String journal(String unit) throws IOException, InterruptedException {
        return exec("journalctl -u " + unit + " --no-pager -n 60").out();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Podman.podman(Duration.ofMinutes(2), "rm", "-f", "-t", "0", name);
    }
}
