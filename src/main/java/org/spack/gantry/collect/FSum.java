package org.spack.gantry.collect;

/**
 * A correctly rounded sum of doubles (Shewchuk's exact partials, the method behind
 * Python's {@code math.fsum}), so that means match the reference's to the last bit.
 */
final class FSum {
    private FSum() {}

    static double sum(double[] values) {
        double[] partials = new double[32];
        int count = 0;
        double special = 0;
        for (double x : values) {
            if (!Double.isFinite(x)) {
                special += x;
                continue;
            }
            int i = 0;
            for (int j = 0; j < count; j++) {
                double y = partials[j];
                if (Math.abs(x) < Math.abs(y)) {
                    double t = x;
                    x = y;
                    y = t;
                }
                double hi = x + y;
                double lo = y - (hi - x);
                if (lo != 0.0) {
                    partials[i++] = lo;
                }
                x = hi;
            }
            if (i == partials.length) {
                partials = java.util.Arrays.copyOf(partials, partials.length * 2);
            }
            partials[i++] = x;
            count = i;
        }
        if (special != 0 || Double.isNaN(special)) {
            return special;
        }
        return roundPartials(partials, count);
    }

    /** Adds the partials from the top, correcting the last rounding as fsum does. */
    private static double roundPartials(double[] p, int n) {
        if (n == 0) return 0.0;
        double hi = p[--n];
        double lo = 0;
        while (n > 0) {
            double x = hi;
            double y = p[--n];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0) break;
        }
        // half-way case: make the rounding agree with the sign of the remaining partials
        if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
            double y = lo * 2;
            double x = hi + y;
            double yr = x - hi;
            if (y == yr) hi = x;
        }
        return hi;
    }
}
