package org.spack.gantry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Enumeration;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.spack.gantry.release.ArchiveBuilder;

/**
 * Archives of other versions, made from the packaged {@code target/gantry.jar} in a second
 * instead of a Maven build: the jar's {@code gantry-build.properties} (what {@code /healthz}
 * reports) and the launcher (what {@code --version} says) both carry the new version.
 */
public final class ReleaseVariants {
    private static final String BUILD_PROPERTIES = "gantry-build.properties";

    private ReleaseVariants() {}

    /** The packaged archive, {@code target/gantry.run}. */
    public static Path packagedArchive() {
        return Path.of(System.getProperty("gantry.archive", "target/gantry.run")).toAbsolutePath();
    }

    /**
     * Writes {@code dir/gantry.run} of the given version. Every variant has that same file
     * name, so whatever reads the version must read it from the archive.
     */
    public static Path archive(Path dir, String version) throws IOException {
        return build(dir, version, null, null);
    }

    /** Like {@link #archive}, with an extra migration that fails on any Gantry database. */
    public static Path archiveWithClashingMigration(Path dir, String version) throws IOException {
        return build(dir, version, "CREATE TABLE jobs (x INTEGER);\n", null);
    }

    /**
     * Like {@link #archive}, but a broken build: it migrates, yet {@code serve} exits 1 at
     * start ("No XNIO provider found": the HTTP server's I/O provider is missing), as a
     * release that can never become healthy.
     */
    public static Path archiveThatCannotServe(Path dir, String version) throws IOException {
        return build(dir, version, null, "org/xnio/nio/NioXnioProvider.class");
    }

    private static Path build(Path dir, String version, String clashingMigration, String missingEntry) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve("gantry.jar");
        rewriteJar(packagedArchive().resolveSibling("gantry.jar"), jar, version, clashingMigration, missingEntry);
        Path archive = ArchiveBuilder.build(jar, Path.of("packaging/launcher.sh").toAbsolutePath(), dir.resolve("gantry.run"),
                version, "test-" + version, Instant.now().toString());
        Files.delete(jar);
        return archive;
    }

    private static void rewriteJar(Path from, Path to, String version, String clashingMigration, String missingEntry)
            throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            out.setLevel(Deflater.BEST_SPEED);
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().equals(missingEntry)) continue;
                out.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(BUILD_PROPERTIES)) {
                    out.write(withVersion(new String(in.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8), version));
                } else if (!e.isDirectory()) {
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(out);
                    }
                }
                out.closeEntry();
            }
            if (clashingMigration != null) {
                out.putNextEntry(new ZipEntry("db/migration/sqlite/V99__clash.sql"));
                out.write(clashingMigration.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    private static byte[] withVersion(String properties, String version) {
        StringBuilder sb = new StringBuilder();
        properties.lines().filter(l -> !l.startsWith("version=")).forEach(l -> sb.append(l).append('\n'));
        sb.append("version=").append(version).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
