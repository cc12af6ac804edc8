package org.spack.gantry.store;

/** A row of {@code jobs} with its id. */
public record StoredJob(long id, JobRow row) {}
