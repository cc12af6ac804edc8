package org.spack.gantry.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.OptionalLong;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.StoredJob;

/**
 * Asks the allocation algorithm about each held-out job, as Spack would have asked before
 * it ran, and compares the answer with what the job really used.
 */
public final class Evaluation {
    static final int WORST_PACKAGES = 10;
    private static final double BYTES_PER_MEGABYTE = 1_000_000.0;
    private static final double MILLICORES_PER_CORE = 1000.0;

    private final SpecParser parser;
    private final Function<Spec, Prediction> predictor;

    /** @param predictor answers from the history without the held-out jobs */
    public Evaluation(SpecParser parser, Function<Spec, Prediction> predictor) {
        this.parser = parser;
        this.predictor = predictor;
    }

    /**
     * @param limit the memory limit to assess, or {@link MemoryLimit#NONE}
     * @param progress told how many jobs are done, now and then
     */
    public Report run(List<StoredJob> holdout, MemoryLimit limit, IntConsumer progress) {
        boolean assessLimit = limit != MemoryLimit.NONE;
        Ratios.Builder gantry = new Ratios.Builder();
        Ratios.Builder baseline = new Ratios.Builder();
        Map<String, Long> predictors = new TreeMap<>(Evaluation::byPrecedence);
        Map<String, double[]> memRatioByPackage = new HashMap<>(); // sum, count
        int refused = 0;
        int overRequest = 0;
        int withLimit = 0;
        int overLimit = 0;
        double maxOverLimitSum = 0;
        for (int i = 0; i < holdout.size(); i++) {
            JobRow job = holdout.get(i).row();
            Prediction p = predict(job);
            if (p == null) {
                refused++;
            } else {
                double requestedBytes = p.megabytes() * BYTES_PER_MEGABYTE;
                gantry.add(job.memMean(), requestedBytes, job.cpuMean(), p.millicores() / MILLICORES_PER_CORE);
                baseline.add(job.memMean(), job.memRequest(), job.cpuMean(), job.cpuRequest());
                predictors.merge(p.predictor(), 1L, Long::sum);
                double[] pkg = memRatioByPackage.computeIfAbsent(job.pkgName(), k -> new double[2]);
                pkg[0] += job.memMean() / requestedBytes;
                pkg[1]++;
                if (job.memMax() > requestedBytes) {
                    overRequest++;
                }
                OptionalLong limitMegabytes = limit.megabytes(p);
                if (limitMegabytes.isPresent()) {
                    withLimit++;
                    double limitBytes = limitMegabytes.getAsLong() * BYTES_PER_MEGABYTE;
                    overLimit += job.memMax() > limitBytes ? 1 : 0;
                    maxOverLimitSum += job.memMax() / limitBytes;
                }
            }
            if ((i + 1) % 100 == 0 || i + 1 == holdout.size()) {
                progress.accept(i + 1);
            }
        }
        int answered = holdout.size() - refused;
        return new Report(holdout.size(), answered, refused, gantry.build(), baseline.build(),
                share(overRequest, answered), predictors, worst(memRatioByPackage),
                !assessLimit ? null : new Report.LimitRisk(limit.factor(), withLimit,
                        share(overLimit, withLimit), withLimit == 0 ? Double.NaN : maxOverLimitSum / withLimit));
    }

    /** The API's answer for the job's own spec, or null when the API would refuse the spec. */
    private Prediction predict(JobRow job) {
        Spec spec;
        try {
            spec = parser.parse(SpecText.of(job));
        } catch (InvalidSpecException refused) {
            return null;
        }
        return predictor.apply(spec);
    }

    private static List<Report.PackageRatio> worst(Map<String, double[]> byPackage) {
        List<Report.PackageRatio> all = new ArrayList<>();
        byPackage.forEach((name, sc) -> all.add(new Report.PackageRatio(name, (int) sc[1], sc[0] / sc[1])));
        all.sort(Comparator.comparingDouble(Report.PackageRatio::memRatioMean).reversed()
                .thenComparing(Report.PackageRatio::pkgName));
        return List.copyOf(all.subList(0, Math.min(WORST_PACKAGES, all.size())));
    }

    /** {@code exact:1} ... {@code exact:6}, {@code expensive:1} ..., and {@code default} last. */
    private static int byPrecedence(String a, String b) {
        boolean aDefault = a.equals("default");
        boolean bDefault = b.equals("default");
        return aDefault != bDefault ? (aDefault ? 1 : -1) : a.compareTo(b);
    }

    private static double share(int part, int whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }
}
