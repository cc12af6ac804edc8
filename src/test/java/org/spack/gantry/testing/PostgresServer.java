package org.spack.gantry.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.store.DatabaseLocation;

/**
 * A real PostgreSQL (Debian's {@code postgresql} package, found in {@code
 * /usr/lib/postgresql/N/bin}): {@code initdb} and {@code pg_ctl} in a temporary directory,
 * on a free loopback port, with password authentication. One server for the whole test
 * run (started at first use, stopped when the JVM exits); each test takes a fresh database
 * of its own. Run as root (CI), the server runs as the unprivileged user {@code nobody},
 * since PostgreSQL refuses to run as root. Tests that need it skip where it is not
 * installed, except in CI ({@code CI} or {@code GANTRY_REQUIRE_POSTGRESQL}), where they fail.
 */
public final class PostgresServer {
    public static final String USER = "gantry";
    private static final String PASSWORD = "test-password with spaces";
    private static final String RUN_AS = "nobody";
    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path passwordFile;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.passwordFile = dir.resolve("password");
        this.port = port;
    }

    /** The directory of Debian's newest PostgreSQL binaries, or null. */
    static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent()))).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static final String NOT_INSTALLED = "PostgreSQL is not installed (Debian package 'postgresql': /usr/lib/postgresql/N/bin)";

    static boolean required() {
        return System.getenv("CI") != null || System.getenv("GANTRY_REQUIRE_POSTGRESQL") != null;
    }

    /** Fails in CI, skips elsewhere, when PostgreSQL is not installed. */
    public static void assumeInstalled() {
        if (required() && binaries() == null) {
            throw new AssertionError(NOT_INSTALLED + ": CI must install it (.ci/run does)");
        }
        assumeTrue(binaries() != null, NOT_INSTALLED);
    }

    /** The run's server, started at first use. */
    public static synchronized PostgresServer shared() {
        assumeInstalled();
        if (shared == null) {
            long started = System.nanoTime();
            try {
                shared = start(binaries());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            PostgresServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "postgresql-stop"));
            System.out.printf("PostgresServer: PostgreSQL in %s on port %d, started in %d ms%n", s.dir, s.port,
                    (System.nanoTime() - started) / 1_000_000);
        }
        return shared;
    }

    private static PostgresServer start(Path bin) throws IOException, InterruptedException {
        // not under a test's @TempDir: the server's user must be able to reach it
        Path dir = Files.createTempDirectory("gantry-pg-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            PostgresServer s = new PostgresServer(bin, dir, Processes.freePort());
            try {
                s.initAndStart();
                return s;
            } catch (IOException e) {
                last = e;
                s.stop();
                deleteData(s.data);
            }
        }
        throw last;
    }

    private void initAndStart() throws IOException, InterruptedException {
        Files.createDirectories(data);
        Files.writeString(passwordFile, PASSWORD + "\n");
        if (root()) {
            chown(dir);
        }
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            asServer(Duration.ofMinutes(2), dir.resolve("initdb.log"), bin.resolve("initdb").toString(), "-D", data.toString(),
                    "-U", USER, "--pwfile=" + passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C");
        }
        asServer(Duration.ofMinutes(1), dir.resolve("pg_ctl.log"), bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "start", "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir
                        + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void chown(Path dir) throws IOException, InterruptedException {
        Processes.run(Duration.ofSeconds(30), Files.createTempFile("chown", ".log"), "chown", "-R", RUN_AS, dir.toString());
    }

    /** Runs a PostgreSQL program as the server's user. */
    private void asServer(Duration timeout, Path log, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            cmd.addAll(List.of("setpriv", "--reuid=" + RUN_AS, "--regid=nogroup", "--clear-groups", "--"));
        }
        cmd.addAll(List.of(command));
        Processes.run(timeout, log, cmd.toArray(String[]::new));
    }

    private void stop() {
        try {
            asServer(Duration.ofMinutes(1), dir.resolve("pg_ctl-stop.log"), bin.resolve("pg_ctl").toString(), "-D",
                    data.toString(), "-m", "immediate", "-w", "stop");
        } catch (IOException | InterruptedException ignored) {
            // the JVM is exiting: nothing more to do
        }
    }

    private static void deleteData(Path data) {
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a fresh attempt uses it again: initdb fails loudly if it is not empty
        }
    }

    public int port() {
        return port;
    }

    /** A new, empty database; its name. */
    public String createDatabase() {
        String name = "t" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** {@code GANTRY_DATABASE_URL} and the password file for a database, as an operator sets them. */
    public Map<String, String> environment(String database) {
        return Map.of("GANTRY_DATABASE_URL", url(database), "GANTRY_DATABASE_PASSWORD_FILE", passwordFile.toString());
    }

    public String url(String database) {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + database + "?application_name=gantry-test";
    }

    public Path passwordFile() {
        return passwordFile;
    }

    /** The location Gantry reads from those settings. */
    public DatabaseLocation.Postgres location(String database) {
        return (DatabaseLocation.Postgres) new ConfigLoader(environment(database), null).load().database();
    }

    /** A plain connection to a database, as an operator's psql would have. */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
    }
}
