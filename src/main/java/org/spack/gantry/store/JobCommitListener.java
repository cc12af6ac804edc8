package org.spack.gantry.store;

/**
 * Told of each job row this process committed, right after the commit returns, so that
 * what is derived from the jobs table (the allocation index) is current at once.
 */
public interface JobCommitListener {
    /** @param id the row's {@code jobs.id} */
    void committed(long id, JobRow row);

    JobCommitListener NONE = (id, row) -> {};
}
