package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.BackgroundServers;
import org.spack.gantry.testing.PostgresServer;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.ReleaseVariants;

/**
 * Issue 20: ansible/deploy.yml on two "hosts" (two service roots on this machine, each with
 * its own port) sharing one real PostgreSQL database through gantry_database_url. A deploy
 * migrates the database once, from the first host, and restarts the hosts one at a time,
 * each healthy on the new release before the next is touched; a release that never becomes
 * healthy stops the rollout at the first host, which goes back, while the other still serves
 * the old release.
 */
class AnsibleFleetIT {
    private static final Path ANSIBLE_DIR = Path.of("ansible").toAbsolutePath();
    private static final Path RESTART_SCRIPT = Path.of("src/test/resources/ansible/restart-in-background.sh").toAbsolutePath();
    private static final List<String> HOSTS = List.of("host-a", "host-b");
    private static final String SECOND = "2.0.0-fleet";
    private static final String NEVER_HEALTHY = "4.0.0-fleet-never-healthy";

    @TempDir
    Path work;

    private final Map<String, Integer> ports = new LinkedHashMap<>();

    @Test
    void aRollingUpgradeOfTwoHostsOnOneDatabaseStopsAtTheFirstUnhealthyHost() throws Exception {
        assumeTrue(Processes.onPath("ansible-playbook") || System.getenv("CI") != null, "ansible-playbook is not installed");
        long began = System.nanoTime();
        PostgresServer pg = PostgresServer.shared();
        String database = pg.createDatabase();
        Path second = ReleaseVariants.archive(work.resolve("build/second"), SECOND);
        Path neverHealthy = ReleaseVariants.archive(work.resolve("build/never"), NEVER_HEALTHY);
        Path inventory = inventory();
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("gantry_database_url", pg.url(database));
        vars.put("gantry_database_password", Files.readString(pg.passwordFile()).strip());
        vars.put("gantry_user", System.getProperty("user.name"));
        vars.put("gantry_group", Files.readAttributes(work, PosixFileAttributes.class).group().getName());
        vars.put("ansible_become", false);
        vars.put("gantry_manage_user", false);
        vars.put("gantry_manage_systemd", false);
        vars.put("gantry_health_timeout", 60);
        try {
            // the first deploy: one migration, from host-a; host-a healthy on it before host-b is
            // restarted; both hosts serve from the one database
            Processes.Result deploy = playbook(inventory, vars, second);
            String out = output(deploy);
            assertEquals(0, deploy.code(), out);
            assertEquals(List.of("host-a"), hostsOfTask(out, "Migrate the shared database, once"));
            assertEquals(List.of(), hostsRunning(out, "Back up and migrate the database"));
            int aHealthy = out.indexOf("ok: [host-a]", out.indexOf("TASK [gantry : Wait until the service answers healthy"));
            int bRestarted = out.indexOf("changed: [host-b]", out.indexOf("TASK [gantry : Restart the service on release",
                    aHealthy));
            assertTrue(aHealthy > 0 && bRestarted > aHealthy, "host-b restarted before host-a was healthy:\n" + out);
            for (String host : HOSTS) {
                JsonObject health = health(host);
                assertEquals(SECOND, health.get("version").getAsString());
                assertEquals("postgresql://gantry@127.0.0.1:" + pg.port() + "/" + database, health.get("database").getAsString());
                assertFalse(Files.exists(work.resolve(host + "/shared/gantry.db")), "no SQLite file on " + host);
            }

            // a release that never answers healthy: host-a goes back, host-b is never restarted
            Map<String, Object> failing = new LinkedHashMap<>(vars);
            failing.put("gantry_health_url", "http://127.0.0.1:" + Processes.freePort() + "/healthz");
            failing.put("gantry_health_timeout", 3);
            Processes.Result broken = playbook(inventory, failing, neverHealthy);
            out = output(broken);
            assertNotEquals(0, broken.code(), out);
            assertTrue(out.contains("current is back on gantry " + SECOND), out);
            assertEquals(List.of(), hostsRunning(out.substring(out.indexOf("PLAY [Deploy Gantry]")), "host-b"),
                    "host-b was touched by the rollout:\n" + out);
            for (String host : HOSTS) {
                assertEquals(SECOND, health(host).get("version").getAsString(), host);
                assertEquals("releases/" + SECOND, Files.readSymbolicLink(work.resolve(host + "/current")).toString(), host);
            }
        } finally {
            for (String host : HOSTS) BackgroundServers.stopAll(work.resolve(host + "-state/server.pids"));
            System.out.printf("AnsibleFleetIT: %.1f s%n", (System.nanoTime() - began) / 1e9);
        }
    }

    /** Two names for this machine, each a service root with a port of its own. */
    private Path inventory() throws Exception {
        Path dir = Files.createDirectories(work.resolve("inventory"));
        StringBuilder ini = new StringBuilder("[gantry]\n");
        Gson gson = new Gson();
        Files.createDirectories(dir.resolve("host_vars"));
        for (String host : HOSTS) {
            int port = Processes.freePort();
            ports.put(host, port);
            Path root = work.resolve(host);
            Path state = Files.createDirectories(work.resolve(host + "-state"));
            ini.append(host).append(" ansible_connection=local ansible_python_interpreter=auto_silent\n");
            Map<String, Object> hostVars = new LinkedHashMap<>();
            hostVars.put("gantry_root", root.toString());
            hostVars.put("gantry_restart_command", "sh '" + RESTART_SCRIPT + "' '" + root + "' '" + state + "'");
            hostVars.put("gantry_health_url", "http://127.0.0.1:" + port + "/healthz");
            hostVars.put("gantry_env", Map.of("GANTRY_HOST", "127.0.0.1", "GANTRY_PORT", Integer.toString(port),
                    "LOG_LEVEL", "INFO", "GANTRY_RECONCILE_INTERVAL_SECONDS", "0"));
            Files.writeString(dir.resolve("host_vars/" + host + ".json"), gson.toJson(hostVars));
        }
        return Files.writeString(dir.resolve("hosts"), ini);
    }

    private Processes.Result playbook(Path inventory, Map<String, Object> vars, Path artifact) throws Exception {
        Map<String, Object> all = new LinkedHashMap<>(vars);
        all.put("gantry_artifact", artifact.toString());
        Path varsFile = Files.writeString(Files.createTempFile(work, "vars", ".json"), new Gson().toJson(all));
        Processes.Result r = Processes.run(ANSIBLE_DIR, Map.of("ANSIBLE_NOCOLOR", "1", "ANSIBLE_RETRY_FILES_ENABLED", "false", "ANSIBLE_PIPELINING", "True",
                "ANSIBLE_LOCAL_TEMP", work.resolve("ansible-tmp").toString()),
                List.of("ansible-playbook", "-i", inventory.toString(), "-e", "@" + varsFile, "deploy.yml"));
        assertFalse(output(r).contains(Files.readString(PostgresServer.shared().passwordFile()).strip()),
                "the database password reached Ansible's output");
        return r;
    }

    private static String output(Processes.Result r) {
        return r.out() + r.err();
    }

    private static final Pattern HOST_LINE = Pattern.compile("^(?:ok|changed|fatal|failed): \\[([^\\]]+)\\]", Pattern.MULTILINE);

    /** The hosts a task ran on (ok, changed or failed), from its TASK header to the next one. */
    private static List<String> hostsOfTask(String output, String task) {
        int at = output.indexOf("TASK [gantry : " + task);
        assertTrue(at >= 0, "no task " + task + ":\n" + output);
        int end = output.indexOf("TASK [", at + 1);
        Matcher m = HOST_LINE.matcher(output.substring(at, end < 0 ? output.length() : end));
        List<String> hosts = new ArrayList<>();
        while (m.find()) hosts.add(m.group(1));
        return hosts;
    }

    /** The hosts that ran some task whose header contains {@code text} (or the hosts named {@code text} that ran anything). */
    private static List<String> hostsRunning(String output, String text) {
        List<String> hosts = new ArrayList<>();
        Matcher m = HOST_LINE.matcher(output);
        while (m.find()) {
            int header = output.lastIndexOf("TASK [", m.start());
            String line = header < 0 ? "" : output.substring(header, output.indexOf('\n', header));
            if ((line.contains(text) || m.group(1).equals(text)) && !hosts.contains(m.group(1))) hosts.add(m.group(1));
        }
        return hosts;
    }

    private JsonObject health(String host) throws InterruptedException {
        return JsonParser.parseString(Processes.waitForOk("http://127.0.0.1:" + ports.get(host) + "/healthz",
                Duration.ofSeconds(30))).getAsJsonObject();
    }
}
