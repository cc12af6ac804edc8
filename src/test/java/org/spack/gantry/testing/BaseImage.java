package org.spack.gantry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one image every container test starts from, made once per machine from Debian's
 * packages (no registry is reachable): Debian 12 with systemd 252 (RHEL 9's major version)
 * as init, Java 17, curl, sshd, python3 and sudo, what a RHEL host that Ansible manages has.
 * {@code debootstrap --variant=minbase} into a directory, then {@code podman import}. The
 * image is tagged with a hash of everything that goes into it, so a change makes a new one
 * and an unchanged one is reused from podman's store; a file lock keeps two test runs on
 * one machine from building it at the same time.
 */
public final class BaseImage {
    /** Raise it to force a new image when something outside this list changes. */
    private static final int RECIPE = 1;
    private static final String SUITE = "bookworm";
    private static final String FALLBACK_MIRROR = "http://deb.debian.org/debian";
    private static final List<String> PACKAGES = List.of("systemd", "systemd-sysv", "openjdk-17-jre-headless", "curl",
            "openssh-server", "python3", "sudo");
    private static final String REPOSITORY = "localhost/gantry-test-base";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

    private static String tag;

    private BaseImage() {}

    /** The image's name, built first if this machine does not have it yet. */
    public static synchronized String tag() throws IOException, InterruptedException {
        if (tag == null) {
            Podman.assumeUsable();
            String mirror = mirror();
            String wanted = REPOSITORY + ":" + key(mirror);
            Path lockFile = Path.of(System.getProperty("java.io.tmpdir"), "gantry-test-base.lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                if (Podman.podman(Duration.ofSeconds(60), "image", "exists", wanted).code() == 0) {
                    System.out.println("[container tests] base image " + wanted + ": reused from podman's store");
                } else {
                    build(wanted, mirror);
                }
            }
            tag = wanted;
        }
        return tag;
    }

    private static void build(String name, String mirror) throws IOException, InterruptedException {
        if (!Processes.onPath("debootstrap")) {
            throw new AssertionError("debootstrap is not on PATH (Debian package debootstrap): it makes the containers' base image");
        }
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "base-image-");
        Path rootfs = work.resolve("rootfs");
        try {
            long start = System.nanoTime();
            Processes.Result bootstrap = Podman.run(BUILD_TIMEOUT, List.of("debootstrap", "--variant=minbase",
                    "--include=" + String.join(",", PACKAGES), SUITE, rootfs.toString(), mirror));
            if (bootstrap.code() != 0) {
                String out = bootstrap.out() + bootstrap.err();
                throw new AssertionError("debootstrap " + SUITE + " from " + mirror + " failed (it needs root and the mirror):\n"
                        + out.substring(Math.max(0, out.length() - 4000)));
            }
            long bootstrapped = System.nanoTime();
            // a tar stream of the tree, as `tar -C DIR -c . | podman import - NAME`
            Processes.Result imported = Podman.run(BUILD_TIMEOUT, List.of("sh", "-c",
                    "tar -C \"$1\" -c . | podman import --change CMD=/sbin/init - \"$2\"", "import", rootfs.toString(), name));
            if (imported.code() != 0) {
                throw new AssertionError("podman import failed:\n" + imported.out() + imported.err());
            }
            long done = System.nanoTime();
            System.out.printf("[container tests] base image %s: debootstrap %s (%s) %d s, podman import %d s%n", name,
                    SUITE, mirror, (bootstrapped - start) / 1_000_000_000, (done - bootstrapped) / 1_000_000_000);
        } finally {
            // debootstrap made files only root may remove, and device nodes: rm, not Files.walk
            Podman.run(Duration.ofMinutes(5), List.of("rm", "-rf", work.toString()));
        }
    }

    /** Everything the image is made of: a change gives a new tag. */
    private static String key(String mirror) {
        String recipe = RECIPE + "\n" + SUITE + "\n" + mirror + "\n" + String.join(",", PACKAGES) + "\n" + System.getProperty("os.arch");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(recipe.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Debian mirror this machine's apt uses for the suite, so debootstrap reaches it as apt does. */
    static String mirror() {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("/etc/apt/sources.list"));
        try (Stream<Path> d = Files.list(Path.of("/etc/apt/sources.list.d"))) {
            d.sorted().forEach(files::add);
        } catch (IOException noDirectory) {
            // only sources.list
        }
        for (Path file : files) {
            if (!Files.isRegularFile(file)) continue;
            try {
                Optional<String> found = file.toString().endsWith(".sources")
                        ? fromDeb822(Files.readString(file)) : fromOneLine(Files.readString(file));
                if (found.isPresent()) return found.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return FALLBACK_MIRROR;
    }

    /** {@code deb [options] URI SUITE COMPONENTS...} lines. */
    static Optional<String> fromOneLine(String text) {
        for (String line : text.lines().map(String::strip).toList()) {
            String[] words = line.replaceAll("\\[[^]]*]", " ").trim().split("\\s+");
            if (words.length >= 4 && words[0].equals("deb") && words[2].equals(SUITE)
                    && List.of(words).subList(3, words.length).contains("main")) {
                return Optional.of(words[1]);
            }
        }
        return Optional.empty();
    }

    /** deb822 stanzas: {@code Types: deb}, {@code URIs:}, {@code Suites:}, {@code Components:}. */
    static Optional<String> fromDeb822(String text) {
        for (String stanza : text.split("\\n\\s*\\n")) {
            String types = field(stanza, "Types");
            String uris = field(stanza, "URIs");
            if (List.of(types.split("\\s+")).contains("deb") && !uris.isEmpty()
                    && List.of(field(stanza, "Suites").split("\\s+")).contains(SUITE)
                    && List.of(field(stanza, "Components").split("\\s+")).contains("main")) {
                return Optional.of(uris.split("\\s+")[0]);
            }
        }
        return Optional.empty();
    }

    private static String field(String stanza, String name) {
        return stanza.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).strip())
                .findFirst().orElse("");
    }
}
