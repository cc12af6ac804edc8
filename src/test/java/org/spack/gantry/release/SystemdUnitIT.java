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
        assertTrue(exposure(file) <= 2.5, "systemd-analyze security scores the unit above 2.5");
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
