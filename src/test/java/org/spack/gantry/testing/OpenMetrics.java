package org.spack.gantry.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenMetrics text, as {@code promtool tsdb create-blocks-from openmetrics} reads it:
 * samples grouped by metric family, each series in time order, timestamps in seconds.
 */
public final class OpenMetrics {
    /** One sample of a series. */
    public record Point(long time, double value) {}

    private record Family(String type, List<String> lines) {}

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** Adds a series of the family {@code family}; for a counter the samples are named {@code family_total}. */
    public OpenMetrics series(String family, String type, Map<String, String> labels, List<Point> points) {
        Family f = families.computeIfAbsent(family, k -> new Family(type, new ArrayList<>()));
        if (!f.type().equals(type)) throw new IllegalArgumentException(family + " is a " + f.type());
        String name = "counter".equals(type) ? family + "_total" : family;
        String labelText = labels(labels);
        long last = Long.MIN_VALUE;
        for (Point p : points) {
            if (p.time() <= last) throw new IllegalArgumentException("samples of a series must be in time order");
            last = p.time();
            f.lines().add(name + labelText + " " + p.value() + " " + p.time());
        }
        return this;
    }

    /** A constant series (what kube-state-metrics exports: value 1, or a resource amount) sampled every {@code step} s. */
    public OpenMetrics constant(String family, Map<String, String> labels, double value, long from, long to, long step) {
        List<Point> points = new ArrayList<>();
        for (long t = from; t <= to; t += step) {
            points.add(new Point(t, value));
        }
        return series(family, "gauge", labels, points);
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        families.forEach((name, f) -> {
            sb.append("# TYPE ").append(name).append(' ').append(f.type()).append('\n');
            f.lines().forEach(l -> sb.append(l).append('\n'));
        });
        return sb.append("# EOF\n").toString();
    }

    private static String labels(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder("{");
        labels.forEach((k, v) -> {
            if (sb.length() > 1) sb.append(',');
            sb.append(k).append("=\"")
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        });
        return sb.append('}').toString();
    }
}
