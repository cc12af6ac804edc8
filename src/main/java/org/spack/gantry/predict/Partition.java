package org.spack.gantry.predict;

import java.util.List;
import java.util.Map;
import org.spack.gantry.store.HistoryRow;

/**
 * The jobs of one package that share their variants (or their expensive variants),
 * in SQLite's order, as columns of small integers so that a sample is a short scan.
 */
final class Partition {
    /** A column the predictor does not constrain. */
    static final int ANY = -1;

    private final int[] version;
    private final int[] compilerName;
    private final int[] compilerVersion;
    /** For row i, one past the last row with the same {@code end}: ties are contiguous. */
    private final int[] tiesEnd;
    private final double[] cpu;
    private final double[] cpuMax;
    private final double[] mem;
    private final double[] memMax;

    Partition(List<HistoryRow> jobs, Map<String, Integer> versions, Map<String, Integer> compilerNames,
            Map<String, Integer> compilerVersions) {
        int n = jobs.size();
        version = new int[n];
        compilerName = new int[n];
        compilerVersion = new int[n];
        tiesEnd = new int[n];
        cpu = new double[n];
        cpuMax = new double[n];
        mem = new double[n];
        memMax = new double[n];
        for (int i = 0; i < n; i++) {
            HistoryRow j = jobs.get(i);
            version[i] = versions.get(j.version());
            compilerName[i] = compilerNames.get(j.compilerName());
            compilerVersion[i] = compilerVersions.get(j.compilerVersion());
            cpu[i] = j.cpuMean();
            cpuMax[i] = j.cpuMax();
            mem[i] = j.memMean();
            memMax[i] = j.memMax();
        }
        for (int i = n - 1; i >= 0; i--) {
            boolean tiedWithNext = i + 1 < n && jobs.get(i).end() == jobs.get(i + 1).end();
            tiesEnd[i] = tiedWithNext ? tiesEnd[i + 1] : i + 1;
        }
    }

    /**
     * Adds the first {@link SampleQuery#IDEAL_SAMPLE} matching rows to the sample, in the
     * order SQLite returns them.
     *
     * @param newestIdFirstOnTies true for the one query SQLite answers by walking the
     *     index backwards (all five columns fixed, so {@code ORDER BY end DESC} needs no
     *     sort): rows that finished at the same time then come highest rowid first
     */
    void sample(int v, int cn, int cv, boolean newestIdFirstOnTies, Sample into) {
        int n = cpu.length;
        int i = 0;
        while (i < n && into.count() < SampleQuery.IDEAL_SAMPLE) {
            if (!newestIdFirstOnTies) {
                if (matches(i, v, cn, cv)) into.add(cpu[i], cpuMax[i], mem[i], memMax[i]);
                i++;
            } else {
                int end = tiesEnd[i];
                for (int j = end - 1; j >= i && into.count() < SampleQuery.IDEAL_SAMPLE; j--) {
                    if (matches(j, v, cn, cv)) into.add(cpu[j], cpuMax[j], mem[j], memMax[j]);
                }
                i = end;
            }
        }
    }

    private boolean matches(int i, int v, int cn, int cv) {
        return (v == ANY || version[i] == v) && (cn == ANY || compilerName[i] == cn)
                && (cv == ANY || compilerVersion[i] == cv);
    }

    /** Sums in the order rows are added, as the reference's {@code sum} over the rows does. */
    static final class Sample {
        private int count;
        private double cpu;
        private double cpuMax;
        private double mem;
        private double memMax;

        void add(double rowCpu, double rowCpuMax, double rowMem, double rowMemMax) {
            cpu += rowCpu;
            cpuMax += rowCpuMax;
            mem += rowMem;
            memMax = count == 0 ? rowMemMax : Math.max(memMax, rowMemMax);
            count++;
        }

        int count() {
            return count;
        }

        void clear() {
            count = 0;
            cpu = 0;
            cpuMax = 0;
            mem = 0;
        }

        boolean accepted() {
            return count >= SampleQuery.MIN_SAMPLE;
        }

        /** The prediction from this sample, once {@link #accepted()}. */
        Prediction prediction(String predictor) {
            return Prediction.fromMeans(cpu / count, mem / count, predictor, memMax, cpuMax / count);
        }
    }
}
