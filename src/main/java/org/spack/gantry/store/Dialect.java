package org.spack.gantry.store;

/** What differs in SQL between the engines Gantry runs on; everything else is written once, portably. */
public enum Dialect {
    SQLITE("sqlite", "", true),
    POSTGRESQL("postgresql", " FOR UPDATE SKIP LOCKED", false);

    private final String migrations;
    private final String skipLocked;
    private final boolean idsFollowCommits;

    Dialect(String migrations, String skipLocked, boolean idsFollowCommits) {
        this.migrations = migrations;
        this.skipLocked = skipLocked;
        this.idsFollowCommits = idsFollowCommits;
    }

    /** The engine a connection is to (no round trip: the driver's own class tells). */
    public static Dialect of(java.sql.Connection c) throws java.sql.SQLException {
        return c.isWrapperFor(org.postgresql.PGConnection.class) ? POSTGRESQL : SQLITE;
    }

    /** The folder of this engine's migrations under {@code migrations/} (in the jar, {@code db/migration/}). */
    public String migrations() {
        return migrations;
    }

    /** The column compared byte by byte, as SQLite's default BINARY collation compares text. */
    public String binary(String column) {
        return this == SQLITE ? column : column + " COLLATE \"C\"";
    }

    /**
     * What a SELECT that claims rows ends with: on PostgreSQL the rows are locked and rows
     * another transaction holds are passed over; SQLite has one writer at a time anyway.
     */
    public String claimRows() {
        return skipLocked;
    }

    /**
     * Whether a job committed later always has a higher id: true where one writer commits
     * at a time (SQLite), false where several do (PostgreSQL hands out ids before commit).
     */
    public boolean idsFollowCommits() {
        return idsFollowCommits;
    }
}
