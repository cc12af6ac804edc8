package org.spack.gantry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path release;

    private Path envFile(String json, String mode) throws Exception {
        Path f = release.resolve("environment.json");
        Files.writeString(f, json);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void logFormatAccessLogAndBackupDirectory() {
        Config c = new ConfigLoader(Map.of("LOG_FORMAT", "JSON", "GANTRY_ACCESS_LOG", "true", "DB_FILE", "/srv/g/shared/gantry.db"),
                null).load();
        assertEquals("json", c.logFormat());
        assertEquals(true, c.accessLog());
        assertEquals(Path.of("/srv/g/shared/backups"), c.backupDir(), "beside DB_FILE");
        assertEquals(Path.of("/var/backups/gantry"),
                new ConfigLoader(Map.of("GANTRY_BACKUP_DIR", "/var/backups/gantry"), null).load().backupDir());
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("LOG_FORMAT", "xml"), null).load());
        assertEquals("LOG_FORMAT must be text or json, not 'xml'", e.getMessage());
    }

    @Test
    void defaults() {
        Config c = new ConfigLoader(Map.of(), null).load();
        assertEquals(Path.of("gantry.db"), c.dbFile());
        assertEquals("0.0.0.0", c.host());
        assertEquals(8080, c.port());
        assertEquals("info", c.logLevel(), "routine events show by default");
        assertEquals("text", c.logFormat());
        assertEquals(false, c.accessLog());
        assertEquals(Path.of("gantry.db").toAbsolutePath().getParent().resolve("backups"), c.backupDir());
        assertEquals("disabled: PROMETHEUS_URL, GITLAB_URL, GITLAB_API_TOKEN, GITLAB_WEBHOOK_TOKEN not set", c.collectionStatus());
    }

    @Test
    void theReleaseFileIsReadAndTheEnvironmentWins() throws Exception {
        envFile("{\"GANTRY_PORT\": \"9000\", \"DB_FILE\": \"/x/file.db\", \"GITLAB_API_TOKEN\": \"t\"}", "rw-------");
        Config c = new ConfigLoader(Map.of("GANTRY_PORT", "9100"), release).load();
        assertEquals(9100, c.port());
        assertEquals(Path.of("/x/file.db"), c.dbFile());
        assertEquals("t", c.gitlabApiToken());
    }

    @Test
    void gantryEnvFilePointsElsewhere() throws Exception {
        Path other = Files.writeString(release.resolve("other.json"), "{\"LOG_LEVEL\": \"debug\"}");
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
        assertEquals("debug", new ConfigLoader(Map.of("GANTRY_ENV_FILE", other.toString()), null).load().logLevel());
    }

    @Test
    void aFileOthersCanReadIsRefusedWithTheFix() throws Exception {
        Path f = envFile("{}", "rw-r--r--");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(), release).load());
        assertTrue(e.getMessage().endsWith("chmod 600 " + f), e.getMessage());
    }

    @Test
    void malformedJsonNamesLineAndColumn() throws Exception {
        envFile("{\n  \"A\": \"b\",\n  oops\n}", "rw-------");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(), release).load());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("column"), e.getMessage());
    }

    @Test
    void nonStringValuesAndBadNumbersAreRefused() throws Exception {
        envFile("{\"GANTRY_PORT\": 8080}", "rw-------");
        assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(), release).load());
        assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of("GANTRY_PORT", "http"), null).load());
        assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of("LOG_LEVEL", "loud"), null).load());
        assertEquals(new org.spack.gantry.predict.MemoryLimit(1.15),
                new ConfigLoader(Map.of("GANTRY_MEMORY_LIMIT_FACTOR", "1.15"), null).load().memoryLimit());
        assertEquals(org.spack.gantry.predict.MemoryLimit.NONE, new ConfigLoader(Map.of(), null).load().memoryLimit(),
                "unset: the reference's answers");
        assertEquals("warn", new ConfigLoader(Map.of("LOG_LEVEL", "WARNING"), null).load().logLevel());
    }

    @Test
    void theMemoryLimitFactorIsFromOneToTen() {
        // below 1 the limit is under what a build of the sample used; above 10 it limits nothing
        for (String factor : new String[] {"1e308", "9e12", "1e-320", "0.99", "10.01", "0", "-1", "NaN", "Infinity", "lots", "1,15"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new ConfigLoader(Map.of("GANTRY_MEMORY_LIMIT_FACTOR", factor), null).load());
            assertEquals("GANTRY_MEMORY_LIMIT_FACTOR must be a number from 1 to 10 (e.g. 1.15), not '" + factor + "'",
                    e.getMessage());
        }
        for (String factor : new String[] {"1", "1.0", "1.15", " 1.5 ", "10"}) {
            assertEquals(Double.parseDouble(factor.strip()),
                    new ConfigLoader(Map.of("GANTRY_MEMORY_LIMIT_FACTOR", factor), null).load().memoryLimit().factor());
        }
    }

    @Test
    void theBackoffIsAFiniteNumberOfSeconds() {
        for (String backoff : new String[] {"Infinity", "1e308", "-1", "NaN", "3601"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new ConfigLoader(Map.of("GANTRY_COLLECT_BACKOFF_SECONDS", backoff), null).load());
            assertEquals("GANTRY_COLLECT_BACKOFF_SECONDS must be a number of seconds from 0 to 3600, not '" + backoff + "'",
                    e.getMessage());
        }
        assertEquals(0.2, new ConfigLoader(Map.of("GANTRY_COLLECT_BACKOFF_SECONDS", "0.2"), null).load().collectBackoffSeconds());
    }

    @Test
    void anEnvironmentFileWithMoreThanItsObjectOrANameTwiceIsRefusedInOneLine() throws Exception {
        Path f = envFile("{\"GANTRY_PORT\": \"9000\"}\n{\"GANTRY_PORT\": \"9001\"}\n", "rw-------");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(), release).load());
        assertEquals(f + " holds more than its JSON object at line 2, column 2", e.getMessage());

        envFile("{\"LOG_LEVEL\": \"info\"} trailing", "rw-------");
        e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(), release).load());
        assertTrue(e.getMessage().startsWith(f + " holds more than its JSON object at line 1, column "), e.getMessage());

        envFile("{\n  \"GANTRY_PORT\": \"9000\",\n  \"GANTRY_PORT\": \"9001\"\n}\n", "rw-------");
        e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(), release).load());
        assertTrue(e.getMessage().startsWith(f + " sets GANTRY_PORT twice at line 3, column "), e.getMessage());

        for (String bad : new String[] {"[]", "\"text\"", "", "{\"A\": \"b\",}"}) {
            envFile(bad, "rw-------");
            e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(), release).load(), bad);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        envFile("{\"LOG_LEVEL\": \"debug\"}\n\n", "rw-------");
        assertEquals("debug", new ConfigLoader(Map.of(), release).load().logLevel(), "white space after the object is fine");
    }

    @Test
    void tokensNeverReachToString() {
        Config c = new ConfigLoader(Map.of("GITLAB_API_TOKEN", "glpat-secret", "GITLAB_WEBHOOK_TOKEN", "hook-secret",
                "PROMETHEUS_COOKIE", "cookie-secret"), null).load();
        assertTrue(!c.toString().contains("secret"), c.toString());
    }

    @Test
    void databaseUrlSelectsPostgresqlWithThePasswordFromTheEnvironmentOrAFile() throws Exception {
        assertEquals(new org.spack.gantry.store.DatabaseLocation.SqliteFile(Path.of("/srv/g/gantry.db")),
                new ConfigLoader(Map.of("DB_FILE", "/srv/g/gantry.db"), null).load().database(), "SQLite without it");
        Config c = new ConfigLoader(Map.of("GANTRY_DATABASE_URL",
                "postgresql://gantry@db.example.org:5433/gantry?sslmode=verify-full&sslrootcert=/etc/gantry/ca.pem&connect_timeout=5",
                "GANTRY_DATABASE_PASSWORD", "s3cret"), null).load();
        var pg = (org.spack.gantry.store.DatabaseLocation.Postgres) c.database();
        assertEquals("jdbc:postgresql://db.example.org:5433/gantry", pg.jdbcUrl());
        assertEquals(Map.of("user", "gantry", "password", "s3cret", "sslmode", "verify-full",
                "sslrootcert", "/etc/gantry/ca.pem", "connectTimeout", "5"), pg.properties());
        assertEquals("postgresql://gantry@db.example.org:5433/gantry", pg.describe());
        assertTrue(!c.toString().contains("s3cret") && !pg.toString().contains("s3cret"), "the password is never printed");
        assertTrue(c.sharedDatabase());

        Path file = Files.writeString(release.resolve("password"), "from a file\n");
        var fromFile = (org.spack.gantry.store.DatabaseLocation.Postgres) new ConfigLoader(Map.of("GANTRY_DATABASE_URL",
                "postgres://gantry@h/g", "GANTRY_DATABASE_PASSWORD_FILE", file.toString()), null).load().database();
        assertEquals("from a file", fromFile.properties().get("password"), "the trailing newline is not the password's");
    }

    @Test
    void aBadDatabaseUrlIsOneLineThatNeverPrintsThePassword() {
        Map<Map<String, String>, String> bad = Map.of(
                Map.of("GANTRY_DATABASE_URL", "postgresql://gantry:hunter2@db/gantry"),
                "GANTRY_DATABASE_URL must not hold the password: set GANTRY_DATABASE_PASSWORD or GANTRY_DATABASE_PASSWORD_FILE instead",
                Map.of("GANTRY_DATABASE_URL", "mysql://db/gantry"),
                "GANTRY_DATABASE_URL is not a PostgreSQL URL (postgresql://user@host:5432/gantry): it must start with postgresql://, in 'mysql://db/gantry'",
                Map.of("GANTRY_DATABASE_URL", "postgresql://db"),
                "GANTRY_DATABASE_URL is not a PostgreSQL URL (postgresql://user@host:5432/gantry): it names no database (postgresql://host:5432/gantry), in 'postgresql://db'",
                Map.of("GANTRY_DATABASE_URL", "postgresql://db/g?sslfactory=x"),
                "GANTRY_DATABASE_URL is not a PostgreSQL URL (postgresql://user@host:5432/gantry): 'sslfactory' is not an option Gantry passes on (application_name, connect_timeout, sslcert, sslkey, sslmode, sslrootcert, target_session_attrs), in 'postgresql://db/g?sslfactory=x'",
                Map.of("GANTRY_DATABASE_URL", "postgresql://db/g", "GANTRY_DATABASE_PASSWORD", "a",
                        "GANTRY_DATABASE_PASSWORD_FILE", "/etc/p"),
                "set GANTRY_DATABASE_PASSWORD or GANTRY_DATABASE_PASSWORD_FILE, not both");
        bad.forEach((env, message) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(env, null).load());
            assertEquals(message, e.getMessage());
            assertTrue(!e.getMessage().contains("hunter2"));
        });
        ConfigException lease = assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("GANTRY_COLLECT_LEASE_SECONDS", "1"), null).load());
        assertEquals("GANTRY_COLLECT_LEASE_SECONDS must be a whole number from 5 to 86400, not '1'", lease.getMessage());
    }

    @Test
    void limitsModeAndPipelineRerunsAreOptIn() {
        Config off = new ConfigLoader(Map.of(), null).load();
        assertEquals(false, off.limits());
        assertEquals(false, off.oomRerunPipelines());
        assertEquals(false, off.oomTracking(), "no memory limit in the answers: nothing for a kill to raise");
        Config limits = new ConfigLoader(Map.of("GANTRY_LIMITS", "true", "GANTRY_OOM_RERUN_PIPELINES", "TRUE"), null).load();
        assertEquals(true, limits.limits());
        assertEquals(true, limits.oomRerunPipelines());
        assertEquals(true, limits.oomTracking());
        assertEquals(true, new ConfigLoader(Map.of("GANTRY_MEMORY_LIMIT_FACTOR", "1.5", "GANTRY_OOM_RERUN_PIPELINES", "true"),
                null).load().oomTracking());
        assertEquals("GANTRY_LIMITS must be true or false, not 'yes'", assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of("GANTRY_LIMITS", "yes"), null).load()).getMessage());
        assertEquals("GANTRY_OOM_RERUN_PIPELINES=true needs GANTRY_LIMITS=true or GANTRY_MEMORY_LIMIT_FACTOR: without a"
                + " memory limit in the answers an OOM-killed job would be run again with the same memory",
                assertThrows(ConfigException.class,
                        () -> new ConfigLoader(Map.of("GANTRY_OOM_RERUN_PIPELINES", "true"), null).load()).getMessage());
    }
}
