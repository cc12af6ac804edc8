package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonParser;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.spack.gantry.testing.AllocationProbe;
import org.spack.gantry.testing.BaseImage;
import org.spack.gantry.testing.DocBlocks;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.ReleaseVariants;
import org.spack.gantry.testing.RequiresPodman;
import org.spack.gantry.testing.ServiceProcess;
import org.spack.gantry.testing.SystemdContainer;
import org.spack.gantry.testing.Webhooks;

/**
 * docs/deploy-rhel.md, steps 1 to 7, typed as written into a Debian 12 host booted with
 * systemd 252 (RHEL 9's major version) as PID 1, then the units under that systemd: start,
 * answer, stop with exit 143, a restart after {@code kill -9}, every hardening directive
 * seen in force on the running service, and the backup timer. The container has
 * {@code CAP_SYS_ADMIN}, as systemd on a host has: without it systemd skips the mount
 * namespace (AnsibleSystemdIT shows that case).
 *
 * <p>The numbered tests are one operator's history on one host, each step starting where
 * the one before left it; a step after a failed one is skipped, not failed.
 */
@ExtendWith(RequiresPodman.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdHostIT {
    private static final Path DOC = Path.of("docs/deploy-rhel.md");
    private static final String FIRST = "1.4.0";
    private static final String SECOND = "1.5.0";
    private static final String ROOT = "/srv/gantry";
    private static final String WEBHOOK_TOKEN = "webhook-secret-of-the-systemd-test";
    private static final String DEFAULT_ANSWER =
            "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}";
    /**
     * The only lines of the page not run as written: the image has Java already, and the
     * settings are written for the test (collection on, its upstreams where nothing answers,
     * and a DB_FILE that the unit's own must override, as its comment says).
     */
    private static final Map<String, String> NOT_AS_WRITTEN = Map.of(
            "dnf install -y java-17-openjdk-headless", "java -version 2>&1 | grep -q 'version \"17'",
            "vi /srv/gantry/shared/environment.json", String.join("\n",
                    "cat > /srv/gantry/shared/environment.json <<'JSON'",
                    "{",
                    "  \"PROMETHEUS_URL\": \"http://127.0.0.1:9/api/v1\",",
                    "  \"GITLAB_URL\": \"http://127.0.0.1:9/api/v4/projects/2\",",
                    "  \"GITLAB_API_TOKEN\": \"api-token\",",
                    "  \"GITLAB_WEBHOOK_TOKEN\": \"" + WEBHOOK_TOKEN + "\",",
                    "  \"DB_FILE\": \"/srv/gantry/shared/not-this.db\",",
                    "  \"GANTRY_HOST\": \"0.0.0.0\",",
                    "  \"GANTRY_PORT\": \"8080\",",
                    "  \"LOG_LEVEL\": \"INFO\"",
                    "}",
                    "JSON"));

    @TempDir
    static Path work;

    private DocBlocks doc;
    private SystemdContainer host;
    private String url;
    private final Set<String> replaced = new java.util.HashSet<>();
    private final Map<String, Long> seconds = new LinkedHashMap<>();
    private int stepsDone;

    @BeforeAll
    void bootAHostAndBringTheArchives() throws Exception {
        long start = System.nanoTime();
        String image = BaseImage.tag();
        long imaged = System.nanoTime();
        doc = DocBlocks.of(DOC);
        Path first = ReleaseVariants.archive(work.resolve(FIRST), FIRST);
        Path second = ReleaseVariants.archive(work.resolve(SECOND), SECOND);
        host = SystemdContainer.boot(image, List.of("--cap-add", "SYS_ADMIN", "--cap-add", "SYS_PTRACE", "-p", "127.0.0.1::8080"));
        url = "http://" + host.published(8080);
        host.copyIn(first, "/root/gantry.run");
        host.copyIn(second, "/root/gantry-" + SECOND + ".run");
        seconds.put("base image", (imaged - start) / 1_000_000_000);
        seconds.put("boot", (System.nanoTime() - imaged) / 1_000_000_000);
    }

    @AfterAll
    void removeTheHost() throws Exception {
        System.out.println("[container tests] SystemdHostIT seconds: " + seconds);
        if (host != null) host.close();
    }

    @Test
    @Order(1)
    void theDocsInstallAReleaseThatSystemdStartsAndThatAnswers() throws Exception {
        step(1);
        long start = System.nanoTime();
        for (String section : List.of("1.", "2.", "3.", "4.", "5.")) {
            for (String block : doc.section(section)) {
                run(block);
            }
        }
        assertEquals(NOT_AS_WRITTEN.keySet(), replaced, "every line the test replaces is on the page");

        Map<String, String> unit = host.show("gantry", "ActiveState", "MainPID", "User", "ExecMainStartTimestamp");
        assertEquals("active", unit.get("ActiveState"), host.journal("gantry"));
        assertEquals(FIRST, liveVersion());
        assertEquals(host.execOk("id -u gantry").strip(), ServiceProcess.of(host, "gantry").status("Uid").split("\\s+")[0]);
        String cmdline = host.execOk("tr '\\0' ' ' < /proc/" + unit.get("MainPID") + "/cmdline");
        assertTrue(cmdline.matches(".*java -Xmx\\d+m .*-Xmx512m .*"),
                "JAVA_OPTS from shared/gantry.env (the unit's EnvironmentFile) comes after the launcher's defaults: " + cmdline);

        assertEquals(1, host.exec("test -e " + ROOT + "/shared/not-this.db").code(),
                "the unit's Environment=DB_FILE wins over environment.json's: the migrated database is the one served");
        assertEquals("gantry gantry 750", host.execOk("stat -c '%U %G %a' " + ROOT + "/shared").strip());
        HttpResponse<String> allocation = Webhooks.get(new Webhooks(url, WEBHOOK_TOKEN).client(),
                url + "/v1/allocation?spec=" + URLEncoder.encode(AllocationProbe.SPEC, StandardCharsets.UTF_8));
        assertEquals(200, allocation.statusCode(), allocation.body());
        assertEquals(DEFAULT_ANSWER, allocation.body());
        long now = System.currentTimeMillis() / 1000;
        assertEquals(200, new Webhooks(url, WEBHOOK_TOKEN).post(Webhooks.success(4242, now - 600, now - 60)),
                "a webhook is acknowledged: its event was committed to shared/gantry.db under ProtectSystem=strict");
        seconds.put("install by the docs", (System.nanoTime() - start) / 1_000_000_000);
        stepsDone = 1;
    }

    /** Each directive of the unit's hardening, seen on the running process; none is ignored here. */
    @Test
    @Order(2)
    void everyHardeningDirectiveIsInForceOnTheRunningService() throws Exception {
        step(2);
        ServiceProcess p = ServiceProcess.of(host, "gantry");
        String journal = host.journal("gantry");
        assertFalse(Pattern.compile("is configured, but .*ignoring").matcher(journal).find(), "systemd ignored a directive:\n" + journal);
        String none = "0000000000000000";
        // the private /tmp is where sqlite-jdbc unpacked its native library, as the unit's comment says
        String privateTmp = host.execOk("ls /tmp/systemd-private-*-gantry.service-*/tmp/");
        // the rest are seccomp filters (Seccomp: 2), as systemd parsed them
        boolean filtered = p.status("Seccomp").equals("2") && Integer.parseInt(p.status("Seccomp_filters")) > 0;
        Map<String, String> parsed = host.show("gantry", "SystemCallFilter", "SystemCallArchitectures", "RestrictNamespaces",
                "RestrictAddressFamilies", "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality", "ProtectClock",
                "RemoveIPC", "SystemCallErrorNumber", "ProtectKernelModules");

        Map<String, Boolean> seen = new LinkedHashMap<>();
        seen.put("NoNewPrivileges", p.status("NoNewPrivs").equals("1"));
        seen.put("CapabilityBoundingSet", List.of("CapBnd", "CapEff", "CapPrm", "CapInh").stream().allMatch(c -> p.status(c).equals(none)));
        seen.put("AmbientCapabilities", p.status("CapAmb").equals(none));
        seen.put("ProtectSystem", p.mountOptions("/").startsWith("ro"));
        seen.put("ReadWritePaths", p.mountOptions(ROOT + "/shared").startsWith("rw"));
        seen.put("PrivateTmp", p.mountRoot("/tmp").contains("systemd-private-") && p.mountRoot("/var/tmp").contains("systemd-private-")
                && privateTmp.contains("libsqlitejdbc.so"));
        seen.put("PrivateDevices", p.mountOptions("/dev").startsWith("ro") && p.initMountOptions("/dev").startsWith("rw"));
        seen.put("PrivateMounts", p.ownNamespace("mnt"));
        seen.put("ProtectHome", p.mountRoot("/home").contains("inaccessible") && p.mountRoot("/root").contains("inaccessible"));
        seen.put("ProtectProc", p.superOptions("/proc").contains("hidepid=invisible"));
        seen.put("ProtectKernelTunables", p.mountOptions("/proc/sys").startsWith("ro") && p.mountOptions("/sys").startsWith("ro"));
        // no CAP_SYS_MODULE, and the module calls filtered (the image has no /usr/lib/modules to hide)
        seen.put("ProtectKernelModules", filtered && p.status("CapBnd").equals(none)
                && parsed.get("ProtectKernelModules").equals("yes") && !parsed.get("SystemCallFilter").contains("init_module"));
        seen.put("ProtectKernelLogs", p.mountRoot("/proc/kmsg").contains("inaccessible"));
        seen.put("ProtectControlGroups", p.mountOptions("/sys/fs/cgroup").startsWith("ro"));
        seen.put("ProtectHostname", p.ownNamespace("uts"));
        seen.put("SystemCallFilter", filtered && parsed.get("SystemCallFilter").contains("setrlimit")
                && !parsed.get("SystemCallFilter").matches(".*\\bmount\\b.*"));
        seen.put("SystemCallArchitectures", filtered && parsed.get("SystemCallArchitectures").equals("native"));
        seen.put("SystemCallErrorNumber", parsed.get("SystemCallErrorNumber").equals("1")); // EPERM
        seen.put("RestrictNamespaces", filtered && parsed.get("RestrictNamespaces").equals("yes"));
        seen.put("RestrictAddressFamilies", filtered
                && Set.of(parsed.get("RestrictAddressFamilies").split(" ")).equals(Set.of("AF_INET", "AF_INET6", "AF_UNIX")));
        seen.put("RestrictRealtime", filtered && parsed.get("RestrictRealtime").equals("yes"));
        seen.put("RestrictSUIDSGID", filtered && parsed.get("RestrictSUIDSGID").equals("yes"));
        seen.put("LockPersonality", filtered && parsed.get("LockPersonality").equals("yes"));
        seen.put("ProtectClock", filtered && parsed.get("ProtectClock").equals("yes"));
        seen.put("RemoveIPC", parsed.get("RemoveIPC").equals("yes"));

        Set<String> directives = hardeningDirectives(host.execOk("cat /etc/systemd/system/gantry.service"));
        assertEquals(directives, seen.keySet(), "each hardening directive of the unit has its check here");
        List<String> notInForce = seen.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        assertEquals(List.of(), notInForce, p.describe() + "\nparsed: " + parsed + "\nprivate /tmp: " + privateTmp);
        assertEquals("0077", p.status("Umask"), "UMask=0077: what the service writes is the account's alone");
        stepsDone = 2;
    }

    @Test
    @Order(3)
    void stopEndsItWithinTimeoutStopSecAndExit143CountsAsSuccess() throws Exception {
        step(3);
        long timeout = Long.parseLong(host.show("gantry", "TimeoutStopUSec").get("TimeoutStopUSec").replaceAll("s$", ""));
        assertEquals(30, timeout, "the unit's TimeoutStopSec");
        long before = nanos();
        host.execOk("systemctl stop gantry");
        long stopMillis = (nanos() - before) / 1_000_000;
        Map<String, String> stopped = host.show("gantry", "ActiveState", "Result", "ExecMainCode", "ExecMainStatus");
        assertEquals(Map.of("ActiveState", "inactive", "Result", "success", "ExecMainCode", "1", "ExecMainStatus", "143"), stopped,
                "exited (code 1 = CLD_EXITED) with 143 after SIGTERM, which SuccessExitStatus=143 counts as success");
        assertTrue(stopMillis < timeout * 1000, "stopped in " + stopMillis + " ms");
        String journal = host.journal("gantry");
        assertFalse(journal.contains("timed out") || journal.contains("SIGKILL"), journal);
        assertTrue(journal.contains("gantry stopped in"), "the service's own shutdown ran:\n" + journal);
        seconds.put("stop (ms)", stopMillis);

        host.execOk("systemctl start gantry");
        assertEquals(FIRST, liveVersion());
        stepsDone = 3;
    }

    @Test
    @Order(4)
    void aKilledServiceIsRestarted() throws Exception {
        step(4);
        Map<String, String> before = host.show("gantry", "MainPID", "NRestarts");
        host.execOk("kill -9 " + before.get("MainPID"));
        long deadline = nanos() + Duration.ofSeconds(60).toNanos();
        Map<String, String> after = before;
        while (nanos() < deadline) {
            after = host.show("gantry", "MainPID", "NRestarts", "ActiveState");
            if (!after.get("MainPID").equals("0") && !after.get("MainPID").equals(before.get("MainPID"))
                    && after.get("ActiveState").equals("active")) break;
            Thread.sleep(200);
        }
        assertEquals(Integer.parseInt(before.get("NRestarts")) + 1, Integer.parseInt(after.get("NRestarts")), after.toString());
        assertEquals(FIRST, liveVersion());
        String journal = host.journal("gantry");
        assertTrue(journal.contains("status=9/KILL") && journal.contains("Scheduled restart job"), journal);
        stepsDone = 4;
    }

    @Test
    @Order(5)
    void theBackupTimerIsListedAndItsServiceWritesACheckedBackup() throws Exception {
        step(5);
        long start = nanos();
        String before = host.execOk("ls " + ROOT + "/shared/backups/");
        String out = run(doc.block("6."));
        assertTrue(out.lines().anyMatch(l -> l.contains("gantry-backup.timer") && l.contains("gantry-backup.service")),
                "systemctl list-timers lists the timer:\n" + out);
        Map<String, String> timer = host.show("gantry-backup.timer", "ActiveState", "UnitFileState", "TimersCalendar");
        assertEquals("active", timer.get("ActiveState"));
        assertEquals("enabled", timer.get("UnitFileState"));
        assertTrue(timer.get("TimersCalendar").contains("OnCalendar=*-*-* *:00:00"), "hourly: " + timer);

        Map<String, String> backup = host.show("gantry-backup.service", "Result", "ExecMainStatus", "RestrictAddressFamilies",
                "PrivateNetwork");
        assertEquals("success", backup.get("Result"), host.journal("gantry-backup"));
        assertEquals("0", backup.get("ExecMainStatus"));
        assertEquals("AF_UNIX", backup.get("RestrictAddressFamilies"), "a backup talks to no one, as its unit says");
        assertEquals("yes", backup.get("PrivateNetwork"));

        List<String> made = new ArrayList<>(host.execOk("ls " + ROOT + "/shared/backups/").lines()
                .filter(f -> f.matches("gantry-\\d{8}T\\d{6}\\.\\d{3}Z\\.db") && !before.contains(f)).toList());
        assertEquals(1, made.size(), "one new scheduled backup: " + made);
        String file = ROOT + "/shared/backups/" + made.get(0);
        assertEquals("gantry gantry 600", host.execOk("stat -c '%U %G %a' " + file).strip(), "UMask=0077: only the account reads it");
        assertTrue(host.journal("gantry-backup").contains("backed up " + ROOT + "/shared/gantry.db to " + file));

        // checked again here, with another SQLite: whole, and holding the acknowledged event
        Path copy = work.resolve("backup.db");
        host.copyOut(file, copy);
        assertEquals("ok", sqlite(copy, "PRAGMA integrity_check;"));
        assertEquals("1", sqlite(copy, "SELECT count(*) FROM collection_queue WHERE build_id = 4242;"));
        seconds.put("backup", (nanos() - start) / 1_000_000_000);
        stepsDone = 5;
    }

    @Test
    @Order(6)
    void anUpgradeAndARollbackByHand() throws Exception {
        step(6);
        long start = nanos();
        host.execOk("mv /root/gantry-" + SECOND + ".run /root/gantry.run");
        List<String> blocks = doc.section("7.");
        assertEquals(2, blocks.size(), "step 7: the upgrade, then the rollback");
        run(blocks.get(0));
        assertEquals(SECOND, liveVersion());
        assertEquals("releases/" + SECOND, host.execOk("readlink " + ROOT + "/current").strip());
        assertEquals("active", host.show("gantry", "ActiveState").get("ActiveState"));

        String out = run(blocks.get(1));
        assertTrue(out.contains("\"version\":\"" + FIRST + "\""), "the page's curl shows the release rolled back to:\n" + out);
        assertEquals(FIRST, liveVersion());
        assertEquals("releases/" + FIRST, host.execOk("readlink " + ROOT + "/current").strip());
        seconds.put("upgrade and rollback", (nanos() - start) / 1_000_000_000);
        stepsDone = 6;
    }

    // ---- plumbing

    private void step(int n) {
        assumeTrue(stepsDone == n - 1, "step " + n + " needs the steps before it, and one of them failed");
    }

    /** Runs a block of the page as root in /root, but for the lines in NOT_AS_WRITTEN; its output. */
    private String run(String block) throws Exception {
        StringBuilder script = new StringBuilder();
        for (String line : block.lines().toList()) {
            String instead = NOT_AS_WRITTEN.get(line.strip());
            if (instead != null) replaced.add(line.strip());
            script.append(instead != null ? instead : line).append('\n');
        }
        return host.execOk(script.toString());
    }

    private String liveVersion() throws Exception {
        String body = Processes.waitForOk(url + "/healthz", Duration.ofSeconds(60));
        return JsonParser.parseString(body).getAsJsonObject().get("version").getAsString();
    }

    /** The [Service] keys below the unit's "# Hardening" comment. */
    static Set<String> hardeningDirectives(String unit) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        boolean inHardening = false;
        for (String line : unit.lines().toList()) {
            if (line.startsWith("# Hardening")) inHardening = true;
            else if (line.startsWith("[")) inHardening = false;
            else if (inHardening && line.matches("[A-Za-z]+=.*")) keys.add(line.substring(0, line.indexOf('=')));
        }
        return keys;
    }

    private static String sqlite(Path db, String sql) throws Exception {
        Processes.Result r = Processes.run(db.getParent(), Map.of(), List.of("sqlite3", db.toString(), sql));
        assertEquals(0, r.code(), r.err());
        return r.out().strip();
    }

    private static long nanos() {
        return System.nanoTime();
    }
}
