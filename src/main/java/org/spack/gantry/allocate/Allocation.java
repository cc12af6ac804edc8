package org.spack.gantry.allocate;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.trace.Trace;

/**
 * What one answer allocates, as numbers: CPU in millicores and memory in units of 10^6
 * bytes (the reference's rounding, half to even), the optional limits and build
 * parallelism. Rendered once, in {@link #variables()}; everything that changes an answer
 * (a memory limit, limits mode, an OOM raise) changes these numbers, never the text.
 */
public record Allocation(long cpuRequestMillis, long memRequestMb, OptionalLong cpuLimitMillis,
        OptionalLong memLimitMb, OptionalLong buildJobs, boolean customJobSize) {
    public static final String CPU_REQUEST = "KUBERNETES_CPU_REQUEST";
    public static final String MEMORY_REQUEST = "KUBERNETES_MEMORY_REQUEST";
    public static final String CPU_LIMIT = "KUBERNETES_CPU_LIMIT";
    public static final String MEMORY_LIMIT = "KUBERNETES_MEMORY_LIMIT";
    public static final String BUILD_JOBS = "SPACK_BUILD_JOBS";
    /** The job-size label Spack's runners put on a build pod ({@code gitlab/ci_job_size}). */
    public static final String JOB_SIZE = "CI_JOB_SIZE";

    /** The reference's answer: the two requests. */
    public static Allocation requests(Prediction p) {
        return requests(p, Trace.OFF);
    }

    /** As {@link #requests(Prediction)}, telling the trace the rounding. */
    public static Allocation requests(Prediction p, Trace trace) {
        long cpu = p.millicores();
        long mem = p.megabytes();
        trace.step(CPU_REQUEST, "round(%s cores x 1000) half to even, m", p.cores(), cpu);
        trace.step(MEMORY_REQUEST, "round(%s bytes / 10^6) half to even, M", p.bytes(), mem);
        return new Allocation(cpu, mem, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), false);
    }

    public Allocation withMemoryLimit(long mb) {
        return new Allocation(cpuRequestMillis, memRequestMb, cpuLimitMillis, OptionalLong.of(mb), buildJobs,
                customJobSize);
    }

    /** The limits branch's additions: both limits, the build parallelism, and a custom job size. */
    public Allocation withLimits(long cpuLimit, long memLimit, long jobs) {
        return new Allocation(cpuRequestMillis, memRequestMb, OptionalLong.of(cpuLimit), OptionalLong.of(memLimit),
                OptionalLong.of(jobs), true);
    }

    /**
     * After OOM kills ({@link org.spack.gantry.oom.OomRaise#raisedLimit}, in bytes; the
     * allocation itself when empty): the memory limit is at least the raised one, in units
     * of 10^6 bytes rounded as every memory figure, and the request follows so that it is
     * never above the limit (Kubernetes refuses a pod whose request exceeds its limit).
     */
    public Allocation raised(OptionalDouble raisedLimitBytes) {
        return raised(raisedLimitBytes, Trace.OFF);
    }

    /** As {@link #raised(OptionalDouble)}, telling the trace the limit and the request that follows it. */
    public Allocation raised(OptionalDouble raisedLimitBytes, Trace trace) {
        if (raisedLimitBytes.isEmpty()) return this;
        long raisedMb = (long) Math.rint(raisedLimitBytes.getAsDouble() * (1 / 1_000_000.0));
        long limit = Math.max(memLimitMb.orElse(raisedMb), raisedMb);
        long request = Math.min(memRequestMb, limit);
        if (memLimitMb.isPresent()) {
            trace.step(MEMORY_LIMIT, "max(the limit without the raise %s M, round(%s bytes / 10^6) half to even) M",
                    memLimitMb.getAsLong(), raisedLimitBytes.getAsDouble(), limit);
        } else {
            trace.step(MEMORY_LIMIT, "round(%s bytes / 10^6) half to even, M", raisedLimitBytes.getAsDouble(), limit);
        }
        trace.step(MEMORY_REQUEST, "min(%s M, the limit %s M): never above the limit", memRequestMb, limit, request);
        return new Allocation(cpuRequestMillis, request, cpuLimitMillis, OptionalLong.of(limit), buildJobs,
                customJobSize);
    }

    /**
     * The variables, in the order the reference (and its limits branch) writes them:
     * requests, limits, {@code SPACK_BUILD_JOBS} (a JSON integer), {@code CI_JOB_SIZE}.
     */
    public Variables variables() {
        Variables v = new Variables().add(CPU_REQUEST, cpuRequestMillis + "m").add(MEMORY_REQUEST, memRequestMb + "M");
        cpuLimitMillis.ifPresent(l -> v.add(CPU_LIMIT, l + "m"));
        memLimitMb.ifPresent(l -> v.add(MEMORY_LIMIT, l + "M"));
        buildJobs.ifPresent(j -> v.add(BUILD_JOBS, j));
        if (customJobSize) v.add(JOB_SIZE, "custom");
        return v;
    }
}
