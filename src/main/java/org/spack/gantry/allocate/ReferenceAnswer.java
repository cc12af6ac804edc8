package org.spack.gantry.allocate;

import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;

/**
 * The reference's answer, the CPU and memory requests, and with {@code
 * GANTRY_MEMORY_LIMIT_FACTOR} set the opt-in {@code KUBERNETES_MEMORY_LIMIT} after them.
 */
public final class ReferenceAnswer implements AnswerRule {
    public static final String CPU_REQUEST = "KUBERNETES_CPU_REQUEST";
    public static final String MEMORY_REQUEST = "KUBERNETES_MEMORY_REQUEST";
    public static final String MEMORY_LIMIT = "KUBERNETES_MEMORY_LIMIT";

    private final MemoryLimit memoryLimit;

    /** @param memoryLimit {@link MemoryLimit#NONE} for exactly the reference's answers */
    public ReferenceAnswer(MemoryLimit memoryLimit) {
        this.memoryLimit = memoryLimit;
    }

    @Override
    public Variables variables(Spec spec, Prediction p) {
        Variables v = new Variables().add(CPU_REQUEST, p.cpuRequest()).add(MEMORY_REQUEST, p.memoryRequest());
        memoryLimit.megabytes(p).ifPresent(mb -> v.add(MEMORY_LIMIT, mb + "M"));
        return v;
    }
}
