package org.spack.gantry.release;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Unpacks a {@code gantry.run} into a release directory. Everything is written into
 * a temporary sibling that is renamed into place at the end, so the directory is
 * either complete or absent.
 */
public final class Unpacker {

    /** Where the jar sits in the archive and what it must hash to. */
    public record Payload(long offset, long size, String sha256) {}

    /** What {@code RELEASE} records. */
    public record ReleaseInfo(String version, String commit, String builtAt, String sha256) {}

    public void unpack(Path archive, Path destination, Payload payload, ReleaseInfo info) throws IOException {
        Path dest = destination.toAbsolutePath().normalize();
        checkDestination(dest);
        Files.createDirectories(dest.getParent());
        Path temp = Files.createTempDirectory(dest.getParent(), "." + dest.getFileName() + ".unpacking-");
        try {
            writeRelease(archive, temp, payload, info);
            // createTempDirectory made it private; a release is readable like any installed software
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (Files.isDirectory(dest)) {
                Files.delete(dest); // checked empty above
            }
            Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temp);
            throw e;
        }
    }

    private static void checkDestination(Path dest) throws IOException {
        if (Files.exists(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(dest + " exists and is not a directory");
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dest)) {
                if (entries.iterator().hasNext()) {
                    throw new FileAlreadyExistsException(dest + " exists and is not empty; unpack into a new directory");
                }
            }
        }
    }

    private void writeRelease(Path archive, Path root, Payload payload, ReleaseInfo info) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (ReleaseFiles.File f : ReleaseFiles.of(zip)) {
                Path target = root.resolve(f.path()).normalize();
                if (!target.startsWith(root)) {
                    throw new ReleaseFiles.UnsafeEntryException(f.entry().getName());
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(f.entry())) {
                    Files.copy(in, target);
                }
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(f.executable() ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Path jar = root.resolve(ReleaseFiles.JAR);
        Files.createDirectories(jar.getParent());
        String sha = copyPayload(archive, payload, jar);
        if (!sha.equals(payload.sha256())) {
            throw new IOException("the archive is damaged (checksum mismatch); download it again");
        }
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> release = new LinkedHashMap<>();
        release.put("version", info.version());
        release.put("commit", info.commit());
        release.put("built_at", info.builtAt());
        release.put("sha256", sha);
        Files.writeString(root.resolve(ReleaseFiles.RELEASE_JSON),
                new GsonBuilder().setPrettyPrinting().create().toJson(release) + "\n");
    }

    /** Copies the jar out of the archive, hashing it on the way; returns the hex SHA-256. */
    private static String copyPayload(Path archive, Payload payload, Path jar) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (RandomAccessFile raf = new RandomAccessFile(archive.toFile(), "r");
                OutputStream out = new DigestOutputStream(Files.newOutputStream(jar), sha)) {
            if (raf.length() != payload.offset() + payload.size()) {
                throw new IOException("the archive is damaged (wrong size); download it again");
            }
            raf.seek(payload.offset());
            InputStream in = Channels.newInputStream(raf.getChannel());
            byte[] buf = new byte[64 * 1024];
            long left = payload.size();
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException("the archive is damaged (truncated); download it again");
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the caller reports the original failure
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
