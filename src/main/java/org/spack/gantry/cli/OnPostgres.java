package org.spack.gantry.cli;

/** What the commands that work on the SQLite file only say when the database is PostgreSQL. */
final class OnPostgres {
    static final String BACKUPS = "the database is PostgreSQL (GANTRY_DATABASE_URL): back it up with pg_dump, or the DBA's"
            + " point-in-time recovery; gantry backup and restore copy the SQLite file only";

    private OnPostgres() {}
}
