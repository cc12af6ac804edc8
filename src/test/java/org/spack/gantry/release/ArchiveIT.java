package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.Processes.Result;

/** The packaged target/gantry.run, used as an operator would use it. */
class ArchiveIT {
    private static final Path ARCHIVE = Path.of(System.getProperty("gantry.archive", "target/gantry.run")).toAbsolutePath();
    private static final long MAX_BYTES = 14L * 1024 * 1024;

    @TempDir
    Path tmp;

    private Result run(Map<String, String> env, String... command) throws Exception {
        return Processes.run(tmp, env, List.of(command));
    }

    private Result archive(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ARCHIVE.toString()));
        cmd.addAll(List.of(args));
        return Processes.run(tmp, Map.of(), cmd);
    }

    private static List<String> leftovers(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains("unpacking")).toList();
        }
    }

    @Test
    void unpacksTheReleaseLayoutWithItsModes() throws Exception {
        Path dir = tmp.resolve("releases/1");
        Result r = archive("-d", dir.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("bin/gantry", "lib/gantry.jar", "migrations/sqlite/V1__initial.sql", "migrations/sqlite/V2__spec_index.sql",
                "migrations/postgresql/V1__initial.sql", "environment.json.example", "systemd/gantry.service",
                "systemd/gantry-backup.service", "systemd/gantry-backup.timer", "prometheus/gantry-alerts.yml",
                "grafana/gantry-dashboard.json", "RELEASE")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        // the alert rules and the dashboard an operator loads are the repository's, byte for byte
        for (String f : List.of("prometheus/gantry-alerts.yml", "grafana/gantry-dashboard.json")) {
            assertArrayEquals(Files.readAllBytes(Path.of("packaging").resolve(f)), Files.readAllBytes(dir.resolve(f)), f);
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))), f);
        }
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("bin/gantry"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("lib/gantry.jar"))));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));

        JsonObject release = JsonParser.parseString(Files.readString(dir.resolve("RELEASE"))).getAsJsonObject();
        String version = archive("--version").out().strip();
        assertEquals("gantry " + release.get("version").getAsString(), version);
        assertTrue(archive("--info").out().contains("sha256:        " + release.get("sha256").getAsString()));
        assertFalse(release.get("built_at").getAsString().isEmpty());
        assertEquals(List.of(), leftovers(dir.getParent()));

        List<String> listed = archive("--list").out().lines().sorted().toList();
        List<String> actual;
        try (Stream<Path> s = Files.walk(dir)) {
            actual = s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
        assertEquals(actual, listed);
    }

    @Test
    void theUnpackedReleaseServesFromAnyDirectoryThroughASymlink() throws Exception {
        Path root = tmp.resolve("srv");
        Path release = root.resolve("releases/1");
        assertEquals(0, archive("-d", release.toString()).code());
        Path current = root.resolve("current");
        Files.createSymbolicLink(current, release);
        Files.createDirectories(root.resolve("shared"));
        int port = Processes.freePort();
        // environment.json in the release directory configures it, as the deploy doc has it
        Path env = release.resolve("environment.json");
        Files.writeString(env, "{\"GANTRY_PORT\": \"" + port + "\", \"GANTRY_HOST\": \"127.0.0.1\", \"DB_FILE\": \""
                + root.resolve("shared/gantry.db") + "\"}");
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Process server = new ProcessBuilder(current.resolve("bin/gantry").toString(), "serve")
                .directory(elsewhere.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("serve.log").toFile()).start();
        try {
            String body = Processes.waitForOk("http://127.0.0.1:" + port + "/healthz", Duration.ofSeconds(30));
            String version = JsonParser.parseString(Files.readString(release.resolve("RELEASE")))
                    .getAsJsonObject().get("version").getAsString();
            assertEquals(version, JsonParser.parseString(body).getAsJsonObject().get("version").getAsString());
            assertTrue(Files.exists(root.resolve("shared/gantry.db")));
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    @Test
    void theReadmeCommandServesOnTheEmbeddedDefault() throws Exception {
        int port = Processes.freePort();
        ProcessBuilder pb = new ProcessBuilder(ARCHIVE.toString(), "serve").directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile());
        pb.environment().put("GANTRY_PORT", Integer.toString(port));
        pb.environment().remove("DB_FILE");
        Process server = pb.start();
        try {
            Processes.waitForOk("http://127.0.0.1:" + port + "/healthz", Duration.ofSeconds(30));
            String spec = java.net.URLEncoder.encode("zlib@1.3 +shared arch=x86_64%gcc@12.3.0", java.nio.charset.StandardCharsets.UTF_8);
            assertEquals("{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}",
                    Processes.waitForOk("http://127.0.0.1:" + port + "/v1/allocation?spec=" + spec, Duration.ofSeconds(5)));
            assertTrue(Files.exists(tmp.resolve("gantry.db")), "gantry.db in the working directory");
        } finally {
            server.destroy();
            assertTrue(server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "stops on SIGTERM");
        }
        String log = Files.readString(tmp.resolve("serve.log"));
        assertTrue(log.contains("gantry stopped"), "a clean shutdown is logged");
        // the default LOG_LEVEL is INFO: the routine events of a start and a stop show, and
        // every line starts with its time and level
        assertTrue(log.lines().anyMatch(l -> l.matches("^\\d{4}-\\d\\d-\\d\\dT\\S+ INFO Application - gantry listening on .*")), log);
        assertTrue(log.lines().anyMatch(l -> l.matches(".* INFO Application - gantry stopped in \\d+ ms")), log);
        assertTrue(log.lines().allMatch(l -> l.matches("^\\d{4}-\\d\\d-\\d\\dT\\S+ (ERROR|WARN|INFO) \\S+ - .*")), log);
    }

    @Test
    void refusesADirectoryThatIsNotEmptyAndAcceptsAnEmptyOne() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        Result r = archive("-d", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not empty"), r.err());
        assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, archive("-d", empty.toString()).code());
        assertTrue(Files.exists(empty.resolve("bin/gantry")));
    }

    @Test
    void aFlippedByteOrATruncationIsRefusedAndLeavesNothing() throws Exception {
        byte[] good = Files.readAllBytes(ARCHIVE);
        byte[] flipped = good.clone();
        flipped[good.length - good.length / 3] ^= 0x01;
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1000);
        for (var damaged : Map.of("flipped.run", flipped, "truncated.run", truncated).entrySet()) {
            Path copy = tmp.resolve(damaged.getKey());
            Files.write(copy, damaged.getValue());
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            Result check = run(Map.of(), copy.toString(), "--check");
            assertEquals(1, check.code(), damaged.getKey());
            assertTrue(check.err().contains("damaged") && check.err().contains("download it again"), check.err());
            Path dir = tmp.resolve("out-" + damaged.getKey());
            Result unpack = run(Map.of(), copy.toString(), "-d", dir.toString());
            assertEquals(1, unpack.code());
            assertFalse(Files.exists(dir), "nothing left behind");
            assertEquals(List.of(), leftovers(tmp));
        }
        assertEquals(0, archive("--check").code());
    }

    @Test
    void aTamperedArchiveIsRefusedForACommandToo() throws Exception {
        byte[] flipped = Files.readAllBytes(ARCHIVE);
        flipped[flipped.length / 2] ^= 0x01;
        Path copy = Files.write(tmp.resolve("tampered.run"), flipped);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = run(Map.of("DB_FILE", tmp.resolve("g.db").toString()), copy.toString(), "info");
        assertEquals(1, r.code());
        assertEquals("gantry.run: the archive " + copy + " is damaged (checksum mismatch); download it again", r.err().strip());
        assertEquals("", r.out(), "nothing of the payload ran");
    }

    /** Spring Boot's launch script and makeself's options, as operators know them. */
    @Test
    void theLaunchersFollowTheConventionsOperatorsKnow() throws Exception {
        Result extra = archive("--check", "extra");
        assertEquals(2, extra.code());
        assertTrue(extra.err().startsWith("gantry.run: --check takes no argument (got: extra)"), extra.err());
        assertEquals(2, archive("--version", "x").code());

        Path viaTarget = tmp.resolve("via-target");
        assertEquals(0, archive("--target", viaTarget.toString()).code(), "makeself's name for -d");
        assertTrue(Files.isRegularFile(viaTarget.resolve("bin/gantry")));

        // an unusable JAVA_HOME: a warning, then the java on PATH
        Result badHome = run(Map.of("JAVA_HOME", tmp.resolve("no-such-jdk").toString()), ARCHIVE.toString(), "migrate", "--help");
        assertEquals(0, badHome.code(), badHome.err());
        assertTrue(badHome.err().startsWith("gantry.run: warning: JAVA_HOME is " + tmp.resolve("no-such-jdk")), badHome.err());
        assertTrue(badHome.out().contains("Usage: gantry migrate"), badHome.out());
        Result badHomeRelease = run(Map.of("JAVA_HOME", "/nonexistent"), viaTarget.resolve("bin/gantry").toString(), "--version");
        assertEquals(0, badHomeRelease.code(), badHomeRelease.err());
        assertTrue(badHomeRelease.err().startsWith("gantry: warning: JAVA_HOME is /nonexistent"), badHomeRelease.err());

        // JAVA_OPTS comes after the defaults, so it adds to them and a later -Xmx wins
        Path bin = Files.createDirectories(tmp.resolve("echo-java"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"17.0.9\"' >&2; exit 0; fi\n"
                + "echo \"$*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("PATH", bin + ":/usr/bin:/bin", "JAVA_HOME", "", "JAVA_OPTS", "-Dsome.thing=1 -Xmx512m");
        String defaults = javaDefaults() + " -Dsome.thing=1 -Xmx512m ";
        assertTrue(defaults.startsWith("-Xmx"), "the defaults set the heap: " + defaults);
        assertEquals(defaults + "-jar " + ARCHIVE + " info", run(env, ARCHIVE.toString(), "info").out().strip());
        assertTrue(run(env, viaTarget.resolve("bin/gantry").toString(), "info").out().startsWith(defaults),
                "bin/gantry orders them the same way");
    }

    @Test
    void anEntryThatWouldEscapeIsRefused() throws Exception {
        // a jar with a correct checksum whose release entry climbs out of the directory
        Path jar = tmp.resolve("evil.jar");
        try (ZipFile good = new ZipFile(tmp.resolve("../").resolve(ARCHIVE).toFile());
                OutputStream file = Files.newOutputStream(jar);
                ZipOutputStream out = new ZipOutputStream(file)) {
            var entries = good.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream in = good.getInputStream(e)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("release/bin/../../../escaped.txt"));
            out.write("gotcha".getBytes());
            out.closeEntry();
        }
        Path evil = ArchiveBuilder.build(jar, Path.of("packaging/launcher.sh").toAbsolutePath(), tmp.resolve("evil.run"),
                "6.6.6", "", "2024-01-01T00:00:00Z");
        assertEquals(0, run(Map.of(), evil.toString(), "--check").code(), "its checksum is right");
        Path dir = tmp.resolve("rel/evil");
        Result r = run(Map.of(), evil.toString(), "-d", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("outside the release directory"), r.err());
        assertFalse(Files.exists(dir));
        assertFalse(Files.exists(tmp.resolve("escaped.txt")));
        assertFalse(Files.exists(tmp.resolve("rel/escaped.txt")));
        assertEquals(List.of(), leftovers(tmp.resolve("rel")));
    }

    @Test
    void anOldJavaIsNamedWithWhatIsNeeded() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("fakebin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("JAVA_HOME", "");
        Result viaArchive = run(env, ARCHIVE.toString(), "serve");
        assertEquals(1, viaArchive.code());
        assertEquals("gantry.run: found Java 11.0.22 at " + java + "; Gantry needs Java 17 or newer"
                + " (install java-17-openjdk-headless)", viaArchive.err().strip());

        Path release = tmp.resolve("r");
        assertEquals(0, archive("-d", release.toString()).code());
        Result viaRelease = run(env, release.resolve("bin/gantry").toString(), "info");
        assertEquals(1, viaRelease.code());
        assertTrue(viaRelease.err().startsWith("gantry: found Java 11.0.22"), viaRelease.err());

        Map<String, String> noJava = Map.of("PATH", tmp.resolve("empty-bin") + ":/nonexistent", "JAVA_HOME", "");
        Result none = run(noJava, "/bin/sh", ARCHIVE.toString(), "serve");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no java found on PATH"), none.err());
    }

    @Test
    void bothScriptsRunUnderDashAndBashAndPassShellcheck() throws Exception {
        Path release = tmp.resolve("r");
        assertEquals(0, archive("-d", release.toString()).code());
        for (String shell : List.of("dash", "bash")) {
            Assumptions.assumeTrue(Processes.onPath(shell) || System.getenv("CI") != null, shell + " is not installed");
            assertEquals(0, run(Map.of(), shell, ARCHIVE.toString(), "--check").code(), shell);
            Result v = run(Map.of(), shell, release.resolve("bin/gantry").toString(), "--version");
            assertEquals(0, v.code(), shell + ": " + v.err());
            assertTrue(v.out().startsWith("gantry "), v.out());
        }
        Assumptions.assumeTrue(Processes.onPath("shellcheck") || System.getenv("CI") != null, "shellcheck is not installed");
        // the scripts as shipped: the archive's header and the release's bin/gantry, each with java.sh put in
        Path header = Files.writeString(tmp.resolve("gantry.run.header"), launcherHeader());
        Result sc = run(Map.of(), "shellcheck", "-s", "sh", header.toString(), release.resolve("bin/gantry").toString());
        assertEquals(0, sc.code(), sc.out());
    }

    /** One piece of code finds Java for both launchers: packaging/java.sh, put into each at build time. */
    @Test
    void bothLaunchersCarryTheOneJavaDiscovery() throws Exception {
        String fragment = Files.readString(Path.of("packaging/java.sh")).stripTrailing();
        Path release = tmp.resolve("r");
        assertEquals(0, archive("-d", release.toString()).code());
        for (String script : List.of(launcherHeader(), Files.readString(release.resolve("bin/gantry")))) {
            assertTrue(script.contains(fragment), "a launcher without packaging/java.sh:\n" + script);
            assertFalse(script.contains("@@INCLUDE"), script);
            assertEquals(1, script.split("find_java\\(\\) \\{", -1).length - 1, "find_java is defined once");
            assertEquals(1, java.util.regex.Pattern.compile("-Xmx\\d").matcher(script).results().count(), "the heap is written once");
        }
        for (Path template : List.of(Path.of("packaging/launcher.sh"), Path.of("packaging/bin/gantry"))) {
            String text = Files.readString(template);
            assertFalse(text.matches("(?s).*-Xmx\\d.*") || text.contains("java -version") || text.contains("JAVA_HOME/bin/java"),
                    template + " finds or tunes Java itself instead of including java.sh");
        }
    }

    /** The operator's documentation states the options the launchers really use (it is the one other place). */
    @Test
    void theOperationsGuideQuotesTheJavaDefaults() throws Exception {
        String guide = Files.readString(Path.of("docs/operations.md")).replaceAll("\\s+", " ");
        assertTrue(guide.contains("`" + javaDefaults() + "`"), "docs/operations.md does not quote " + javaDefaults());
    }

    /** gantry.run's shell part: everything before the payload. */
    private static String launcherHeader() throws IOException {
        byte[] bytes = Files.readAllBytes(ARCHIVE);
        String start = new String(bytes, 0, Math.min(bytes.length, 64 * 1024), java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("PAYLOAD_OFFSET=(\\d+)").matcher(start);
        assertTrue(m.find(), "no PAYLOAD_OFFSET in the archive");
        return new String(bytes, 0, Integer.parseInt(m.group(1)), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The JVM options the launchers start Java with, as the archive reports them. */
    private String javaDefaults() throws Exception {
        String info = archive("--info").out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^java options: +(.+), then JAVA_OPTS$").matcher(info);
        assertTrue(m.find(), info);
        return m.group(1);
    }

    @Test
    void runsApplicationCommandsStraightFromTheArchive() throws Exception {
        Result help = archive("migrate", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("Usage: gantry migrate"));
        Result migrate = Processes.run(tmp, Map.of("DB_FILE", tmp.resolve("g.db").toString()),
                List.of(ARCHIVE.toString(), "migrate"));
        assertEquals(0, migrate.code(), migrate.err());
        assertTrue(migrate.out().contains("schema version none -> 6"), migrate.out());
        Result bad = archive("--bogus");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown option --bogus"), bad.err());
        Result noDb = Processes.run(tmp, Map.of("DB_FILE", "/nonexistent/dir/g.db"), List.of(ARCHIVE.toString(), "migrate"));
        assertEquals(1, noDb.code());
        assertEquals("gantry: error: database directory /nonexistent/dir does not exist (DB_FILE=/nonexistent/dir/g.db)",
                noDb.err().strip());
    }

    @Test
    void isSmallAndCarriesOnlyLinuxNativeLibraries() throws Exception {
        assertTrue(Files.size(ARCHIVE) <= MAX_BYTES, Files.size(ARCHIVE) + " bytes");
        try (ZipFile zip = new ZipFile(ARCHIVE.toFile())) {
            List<String> natives = zip.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("org/sqlite/native/") && !n.endsWith("/")).sorted().toList();
            assertEquals(List.of("org/sqlite/native/Linux/aarch64/libsqlitejdbc.so",
                    "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so"), natives);
        }
    }

    @Test
    void theSameJarBuildsTheSameArchive() throws Exception {
        Path jar = Path.of("target/gantry.jar").toAbsolutePath();
        Path launcher = Path.of("packaging/launcher.sh").toAbsolutePath();
        Path a = ArchiveBuilder.build(jar, launcher, tmp.resolve("a.run"), "1.0.0", "abc", "2024-01-01T00:00:00Z");
        Path b = ArchiveBuilder.build(jar, launcher, tmp.resolve("b.run"), "1.0.0", "abc", "2024-01-01T00:00:00Z");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            // dependencies keep their own (fixed) times; what this project builds carries outputTimestamp
            long distinctTimes = zip.stream().filter(e -> e.getName().startsWith("org/spack/")
                    || e.getName().startsWith("release/") || e.getName().startsWith("db/migration/"))
                    .map(ZipEntry::getTime).distinct().count();
            assertEquals(1, distinctTimes, "every entry of ours carries project.build.outputTimestamp");
        }
    }
}
