package org.spack.gantry.http;

import java.util.List;
import org.spack.gantry.worker.Worker;

/**
 * What {@code /healthz} reports besides the version, read when it is asked; reading it
 * throws when the database cannot answer.
 *
 * @param database which database: {@code sqlite /path} or {@code postgresql://user@host:port/db}
 * @param allocations where answers come from: {@code memory}, or {@code database} while the history loads
 * @param collection {@code enabled}, or why it is off
 * @param reconciliation the setting, the last run and what it cost GitLab
 * @param workers each background worker: up, or dead or stuck and why
 */
public record Health(String database, String schemaVersion, long queueDepth, String allocations, String collection,
        String reconciliation, List<Worker.State> workers) {}
