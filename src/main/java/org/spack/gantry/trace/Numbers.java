package org.spack.gantry.trace;

import java.math.BigDecimal;

/** A number as an explanation writes it: the shortest text that reads back as the same double, never in E notation. */
public final class Numbers {
    private Numbers() {}

    public static String plain(double d) {
        if (!Double.isFinite(d)) return Double.toString(d);
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return new BigDecimal(Double.toString(d)).toPlainString();
    }
}
