package org.spack.gantry.collect;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;

/**
 * Summary statistics of one usage series, computed as Python's {@code statistics}
 * module computes them: {@code fmean} (a correctly rounded sum), the median, and
 * {@code pstdev} (the square root of the exact population variance).
 */
public record UsageStats(double mean, double median, double max, double min, double stddev) {

    public static UsageStats of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        return new UsageStats(FSum.sum(values) / n, median, max, min, populationStddev(values));
    }

    /** Whether the reference would reject the series: flat, zero, or not a number. */
    public boolean unusable() {
        return stddev == 0 || mean == 0 || Double.isNaN(stddev);
    }

    private static double populationStddev(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) return Double.NaN;
        }
        // exact: n^2 * variance = n * sum(x^2) - sum(x)^2, every double being an exact decimal
        BigDecimal n = BigDecimal.valueOf(values.length);
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal sumSquares = BigDecimal.ZERO;
        for (double v : values) {
            BigDecimal x = new BigDecimal(v);
            sum = sum.add(x);
            sumSquares = sumSquares.add(x.multiply(x));
        }
        BigDecimal scaled = n.multiply(sumSquares).subtract(sum.multiply(sum));
        if (scaled.signum() <= 0) return 0.0;
        MathContext mc = new MathContext(60);
        return scaled.sqrt(mc).divide(n, mc).doubleValue();
    }
}
