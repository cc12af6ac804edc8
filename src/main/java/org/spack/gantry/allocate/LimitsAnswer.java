package org.spack.gantry.allocate;

import java.util.OptionalLong;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.trace.Trace;

/**
 * Limits mode ({@code GANTRY_LIMITS=true}), spack-gantry's {@code add/resource-limits}
 * branch: the requests, a CPU limit (the mean of the sample's {@code cpu_max}), a memory
 * limit (the factor, 1.2 by default, times the sample's largest {@code mem_max}), {@code
 * SPACK_BUILD_JOBS = max(1, round(CPU request))} and {@code CI_JOB_SIZE: "custom"}; with
 * no sample, 5 cores, 5 GB and 1 build job. Unlike the branch the requests keep the
 * reference's floors (they are exactly the default answer's), and neither limit is ever
 * below its request.
 */
public final class LimitsAnswer implements Sizing {
    /** The branch's {@code MEM_LIMIT_BUMP}. */
    public static final double DEFAULT_MEMORY_FACTOR = 1.2;
    static final long DEFAULT_CPU_LIMIT_MILLIS = 5_000;
    static final long DEFAULT_MEMORY_LIMIT_MB = 5_000;

    private final MemoryLimit memoryLimit;

    /** @param memoryFactor times the sample's largest {@code mem_max}: the memory limit */
    public LimitsAnswer(double memoryFactor) {
        this.memoryLimit = new MemoryLimit(memoryFactor);
    }

    /** Limits mode as configured: GANTRY_MEMORY_LIMIT_FACTOR's factor, or the branch's when it is unset. */
    public static LimitsAnswer configured(MemoryLimit configured) {
        return new LimitsAnswer(memoryFactor(configured));
    }

    /** The memory factor limits mode uses: the configured one, or {@link #DEFAULT_MEMORY_FACTOR}. */
    public static double memoryFactor(MemoryLimit configured) {
        return Double.isNaN(configured.factor()) ? DEFAULT_MEMORY_FACTOR : configured.factor();
    }

    @Override
    public Allocation allocation(Spec spec, Prediction p, Trace trace) {
        Allocation requests = Allocation.requests(p, trace);
        OptionalLong memoryLimitMb = memoryLimit.megabytes(p, trace);
        if (memoryLimitMb.isEmpty()) {
            // no sample: the branch's defaults, the build jobs its DEFAULT_CPU_REQUEST
            long cpuLimit = Math.max(DEFAULT_CPU_LIMIT_MILLIS, requests.cpuRequestMillis());
            long memLimit = Math.max(DEFAULT_MEMORY_LIMIT_MB, requests.memRequestMb());
            trace.step(Allocation.CPU_LIMIT, "no jobs: max(5000, request %s) m", requests.cpuRequestMillis(), cpuLimit);
            trace.step(Allocation.MEMORY_LIMIT, "no jobs: max(5000, request %s) M", requests.memRequestMb(), memLimit);
            trace.step(Allocation.BUILD_JOBS, "no jobs: 1", 1);
            return requests.withLimits(cpuLimit, memLimit, 1);
        }
        long cpuLimit = Math.max(requests.cpuRequestMillis(), (long) Math.rint(p.sampleCpuMaxMean() * 1000));
        trace.step(Allocation.CPU_LIMIT, "max(request %s m, round(%s cores, the mean of the jobs' cpu_max, x 1000)"
                + " half to even) m", requests.cpuRequestMillis(), p.sampleCpuMaxMean(), cpuLimit);
        // Python's round: half to even; at least one
        long buildJobs = Math.max(1, (long) Math.rint(p.cores()));
        trace.step(Allocation.BUILD_JOBS, "max(1, round(%s cores) half to even)", p.cores(), buildJobs);
        return requests.withLimits(cpuLimit, memoryLimitMb.getAsLong(), buildJobs);
    }
}
