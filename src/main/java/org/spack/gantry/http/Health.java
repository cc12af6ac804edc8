package org.spack.gantry.http;

/**
 * What {@code /healthz} reports besides the version, read when it is asked; reading it
 * throws when the database cannot answer.
 *
 * @param database which database: {@code sqlite /path} or {@code postgresql://user@host:port/db}
 * @param allocations where answers come from: {@code memory}, or {@code database} while the history loads
 * @param collection {@code enabled}, or why it is off
 * @param reconciliation the setting and the last completed run
 */
public record Health(String database, String schemaVersion, long queueDepth, String allocations, String collection, String reconciliation) {}
