package org.spack.gantry.evaluate;

import java.util.Arrays;

/** Usage over request, memory and CPU: the mean and the median over the jobs. */
public record Ratios(int jobs, double memMean, double memMedian, double cpuMean, double cpuMedian) {

    /** Collects one pair of ratios per job; a ratio that is not a finite number is left out. */
    static final class Builder {
        private double[] mem = new double[16];
        private double[] cpu = new double[16];
        private int memCount;
        private int cpuCount;

        void add(double usedMemory, double requestedMemory, double usedCpu, double requestedCpu) {
            double m = usedMemory / requestedMemory;
            if (Double.isFinite(m)) {
                mem = grow(mem, memCount);
                mem[memCount++] = m;
            }
            double c = usedCpu / requestedCpu;
            if (Double.isFinite(c)) {
                cpu = grow(cpu, cpuCount);
                cpu[cpuCount++] = c;
            }
        }

        Ratios build() {
            return new Ratios(Math.max(memCount, cpuCount), mean(mem, memCount), median(mem, memCount),
                    mean(cpu, cpuCount), median(cpu, cpuCount));
        }

        private static double[] grow(double[] a, int size) {
            return size < a.length ? a : Arrays.copyOf(a, a.length * 2);
        }
    }

    static double mean(double[] values, int count) {
        if (count == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += values[i];
        }
        return sum / count;
    }

    static double median(double[] values, int count) {
        if (count == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }
}
