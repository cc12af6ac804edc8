package org.spack.gantry.release;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Builds {@code gantry.run} at {@code mvn package}: the launcher template, with the fragments
 * it includes from its own directory ({@link ScriptIncludes}) and the payload's size, offset
 * and SHA-256 filled in, followed by the shaded jar.
 * Run as {@code ArchiveBuilder JAR LAUNCHER OUTPUT VERSION COMMIT BUILT_AT MAX_BYTES}.
 */
public final class ArchiveBuilder {
    private static final int NUMBER_WIDTH = 12;

    private ArchiveBuilder() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 7) {
            throw new IllegalArgumentException("usage: ArchiveBuilder JAR LAUNCHER OUTPUT VERSION COMMIT BUILT_AT MAX_BYTES");
        }
        String commit = args[4].equals("auto") ? git("rev-parse", "HEAD") : args[4];
        // the commit's time, not the clock's: two builds of one commit are byte-identical
        String builtAt = args[5];
        String commitTime = args[4].equals("auto") ? git("log", "-1", "--format=%cI") : "";
        if (!commitTime.isEmpty()) {
            builtAt = java.time.OffsetDateTime.parse(commitTime).toInstant().toString();
        }
        Path out = build(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), args[3], commit, builtAt);
        long size = Files.size(out);
        long max = Long.parseLong(args[6]);
        if (size > max) {
            throw new IllegalStateException(out + " is " + size + " bytes, over the limit of " + max
                    + ": something was added that the release never loads");
        }
        System.out.printf("built %s: %d bytes (%.1f MiB, limit %.1f MiB)%n", out, size, size / 1048576.0, max / 1048576.0);
    }

    public static Path build(Path jar, Path launcher, Path output, String version, String commit, String builtAt)
            throws IOException {
        byte[] payload = Files.readAllBytes(jar);
        String template = ScriptIncludes.expand(launcher, launcher.toAbsolutePath().getParent());
        String header = template
                .replace("@@VERSION@@", safe(version))
                .replace("@@COMMIT@@", safe(commit))
                .replace("@@BUILT_AT@@", safe(builtAt))
                .replace("@@SHA256@@", sha256(payload))
                .replace("@@SIZE@@", padded(payload.length));
        // the offset is the header's own length, which does not change with its value's digits
        int offset = header.replace("@@OFFSET@@", padded(0)).getBytes(StandardCharsets.UTF_8).length;
        header = header.replace("@@OFFSET@@", padded(offset));
        Path temp = output.resolveSibling(output.getFileName() + ".tmp");
        try (OutputStream o = Files.newOutputStream(temp)) {
            o.write(header.getBytes(StandardCharsets.UTF_8));
            o.write(payload);
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(temp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return output;
    }

    /** One line of git's output, or empty when this is not a git checkout. */
    private static String git(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A number padded with trailing spaces, which end the shell assignment harmlessly. */
    private static String padded(long n) {
        String s = Long.toString(n);
        return s + " ".repeat(Math.max(0, NUMBER_WIDTH - s.length()));
    }

    /** Values go between single quotes in the launcher; nothing may end them early. */
    private static String safe(String value) {
        if (value.contains("'") || value.contains("\n")) {
            throw new IllegalArgumentException("unsafe value for the launcher: " + value);
        }
        return value;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
