package org.spack.gantry.trace;

/**
 * An OOM kill of the spec since its last successful build, as the raise reads it.
 *
 * @param end when the killed job finished (unix seconds)
 * @param memLimitBytes the limit it was killed at, NaN when its container had none
 */
public record Kill(long buildId, long end, double memLimitBytes) {}
