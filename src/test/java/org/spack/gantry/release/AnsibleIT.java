package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.BackgroundServers;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.ReleaseVariants;

/**
 * ansible/deploy.yml and ansible/rollback.yml against localhost ({@code -c local}), with a
 * temporary gantry_root, no systemd and no user management: the restart command stops the
 * server it started last and starts {@code current/bin/gantry serve} in the background.
 *
 * <p>The numbered tests are one operator's history on one host, each step starting from
 * where the one before left it (a real deploy takes seconds; repeating the history before
 * every step would take minutes). A step after a failed one is skipped, not failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnsibleIT {
    private static final Path ANSIBLE_DIR = Path.of("ansible").toAbsolutePath();
    private static final Path RESTART_SCRIPT = Path.of("src/test/resources/ansible/restart-in-background.sh").toAbsolutePath();
    private static final Pattern RECAP = Pattern.compile(
            "localhost\\s*:\\s*ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)");
    /** Goes into environment.json through gantry_env, and must never appear in Ansible's output. */
    private static final String WEBHOOK_TOKEN = "webhook-token-that-no-log-must-hide";

    private static final String SECOND = "2.0.0-it";
    private static final String CLASHING = "3.0.0-clash";
    private static final String NEVER_HEALTHY = "4.0.0-never-healthy";
    private static final long JOBS = 5;
    private static final long NODES = 1;

    @TempDir
    static Path work;

    private Path root;
    private Path state;
    private Path db;
    private int port;
    private String first;
    private final Map<String, Path> archives = new LinkedHashMap<>();
    private int stepsDone;
    private int runs;

    /** One ansible-playbook run: its exit code, everything it printed, and its recap. */
    record Run(int code, String output, int changed, int failed) {}

    @BeforeAll
    void buildArchivesAndAReferenceDatabase() throws Exception {
        for (String tool : List.of("ansible-playbook", "sqlite3")) {
            assumeTrue(Processes.onPath(tool) || System.getenv("CI") != null, tool + " is not installed");
        }
        root = work.resolve("root");
        state = Files.createDirectories(work.resolve("state"));
        db = root.resolve("shared/gantry.db");
        port = Processes.freePort();

        Path packaged = ReleaseVariants.packagedArchive();
        first = sh(packaged.toString(), "--version").replaceFirst("^gantry ", "");
        archives.put(first, packaged);
        archives.put(SECOND, ReleaseVariants.archive(work.resolve("build/second"), SECOND));
        archives.put(CLASHING, ReleaseVariants.archiveWithClashingMigration(work.resolve("build/clashing"), CLASHING));
        archives.put(NEVER_HEALTHY, ReleaseVariants.archive(work.resolve("build/never-healthy"), NEVER_HEALTHY));

        // made as the reference implementation makes it: its schema and index, user_version 2, no Flyway history
        Files.createDirectories(db.getParent());
        Path script = Files.writeString(work.resolve("reference.sql"),
                Files.readString(Path.of("migrations/sqlite/V1__initial.sql")) + "\n" + Files.readString(Path.of("migrations/sqlite/V2__spec_index.sql"))
                        + "\nPRAGMA user_version = 2;\n" + Parity.text("insert_samples.sql"));
        sqlite(".read " + script);
        assertEquals(JOBS, rows("jobs"));
        assertEquals(NODES, rows("nodes"));

        Files.writeString(work.resolve("inventory"),
                "[gantry]\nlocalhost ansible_connection=local ansible_python_interpreter=auto_silent\n");
    }

    @AfterAll
    void stopEveryServerStarted() throws Exception {
        BackgroundServers.stopAll(state.resolve("server.pids"));
    }

    @Test
    @Order(1)
    void theFirstDeployAdoptsTheReferenceDatabaseKeepingEveryRow() throws Exception {
        step(1);
        Run preview = deploy(first, Map.of(), "--check");
        assertEquals(0, preview.code(), diagnostics(preview));
        assertEquals(List.of(db.getParent()), entries(root), "check mode creates nothing");
        assertEquals(List.of(db), entries(db.getParent()), "check mode creates nothing");

        Run run = deploy(first, Map.of());
        assertEquals(0, run.code(), diagnostics(run));
        assertEquals(0, run.failed());

        assertEquals("releases/" + first, link("current"));
        assertFalse(Files.exists(root.resolve("previous"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "nothing was live before");
        assertTrue(Files.isRegularFile(root.resolve("artifacts/gantry-" + first + ".run")));
        assertEquals(first, liveVersion());
        assertEquals(JOBS, rows("jobs"));
        assertEquals(NODES, rows("nodes"));
        assertEquals("2", sqlite("SELECT version FROM flyway_schema_history WHERE type = 'BASELINE';").strip(),
                "adopted at the reference's user_version");

        Path env = root.resolve("shared/environment.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
        assertTrue(Files.readString(env).contains(WEBHOOK_TOKEN));
        assertEquals(env.toRealPath(), root.resolve("releases/" + first + "/environment.json").toRealPath());
        stepsDone = 1;
    }

    @Test
    @Order(2)
    void aSecondRunChangesNothingAndCheckModeRunsClean() throws Exception {
        step(2);
        String serverPid = Files.readString(state.resolve("server.pid"));

        Run again = deploy(first, Map.of());
        assertEquals(0, again.code(), diagnostics(again));
        assertEquals(0, again.changed(), diagnostics(again));

        Run check = deploy(first, Map.of(), "--check");
        assertEquals(0, check.code(), diagnostics(check));
        assertEquals(0, check.changed(), diagnostics(check));

        assertEquals(serverPid, Files.readString(state.resolve("server.pid")), "the service was not restarted");
        stepsDone = 2;
    }

    /** From the upgrade on, the role also installs the alerting rules where a Prometheus would read them. */
    @Test
    @Order(3)
    void anUpgradeSwitchesCurrentAndTheLiveServiceReportsTheNewVersion() throws Exception {
        step(3);
        Path rulesDir = Files.createDirectories(work.resolve("prometheus-rules"));
        Run preview = deploy(SECOND, prometheusRules(), "--check");
        assertEquals(0, preview.code(), diagnostics(preview));
        assertEquals(0, preview.failed());
        assertEquals("releases/" + first, link("current"), "check mode changes nothing");
        assertFalse(Files.exists(root.resolve("releases/" + SECOND)), "check mode unpacks nothing");
        assertFalse(Files.exists(root.resolve("artifacts/gantry-" + SECOND + ".run")), "check mode copies nothing");
        assertEquals(List.of(), entries(rulesDir), "check mode installs no rules");

        Run run = deploy(SECOND, prometheusRules());
        assertEquals(0, run.code(), diagnostics(run));
        assertEquals("releases/" + SECOND, link("current"));
        assertEquals("releases/" + first, link("previous"));
        assertEquals(SECOND, liveVersion());
        assertEquals(JOBS, rows("jobs"));

        Path rules = rulesDir.resolve("gantry-alerts.yml");
        assertEquals(Files.readString(root.resolve("releases/" + SECOND + "/prometheus/gantry-alerts.yml")), Files.readString(rules));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(rules)));
        assertEquals(List.of("reloaded"), Files.readAllLines(state.resolve("prometheus-reloads")), "Prometheus was told once");
        stepsDone = 3;
    }

    @Test
    @Order(4)
    void aReleaseWhoseMigrationFailsNeverBecomesCurrentAndLeavesTheDatabaseAsItWas() throws Exception {
        step(4);
        String dumpBefore = sqlite(".dump");
        long backupsBefore = count(root.resolve("shared/backups"));

        Run run = deploy(CLASHING, Map.of());
        assertNotEquals(0, run.code(), diagnostics(run));
        assertTrue(run.output().contains("V99__clash.sql"), "names the failed migration: " + run.output());
        assertTrue(run.output().contains("current stays on " + SECOND), run.output());

        assertEquals("releases/" + SECOND, link("current"));
        assertFalse(Files.exists(root.resolve("releases/" + CLASHING)), "the failed release is removed");
        assertEquals(dumpBefore, sqlite(".dump"), "the database is as it was");
        assertEquals(JOBS, rows("jobs"));
        assertEquals(NODES, rows("nodes"));
        assertEquals(backupsBefore + 1, count(root.resolve("shared/backups")), "migrate backed the database up first");
        assertEquals(SECOND, liveVersion());
        stepsDone = 4;
    }

    @Test
    @Order(5)
    void aReleaseThatNeverBecomesHealthyIsSwitchedBackAndThePreviousStaysLive() throws Exception {
        step(5);
        int deadPort = Processes.freePort();
        Run run = deploy(NEVER_HEALTHY, Map.of(
                "gantry_health_url", "http://127.0.0.1:" + deadPort + "/healthz",
                "gantry_health_timeout", 3));
        assertNotEquals(0, run.code(), diagnostics(run));
        assertTrue(run.output().contains("gantry " + NEVER_HEALTHY + " did not become healthy"), run.output());
        assertTrue(run.output().contains("current is back on gantry " + SECOND), run.output());

        assertEquals("releases/" + SECOND, link("current"));
        assertEquals("releases/" + first, link("previous"), "previous is what it was before the failed deploy");
        assertFalse(Files.exists(root.resolve("releases/" + NEVER_HEALTHY)), "the failed release is removed");
        assertEquals(SECOND, liveVersion());
        stepsDone = 5;
    }

    @Test
    @Order(6)
    void rollbackBringsThePreviousReleaseBackLive() throws Exception {
        step(6);
        Run run = playbook("rollback.yml", vars(prometheusRules()));
        assertEquals(0, run.code(), diagnostics(run));
        assertEquals("releases/" + first, link("current"));
        assertEquals("releases/" + SECOND, link("previous"), "rolling back again returns to " + SECOND);
        assertEquals(first, liveVersion());
        assertEquals(JOBS, rows("jobs"));
        // both releases ship the same rules: installed, unchanged, so Prometheus is not told again
        assertEquals(Files.readString(root.resolve("releases/" + first + "/prometheus/gantry-alerts.yml")),
                Files.readString(work.resolve("prometheus-rules/gantry-alerts.yml")));
        assertEquals(List.of("reloaded"), Files.readAllLines(state.resolve("prometheus-reloads")));
        stepsDone = 6;
    }

    @Test
    @Order(7)
    void rollbackWithNothingToRollBackToFailsClearly() throws Exception {
        Map<String, Object> vars = vars(Map.of("gantry_root", Files.createDirectories(work.resolve("empty-root")).toString()));
        Run run = playbook("rollback.yml", vars);
        assertNotEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("nothing to roll back to on localhost"), run.output());
    }

    @Test
    @Order(8)
    void aFleetIsDeployedHostByHostAndTheFirstFailedHostStopsThePlay() throws Exception {
        Path fleet = Files.createDirectories(work.resolve("fleet"));
        // two names for this machine; the first is given an archive that does not exist
        Path inventory = Files.writeString(fleet.resolve("inventory"), "[gantry]\n"
                + "host-a ansible_connection=local ansible_python_interpreter=auto_silent gantry_root=" + fleet.resolve("a")
                + " gantry_artifact=" + fleet.resolve("absent.run") + "\n"
                + "host-b ansible_connection=local ansible_python_interpreter=auto_silent gantry_root=" + fleet.resolve("b")
                + " gantry_artifact=" + ReleaseVariants.packagedArchive() + "\n");
        Path vars = Files.writeString(fleet.resolve("vars.json"), new Gson().toJson(Map.of(
                "ansible_become", false, "gantry_manage_user", false, "gantry_manage_systemd", false)));
        Processes.Result r = Processes.run(ANSIBLE_DIR, Map.of("ANSIBLE_NOCOLOR", "1"),
                List.of("ansible-playbook", "-i", inventory.toString(), "-e", "@" + vars, "deploy.yml"));
        String output = r.out() + r.err();
        assertNotEquals(0, r.code(), output);
        assertTrue(output.contains("fatal: [host-a]"), output);
        // the rollout's play (the first play, the shared database's migration, is skipped without one)
        String rollout = output.substring(output.indexOf("PLAY [Deploy Gantry]"));
        assertFalse(rollout.contains("[host-b]"), "host-b was never started:\n" + output);
        assertFalse(Files.exists(fleet.resolve("b")));
    }

    @Test
    @Order(9)
    void thePlaybooksPassAnsibleLintOnTheProductionProfile() throws Exception {
        assumeTrue(Processes.onPath("ansible-lint") || System.getenv("CI") != null, "ansible-lint is not installed");
        Processes.Result lint = Processes.run(ANSIBLE_DIR, Map.of("NO_COLOR", "1"),
                List.of("ansible-lint", "--nocolor", "--profile", "production", "deploy.yml", "rollback.yml", "roles/gantry"));
        assertEquals(0, lint.code(), lint.out() + lint.err());
    }

    // ---- the scenario's plumbing

    /** gantry_prometheus_rules_dir, and a reload command that leaves a line per call. */
    private Map<String, Object> prometheusRules() {
        return Map.of("gantry_prometheus_rules_dir", work.resolve("prometheus-rules").toString(),
                "gantry_prometheus_reload_command", "echo reloaded >> '" + state.resolve("prometheus-reloads") + "'");
    }

    private void step(int n) {
        assumeTrue(stepsDone == n - 1, "step " + n + " needs the steps before it, and one of them failed");
    }

    private Run deploy(String version, Map<String, Object> overrides, String... options) throws Exception {
        Map<String, Object> vars = vars(overrides);
        vars.put("gantry_artifact", archives.get(version).toString());
        return playbook("deploy.yml", vars, options);
    }

    private Map<String, Object> vars(Map<String, Object> overrides) throws IOException {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("gantry_root", root.toString());
        // the account running the tests: no user is created, and nothing needs sudo
        vars.put("gantry_user", System.getProperty("user.name"));
        vars.put("gantry_group", Files.readAttributes(work, PosixFileAttributes.class).group().getName());
        vars.put("ansible_become", false);
        vars.put("gantry_manage_user", false);
        vars.put("gantry_manage_systemd", false);
        vars.put("gantry_restart_command", "sh '" + RESTART_SCRIPT + "' '" + root + "' '" + state + "'");
        vars.put("gantry_health_url", "http://127.0.0.1:" + port + "/healthz");
        vars.put("gantry_health_timeout", 60);
        vars.put("gantry_env", Map.of(
                "GANTRY_HOST", "127.0.0.1",
                "GANTRY_PORT", port, // a number on purpose: environment.json must hold it as a string
                "LOG_LEVEL", "INFO",
                "GITLAB_WEBHOOK_TOKEN", WEBHOOK_TOKEN));
        vars.putAll(overrides);
        return vars;
    }

    private Run playbook(String playbook, Map<String, Object> vars, String... options) throws Exception {
        Path varsFile = work.resolve("vars-" + (++runs) + ".json");
        Files.writeString(varsFile, new Gson().toJson(vars));
        List<String> command = new ArrayList<>(List.of("ansible-playbook", "-i", work.resolve("inventory").toString(),
                "-c", "local", "-e", "@" + varsFile));
        command.addAll(List.of(options));
        command.add(playbook);
        Processes.Result r = Processes.run(ANSIBLE_DIR, Map.of(
                "ANSIBLE_NOCOLOR", "1",
                "ANSIBLE_RETRY_FILES_ENABLED", "false",
                "ANSIBLE_LOCAL_TEMP", work.resolve("ansible-tmp").toString()), command);
        String output = r.out() + r.err();
        assertFalse(output.contains(WEBHOOK_TOKEN), "a token reached Ansible's output:\n" + output);
        Matcher m = RECAP.matcher(output);
        assertTrue(m.find(), "no play recap:\n" + output);
        return new Run(r.code(), output, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(4)));
    }

    private String diagnostics(Run run) throws IOException {
        Path log = state.resolve("server.log");
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return run.output() + "\n--- server log, last lines:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private String link(String name) throws IOException {
        return Files.readSymbolicLink(root.resolve(name)).toString();
    }

    private String liveVersion() throws InterruptedException {
        String body = Processes.waitForOk("http://127.0.0.1:" + port + "/healthz", Duration.ofSeconds(30));
        return JsonParser.parseString(body).getAsJsonObject().get("version").getAsString();
    }

    private long rows(String table) throws Exception {
        return Long.parseLong(sqlite("SELECT count(*) FROM " + table + ";").strip());
    }

    private String sqlite(String sql) throws Exception {
        Processes.Result r = Processes.run(work, Map.of(), List.of("sqlite3", "-cmd", ".timeout 5000", db.toString(), sql));
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private String sh(String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("sh"));
        argv.addAll(List.of(command));
        Processes.Result r = Processes.run(work, Map.of(), argv);
        assertEquals(0, r.code(), r.err());
        return r.out().strip();
    }
}
