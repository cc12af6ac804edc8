package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.Processes.Result;

/**
 * The class data archive made at unpack (issue 17, item 11): it is there, the release's
 * launcher runs the server's classes from it, and a command's output stays clean, also
 * when the archive does not fit (another Java, a changed jar).
 */
class ClassArchiveIT {
    private static final Path ARCHIVE = Path.of(System.getProperty("gantry.archive", "target/gantry.run")).toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void unpackMakesAClassDataArchiveThatTheLauncherUses() throws Exception {
        long started = System.nanoTime();
        Path dir = tmp.resolve("releases/1");
        Result unpack = Processes.run(tmp, Map.of(), List.of(ARCHIVE.toString(), "-d", dir.toString()));
        assertEquals(0, unpack.code(), unpack.err());
        assertEquals("", unpack.err());
        Path jsa = dir.resolve("lib/gantry.jsa");
        assertTrue(Files.isRegularFile(jsa) && Files.size(jsa) > 1_000_000, "no class data archive in " + dir);
        System.out.printf("ClassArchiveIT: unpack with its class data archive took %.1f s%n", (System.nanoTime() - started) / 1e9);

        // Gantry's own classes come from the archive ("shared objects file (top)": the archive over the JDK's)
        Path classes = tmp.resolve("classes.txt");
        Result version = Processes.run(tmp, Map.of("JAVA_OPTS", "-Xlog:class+load:file=" + classes),
                List.of(dir.resolve("bin/gantry").toString(), "--version"));
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().matches("gantry \\S+\\s*"), version.out());
        String loaded = Files.readString(classes);
        assertTrue(loaded.lines().anyMatch(l -> l.contains(" org.spack.gantry.Main ") && l.contains("shared objects file (top)")),
                "org.spack.gantry.Main not from the class data archive:\n"
                        + loaded.lines().filter(l -> l.contains("org.spack")).limit(5).toList());

        // an archive that no longer fits the jar is ignored without a word
        Files.setLastModifiedTime(dir.resolve("lib/gantry.jar"), java.nio.file.attribute.FileTime.fromMillis(0));
        Result stale = Processes.run(tmp, Map.of(), List.of(dir.resolve("bin/gantry").toString(), "--version"));
        assertEquals(0, stale.code(), stale.err());
        assertTrue(stale.out().matches("gantry \\S+\\s*"), stale.out());
        assertFalse(stale.err().contains("cds"), stale.err());
    }
}
