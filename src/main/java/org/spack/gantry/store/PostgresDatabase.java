package org.spack.gantry.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A PostgreSQL database shared by several hosts, through a HikariCP pool. Reads run in a
 * read-only transaction, writes in a READ COMMITTED one, concurrently: claims lock rows
 * ({@link Dialect#claimRows}), inserts that may meet another host's are {@code ON CONFLICT}.
 */
final class PostgresDatabase implements Database {
    /** What the trigger on {@code jobs} announces each insert on: the package's name. */
    static final String JOBS_CHANNEL = "gantry_jobs";

    private final DatabaseLocation.Postgres location;
    private final HikariDataSource pool;

    private PostgresDatabase(DatabaseLocation.Postgres location, HikariDataSource pool) {
        this.location = location;
        this.pool = pool;
    }

    static PostgresDatabase open(DatabaseLocation.Postgres location, int readers) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(location.jdbcUrl());
        config.setDataSourceProperties(properties(location));
        config.setPoolName("gantry-postgresql");
        // readers, the collection's writers and the intake share it; a request waits at most 2 s
        // for a connection, so that while the database is away a webhook gets its 503 (and
        // /healthz its answer) well within GitLab's and a load balancer's timeouts
        config.setMaximumPoolSize(readers + 8);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(2_000);
        config.setAutoCommit(true);
        try {
            return new PostgresDatabase(location, new HikariDataSource(config));
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new DatabaseException("cannot connect to " + location.describe() + ": " + cause.getMessage(), e);
        }
    }

    static Properties properties(DatabaseLocation.Postgres location) {
        Properties p = new Properties();
        p.putAll(location.properties());
        return p;
    }

    /** A connection outside the pool, for what holds one for long: LISTEN, a session's advisory lock. */
    static Connection connect(DatabaseLocation.Postgres location) throws SQLException {
        return DriverManager.getConnection(location.jdbcUrl(), properties(location));
    }

    @Override
    public <T> T read(SqlFunction<T> work) {
        try (Connection c = pool.getConnection()) {
            // BEGIN READ ONLY goes out with the first statement: no round trip of its own
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try {
                return work.apply(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new DatabaseException("database read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T write(SqlFunction<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseException("database write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    public String describe() {
        return location.describe();
    }

    @Override
    public boolean reachable() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public JobChanges jobChanges() {
        return new PostgresJobChanges(location);
    }

    @Override
    public HostLock hostLock(long key) {
        return new SessionLock(location, key);
    }

    @Override
    public void close() {
        pool.close();
    }
}
