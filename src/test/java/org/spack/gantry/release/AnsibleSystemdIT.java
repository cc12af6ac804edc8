package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.BaseImage;
import org.spack.gantry.testing.DocBlocks;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.ReleaseVariants;
import org.spack.gantry.testing.RequiresPodman;
import org.spack.gantry.testing.ServiceProcess;
import org.spack.gantry.testing.SystemdContainer;

/**
 * ansible/deploy.yml and ansible/rollback.yml over SSH against a host with systemd 252 as
 * PID 1 (a container of the base image), as an operator runs them: a user with passwordless
 * sudo, the role's defaults (the account, the units, {@code systemctl restart gantry}, the
 * health check on 127.0.0.1:8080). A first deploy, an upgrade, a release that dies at start
 * switched back, then a rollback. The container has podman's default capabilities, so
 * systemd skips the unit's mount namespace here (SystemdHostIT sees it in force).
 *
 * <p>The numbered tests are one operator's history; a step after a failed one is skipped.
 */
@ExtendWith(RequiresPodman.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnsibleSystemdIT {
    private static final Path ANSIBLE_DIR = Path.of("ansible").toAbsolutePath();
    private static final Pattern RECAP = Pattern.compile(
            "host-1\\s*:\\s*ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)");
    private static final String FIRST = "1.4.0";
    private static final String SECOND = "1.5.0";
    private static final String BROKEN = "1.6.0-dies-at-start";
    private static final String ROOT = "/srv/gantry";

    @TempDir
    static Path work;

    private SystemdContainer host;
    private String url;
    private final Map<String, Path> archives = new LinkedHashMap<>();
    private final Map<String, Long> seconds = new LinkedHashMap<>();
    private int stepsDone;
    private int runs;

    record Run(int code, String output, int changed, int failed) {}

    @BeforeAll
    void bootAHostThatAnsibleReachesOverSsh() throws Exception {
        for (String tool : List.of("ansible-playbook", "ssh", "ssh-keygen")) {
            assumeTrue(Processes.onPath(tool) || System.getenv("CI") != null, tool + " is not installed");
        }
        long start = System.nanoTime();
        String image = BaseImage.tag();
        archives.put(FIRST, ReleaseVariants.archive(work.resolve(FIRST), FIRST));
        archives.put(SECOND, ReleaseVariants.archive(work.resolve(SECOND), SECOND));
        archives.put(BROKEN, ReleaseVariants.archiveThatCannotServe(work.resolve(BROKEN), BROKEN));

        Path key = work.resolve("id_ed25519");
        Processes.Result keygen = Processes.run(work, Map.of(), List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        assertEquals(0, keygen.code(), keygen.err());
        host = SystemdContainer.boot(image, List.of("-p", "127.0.0.1::22", "-p", "127.0.0.1::8080"));
        url = "http://" + host.published(8080);
        host.execOk(String.join("\n",
                "useradd --create-home --shell /bin/bash deploy",
                "install -d -m 0700 -o deploy -g deploy /home/deploy/.ssh",
                "echo '" + Files.readString(work.resolve("id_ed25519.pub")).strip() + "' > /home/deploy/.ssh/authorized_keys",
                "chown deploy:deploy /home/deploy/.ssh/authorized_keys",
                "echo 'deploy ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deploy",
                "chmod 0440 /etc/sudoers.d/deploy",
                "systemctl is-active ssh"));
        String[] ssh = host.published(22).split(":");
        Files.writeString(work.resolve("inventory"), "[gantry]\nhost-1 ansible_host=" + ssh[0] + " ansible_port=" + ssh[1]
                + " ansible_user=deploy ansible_ssh_private_key_file=" + key + " ansible_python_interpreter=/usr/bin/python3\n");
        seconds.put("setup", (System.nanoTime() - start) / 1_000_000_000);
    }

    @AfterAll
    void removeTheHost() throws Exception {
        System.out.println("[container tests] AnsibleSystemdIT seconds: " + seconds);
        if (host != null) host.close();
    }

    @Test
    @Order(1)
    void theFirstDeployInstallsTheUnitsAndSystemdRunsTheService() throws Exception {
        step(1);
        Run run = deploy(FIRST, Map.of());
        assertEquals(0, run.code(), diagnostics(run));
        assertEquals(FIRST, liveVersion());
        assertEquals("releases/" + FIRST, link("current"));

        Map<String, String> unit = host.show("gantry", "ActiveState", "UnitFileState", "MainPID", "User");
        assertEquals("active", unit.get("ActiveState"));
        assertEquals("enabled", unit.get("UnitFileState"), "started at boot");
        assertEquals("gantry", host.execOk("stat -c %U /proc/" + unit.get("MainPID")).strip(), "the service runs as its account");
        String timers = host.execOk("systemctl list-timers --all gantry-backup.timer");
        assertTrue(timers.lines().anyMatch(l -> l.contains("gantry-backup.timer") && l.contains("gantry-backup.service")), timers);
        assertEquals("enabled", host.show("gantry-backup.timer", "UnitFileState").get("UnitFileState"));
        assertEquals("gantry gantry 600", host.execOk("stat -c '%U %G %a' " + ROOT + "/shared/environment.json").strip());

        // the role installs the files a by-hand install writes: the page's sed, run here into another directory
        String sed = DocBlocks.of(Path.of("docs/deploy-rhel.md")).block("5.").lines()
                .dropWhile(l -> !l.startsWith("for unit in")).takeWhile(l -> !l.equals("done")).toList().stream()
                .reduce("", (a, b) -> a + b + "\n") + "done\n";
        assertTrue(sed.contains("> /etc/systemd/system/$unit"), sed);
        host.execOk("mkdir -p /root/by-hand\n" + sed.replace("> /etc/systemd/system/$unit", "> /root/by-hand/$unit"));
        for (String file : List.of("gantry.service", "gantry-backup.service", "gantry-backup.timer")) {
            assertEquals(host.execOk("cat /root/by-hand/" + file), host.execOk("cat /etc/systemd/system/" + file),
                    file + ": the role and docs/deploy-rhel.md install the same file");
        }

        // without CAP_SYS_ADMIN systemd skips the mount namespace (the root stays writable) and says it
        // ignores ProtectHostname, as deploy-rhel.md says; capabilities, no_new_privs and seccomp hold
        ServiceProcess p = ServiceProcess.of(host, "gantry");
        assertTrue(p.status("NoNewPrivs").equals("1") && p.status("CapBnd").equals("0000000000000000")
                && p.status("Seccomp").equals("2"), p.describe());
        assertTrue(p.mountOptions("/").startsWith("rw") && p.mountRoot("/tmp").equals("/"),
                "the mount namespace was skipped: / stays writable and /tmp is the container's\n" + p.describe());
        String journal = host.journal("gantry");
        assertTrue(journal.contains("ProtectHostname=yes is configured, but UTS namespace setup is prohibited"), journal);
        assertFalse(journal.contains("ProtectSystem") || journal.contains("namespace, assuming"),
                "the skipped mount namespace is not logged at the journal's default level:\n" + journal);
        stepsDone = 1;
    }

    @Test
    @Order(2)
    void anUpgradeRestartsTheServiceOnTheNewRelease() throws Exception {
        step(2);
        String pidBefore = host.show("gantry", "MainPID").get("MainPID");
        Run run = deploy(SECOND, Map.of());
        assertEquals(0, run.code(), diagnostics(run));
        assertEquals(SECOND, liveVersion());
        assertEquals("releases/" + SECOND, link("current"));
        assertEquals("releases/" + FIRST, link("previous"));
        assertNotEquals(pidBefore, host.show("gantry", "MainPID").get("MainPID"), "systemctl restart gantry started a new process");
        stepsDone = 2;
    }

    @Test
    @Order(3)
    void aReleaseThatDiesAtStartIsSwitchedBackAndThePreviousRunsAgain() throws Exception {
        step(3);
        Run run = deploy(BROKEN, Map.of("gantry_health_timeout", 20));
        assertNotEquals(0, run.code(), diagnostics(run));
        assertTrue(run.output().contains("gantry " + BROKEN + " did not become healthy"), run.output());
        assertTrue(run.output().contains("current is back on gantry " + SECOND + ", which is healthy again"), run.output());
        assertTrue(host.journal("gantry").contains("No XNIO provider found"), "systemd started the broken release:\n" + host.journal("gantry"));

        assertEquals("releases/" + SECOND, link("current"));
        assertEquals("releases/" + FIRST, link("previous"));
        assertFalse(host.exec("test -e " + ROOT + "/releases/" + BROKEN).code() == 0, "the broken release is removed");
        assertEquals(SECOND, liveVersion());
        assertEquals("active", host.show("gantry", "ActiveState").get("ActiveState"));
        stepsDone = 3;
    }

    @Test
    @Order(4)
    void rollbackBringsTheReleaseBeforeBack() throws Exception {
        step(4);
        Run run = playbook("rollback.yml", vars(Map.of()));
        assertEquals(0, run.code(), diagnostics(run));
        assertEquals("releases/" + FIRST, link("current"));
        assertEquals("releases/" + SECOND, link("previous"));
        assertEquals(FIRST, liveVersion());
        stepsDone = 4;
    }

    // ---- plumbing

    private void step(int n) {
        assumeTrue(stepsDone == n - 1, "step " + n + " needs the steps before it, and one of them failed");
    }

    private Run deploy(String version, Map<String, Object> overrides) throws Exception {
        Map<String, Object> vars = vars(overrides);
        vars.put("gantry_artifact", archives.get(version).toString());
        return playbook("deploy.yml", vars);
    }

    /** What an operator's group_vars hold: the settings; everything else is the role's default. */
    private Map<String, Object> vars(Map<String, Object> overrides) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("gantry_env", Map.of("GANTRY_HOST", "0.0.0.0", "GANTRY_PORT", "8080", "LOG_LEVEL", "INFO"));
        vars.putAll(overrides);
        return vars;
    }

    private Run playbook(String playbook, Map<String, Object> vars) throws Exception {
        Path varsFile = work.resolve("vars-" + (++runs) + ".json");
        Files.writeString(varsFile, new Gson().toJson(vars));
        List<String> command = new ArrayList<>(List.of("ansible-playbook", "-i", work.resolve("inventory").toString(),
                "-e", "@" + varsFile, playbook));
        long start = System.nanoTime();
        Processes.Result r = Processes.run(ANSIBLE_DIR, Map.of(
                "ANSIBLE_NOCOLOR", "1",
                "ANSIBLE_RETRY_FILES_ENABLED", "false",
                "ANSIBLE_HOST_KEY_CHECKING", "false",
                "ANSIBLE_PIPELINING", "true",
                "ANSIBLE_SSH_CONTROL_PATH_DIR", Files.createDirectories(work.resolve("cp")).toString(),
                "ANSIBLE_LOCAL_TEMP", work.resolve("ansible-tmp").toString()), command, Duration.ofMinutes(8));
        seconds.put(playbook + " #" + runs, (System.nanoTime() - start) / 1_000_000_000);
        String output = r.out() + r.err();
        Matcher m = RECAP.matcher(output);
        assertTrue(m.find(), "no play recap:\n" + output);
        return new Run(r.code(), output, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(4)));
    }

    private String diagnostics(Run run) throws Exception {
        return run.output() + "\n--- journal:\n" + host.journal("gantry");
    }

    private String link(String name) throws Exception {
        return host.execOk("readlink " + ROOT + "/" + name).strip();
    }

    private String liveVersion() throws Exception {
        String body = Processes.waitForOk(url + "/healthz", Duration.ofSeconds(60));
        return JsonParser.parseString(body).getAsJsonObject().get("version").getAsString();
    }
}
