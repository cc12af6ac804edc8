package org.spack.gantry.allocate;

import java.util.OptionalLong;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;

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
    public Allocation allocation(Spec spec, Prediction p) {
        Allocation a = Allocation.requests(p);
        OptionalLong limit = memoryLimit.megabytes(p);
        return limit.isPresent() ? a.withMemoryLimit(limit.getAsLong()) : a;
    }
}
