package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.ReleaseVariants;

/** The systemd unit a release ships, filled in as the Ansible role fills it in (roles/gantry/tasks/systemd.yml). */
class SystemdUnitIT {
    @TempDir
    Path root;

    @Test
    void theRenderedUnitPassesSystemdAnalyzeVerify() throws Exception {
        assumeTrue(Processes.onPath("systemd-analyze"),
                "systemd-analyze is not installed (Debian package systemd), so the unit cannot be verified here");
        // verify checks that ExecStart exists: install a release under the root as a deploy would
        Processes.Result unpack = Processes.run(root, Map.of(),
                List.of(ReleaseVariants.packagedArchive().toString(), "-d", root.resolve("releases/1").toString()));
        assertEquals(0, unpack.code(), unpack.err());
        Files.createSymbolicLink(root.resolve("current"), Path.of("releases/1"));
        Files.createDirectories(root.resolve("shared"));

        String user = System.getProperty("user.name");
        String group = Files.readAttributes(root, PosixFileAttributes.class).group().getName();
        String unit = Files.readString(root.resolve("releases/1/systemd/gantry.service"))
                .replace("@ROOT@", root.toString()).replace("@USER@", user).replace("@GROUP@", group);
        assertFalse(unit.matches("(?s).*@(ROOT|USER|GROUP)@.*"), unit);
        Path file = Files.writeString(root.resolve("gantry.service"), unit);

        Processes.Result verify = Processes.run(root, Map.of(), List.of("systemd-analyze", "verify", file.toString()));
        assertEquals(0, verify.code(), verify.out() + verify.err());
        assertEquals("", (verify.out() + verify.err()).strip(), "warnings count: an unknown key is only a warning");

        for (String line : List.of("ExecStart=" + root + "/current/bin/gantry serve", "User=" + user, "Group=" + group,
                "Restart=on-failure", "KillSignal=SIGTERM", "NoNewPrivileges=true", "ProtectSystem=strict",
                "ReadWritePaths=" + root + "/shared", "PrivateTmp=true", "ProtectHome=true",
                "EnvironmentFile=-" + root + "/shared/gantry.env", "CapabilityBoundingSet=")) {
            assertTrue(unit.lines().anyMatch(line::equals), "the unit lacks " + line + ":\n" + unit);
        }
        double score = exposure(file);
        assertTrue(score <= 2.5, "systemd-analyze security scores the unit " + score + ", above 2.5");
    }

    /** The role's units (tasks/units.yml), rendered by Ansible itself into a directory of the test's. */
    @Test
    void theRoleRendersTheBackupTimerAndItsServiceAndSystemdAcceptsThem() throws Exception {
        assumeTrue(Processes.onPath("systemd-analyze") && Processes.onPath("ansible-playbook") || System.getenv("CI") != null,
                "systemd-analyze or ansible-playbook is not installed");
        // the role installs unit files owned by root, as it runs with become on a real host
        assumeTrue("root".equals(System.getProperty("user.name")), "rendering units owned by root needs root");
        Processes.Result unpack = Processes.run(root, Map.of(),
                List.of(ReleaseVariants.packagedArchive().toString(), "-d", root.resolve("releases/1").toString()));
        assertEquals(0, unpack.code(), unpack.err());
        Files.createSymbolicLink(root.resolve("current"), Path.of("releases/1"));
        Files.createDirectories(root.resolve("shared"));
        Path units = Files.createDirectories(root.resolve("units"));
        Path playbook = Files.writeString(root.resolve("units.yml"), String.join("\n",
                "- hosts: localhost",
                "  gather_facts: false",
                "  tasks:",
                "    - name: Render the units",
                "      ansible.builtin.include_role:",
                "        name: gantry",
                "        tasks_from: units.yml",
                ""));
        String vars = new com.google.gson.Gson().toJson(Map.of("gantry_root", root.toString(), "gantry_user", "root",
                "gantry_group", "root", "gantry_version", "1", "gantry_release_dir", root.resolve("releases/1").toString(),
                "gantry_release_on_disk", true, "gantry_systemd_dir", units.toString(),
                "gantry_backup_schedule", "*:0/15", "gantry_backup_keep", 12));
        Processes.Result play = Processes.run(root, Map.of("ANSIBLE_ROLES_PATH", Path.of("ansible/roles").toAbsolutePath().toString(),
                "ANSIBLE_NOCOLOR", "1", "ANSIBLE_LOCAL_TEMP", root.resolve("ansible-tmp").toString()),
                List.of("ansible-playbook", "-i", "localhost,", "-c", "local", "-e", vars, playbook.toString()));
        assertEquals(0, play.code(), play.out() + play.err());

        String timer = Files.readString(units.resolve("gantry-backup.timer"));
        String service = Files.readString(units.resolve("gantry-backup.service"));
        assertTrue(timer.lines().anyMatch("OnCalendar=*:0/15"::equals), timer);
        assertTrue(timer.lines().anyMatch("Persistent=true"::equals), timer);
        assertTrue(service.lines().anyMatch(("ExecStart=" + root + "/current/bin/gantry backup --keep 12")::equals), service);
        assertTrue(service.lines().anyMatch(("Environment=DB_FILE=" + root + "/shared/gantry.db")::equals), service);
        assertTrue(Files.isRegularFile(units.resolve("gantry.service")));

        Processes.Result verify = Processes.run(root, Map.of(), List.of("systemd-analyze", "verify",
                units.resolve("gantry.service").toString(), units.resolve("gantry-backup.service").toString(),
                units.resolve("gantry-backup.timer").toString()));
        assertEquals(0, verify.code(), verify.out() + verify.err());
        assertEquals("", (verify.out() + verify.err()).strip());
        double score = exposure(units.resolve("gantry-backup.service"));
        assertTrue(score <= 2.5, "the backup service scores " + score);
    }

    /** systemd-analyze security's overall exposure (0 safest, 10 worst); needs systemd 252 for --offline. */
    static double exposure(Path unit) throws Exception {
        Processes.Result r = Processes.run(unit.getParent(), Map.of(),
                List.of("systemd-analyze", "security", "--offline=true", "--no-pager", unit.toString()));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)")
                .matcher(r.out() + r.err());
        assumeTrue(m.find(), "this systemd-analyze cannot score a unit offline: " + r.err());
        return Double.parseDouble(m.group(1));
    }
}
