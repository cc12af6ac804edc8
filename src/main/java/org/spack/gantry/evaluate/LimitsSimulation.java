package org.spack.gantry.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.spack.gantry.allocate.Allocation;
import org.spack.gantry.allocate.LimitsAnswer;
import org.spack.gantry.oom.OomRaise;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.ExactSpec;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.StoredJob;

/**
 * Replays the held-out jobs in the order they ended, each answered as limits mode would
 * have answered it (the server's own {@link LimitsAnswer} and {@link OomRaise}): a job
 * whose {@code mem_max} exceeds its memory limit is OOM-killed, and run again at the
 * raised limit, up to {@value OomRaise#CAP} raises since its spec's last success; killed
 * once more, it fails for good. A success ends its spec's raise, as in the server.
 */
public final class LimitsSimulation {
    private static final double BYTES_PER_MEGABYTE = 1_000_000.0;

    /** A held-out job with its spec and the API's prediction for it. */
    private record Case(JobRow job, Spec spec, ExactSpec key, Prediction prediction) {}

    private final List<Case> cases = new ArrayList<>();
    private final int holdout;
    private final int refused;

    /** @param predictor answers from the history without the held-out jobs */
    public LimitsSimulation(List<StoredJob> heldOut, SpecParser parser, Function<Spec, Prediction> predictor) {
        List<StoredJob> byEnd = new ArrayList<>(heldOut);
        byEnd.sort(Comparator.comparingLong((StoredJob s) -> s.row().end()).thenComparingLong(StoredJob::id));
        int refusedCount = 0;
        for (StoredJob s : byEnd) {
            Spec spec;
            try {
                spec = parser.parse(SpecText.of(s.row()));
            } catch (InvalidSpecException e) {
                refusedCount++;
                continue;
            }
            cases.add(new Case(s.row(), spec, ExactSpec.of(s.row()), predictor.apply(spec)));
        }
        this.holdout = heldOut.size();
        this.refused = refusedCount;
    }

    public LimitsReport run(List<Double> factors) {
        List<LimitsReport.Row> rows = new ArrayList<>();
        for (double f : factors) {
            rows.add(simulate(f));
        }
        return new LimitsReport(holdout, cases.size(), refused, staticAllocation(), List.copyOf(rows));
    }

    /** The jobs' own requests and limits, as they ran: a static limit is never raised. */
    private LimitsReport.Row staticAllocation() {
        int killed = 0;
        double limits = 0;
        double requests = 0;
        double used = 0;
        for (Case c : cases) {
            if (c.job().memMax() > c.job().memLimit()) killed++;
            limits += c.job().memLimit();
            requests += c.job().memRequest();
            used += c.job().memMax();
        }
        return new LimitsReport.Row(Double.NaN, share(killed), 0, 0, 0, limits / used, requests / used);
    }

    private LimitsReport.Row simulate(double factor) {
        LimitsAnswer limitsMode = new LimitsAnswer(factor);
        // per spec, the limits its jobs were killed at since its last success, in order
        Map<ExactSpec, List<Double>> killedAt = new HashMap<>();
        int killedOnce = 0;
        int reruns = 0;
        int failing = 0;
        int failingWithoutHistory = 0;
        double limits = 0;
        double requests = 0;
        double used = 0;
        for (Case c : cases) {
            Allocation answered = limitsMode.allocation(c.spec(), c.prediction());
            List<Double> kills = killedAt.computeIfAbsent(c.key(), k -> new ArrayList<>());
            Allocation run = answered.raised(OomRaise.raisedLimit(kills));
            boolean killed = false;
            boolean failed = false;
            while (c.job().memMax() > bytes(run.memLimitMb().getAsLong())) {
                killed = true;
                kills.add(bytes(run.memLimitMb().getAsLong()));
                if (OomRaise.capped(kills.size())) {
                    failed = true;
                    break;
                }
                reruns++;
                run = answered.raised(OomRaise.raisedLimit(kills));
            }
            if (failed) {
                failing++;
                if (Prediction.defaults().predictor().equals(c.prediction().predictor())) failingWithoutHistory++;
            } else {
                // a successful build ends its spec's raise
                kills.clear();
            }
            if (killed) killedOnce++;
            limits += bytes(run.memLimitMb().getAsLong());
            requests += bytes(run.memRequestMb());
            used += c.job().memMax();
        }
        return new LimitsReport.Row(factor, share(killedOnce), reruns, failing, failingWithoutHistory, limits / used,
                requests / used);
    }

    private static double bytes(long megabytes) {
        return megabytes * BYTES_PER_MEGABYTE;
    }

    private double share(int n) {
        return cases.isEmpty() ? Double.NaN : (double) n / cases.size();
    }
}
