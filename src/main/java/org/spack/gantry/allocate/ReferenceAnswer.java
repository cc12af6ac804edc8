package org.spack.gantry.allocate;

import java.util.OptionalLong;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.trace.Trace;

/**
 * The reference's answer, the CPU and memory requests, and with {@code
 * GANTRY_MEMORY_LIMIT_FACTOR} set the opt-in {@code KUBERNETES_MEMORY_LIMIT} after them.
 */
public final class ReferenceAnswer implements Sizing {
    private final MemoryLimit memoryLimit;

    /** @param memoryLimit {@link MemoryLimit#NONE} for exactly the reference's answers */
    public ReferenceAnswer(MemoryLimit memoryLimit) {
        this.memoryLimit = memoryLimit;
    }

    @Override
    public Allocation allocation(Spec spec, Prediction p, Trace trace) {
        Allocation a = Allocation.requests(p, trace);
        OptionalLong limit = memoryLimit.megabytes(p, trace);
        return limit.isPresent() ? a.withMemoryLimit(limit.getAsLong()) : a;
    }
}
