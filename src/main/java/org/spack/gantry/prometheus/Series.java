package org.spack.gantry.prometheus;

import java.util.List;
import java.util.Map;

/** One series of a query result: its labels and its (time, value) samples, one for an instant query. */
public record Series(Map<String, String> labels, List<Sample> samples) {
    public record Sample(double time, String value) {
        /** The value as Prometheus writes it, including {@code NaN} and {@code +Inf}. */
        public double asDouble() {
            return switch (value) {
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            };
        }
    }

    public String label(String name) {
        return labels.get(name);
    }
}
