package org.spack.gantry.evaluate;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Locale;
import java.util.stream.Collectors;

/** A report as a table a person reads in ten seconds, or as one JSON object. */
public final class ReportFormat {
    private ReportFormat() {}

    public static String json(Report r) {
        JsonObject o = new JsonObject();
        o.addProperty("holdout", r.holdout());
        o.addProperty("jobs", r.jobs());
        o.addProperty("refused", r.refused());
        addRatios(o, r.gantry());
        o.add("mem_over_request_share", number(r.memOverRequestShare()));
        JsonObject predictors = new JsonObject();
        r.predictors().forEach(predictors::addProperty);
        o.add("predictors", predictors);
        JsonObject baseline = new JsonObject();
        addRatios(baseline, r.baseline());
        o.add("baseline", baseline);
        JsonArray worst = new JsonArray();
        for (Report.PackageRatio p : r.worstMemory()) {
            JsonObject w = new JsonObject();
            w.addProperty("pkg_name", p.pkgName());
            w.addProperty("jobs", p.jobs());
            w.add("mem_ratio_mean", number(p.memRatioMean()));
            worst.add(w);
        }
        o.add("worst_memory", worst);
        if (r.limit() != null) {
            JsonObject limit = new JsonObject();
            limit.addProperty("factor", r.limit().factor());
            limit.addProperty("jobs_with_limit", r.limit().jobsWithLimit());
            limit.add("over_limit_share", number(r.limit().overLimitShare()));
            limit.add("mem_max_over_limit_mean", number(r.limit().maxOverLimitMean()));
            o.add("memory_limit", limit);
        }
        // a ratio over no jobs is null, and its key stays: scripts find every documented key
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o);
    }

    private static void addRatios(JsonObject o, Ratios r) {
        o.add("mem_ratio_mean", number(r.memMean()));
        o.add("mem_ratio_median", number(r.memMedian()));
        o.add("cpu_ratio_mean", number(r.cpuMean()));
        o.add("cpu_ratio_median", number(r.cpuMedian()));
    }

    /** JSON has no NaN: a ratio over no jobs is null. */
    private static com.google.gson.JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    public static String text(Report r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "held-out jobs:   %,d newest (%,d predicted, %,d refused by the API)%n",
                r.holdout(), r.jobs(), r.refused()));
        b.append(String.format(Locale.ROOT, "%n%-26s %10s %12s%n", "usage / request", "gantry", "job's own"));
        row(b, "memory, mean", r.gantry().memMean(), r.baseline().memMean());
        row(b, "memory, median", r.gantry().memMedian(), r.baseline().memMedian());
        row(b, "cpu, mean", r.gantry().cpuMean(), r.baseline().cpuMean());
        row(b, "cpu, median", r.gantry().cpuMedian(), r.baseline().cpuMedian());
        b.append(String.format(Locale.ROOT, "%nmemory max above the predicted request: %s of jobs%n",
                percent(r.memOverRequestShare())));
        b.append("predictors: ").append(r.predictors().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))).append('\n');
        if (!r.worstMemory().isEmpty()) {
            b.append(String.format(Locale.ROOT, "%nmost under-predicted memory (mean usage / request):%n"));
            for (Report.PackageRatio p : r.worstMemory()) {
                b.append(String.format(Locale.ROOT, "  %-32s %5d jobs %8.2f%n", p.pkgName(), p.jobs(), p.memRatioMean()));
            }
        }
        if (r.limit() != null) {
            Report.LimitRisk l = r.limit();
            b.append(String.format(Locale.ROOT,
                    "%nmemory limit at factor %s: %s of %,d jobs would exceed it (OOM-killed); mean max/limit %s%n",
                    l.factor(), percent(l.overLimitShare()), l.jobsWithLimit(), fixed(l.maxOverLimitMean())));
            b.append("  (the default answer, given without history, carries no limit)\n");
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String name, double gantry, double baseline) {
        b.append(String.format(Locale.ROOT, "  %-24s %10s %12s%n", name, fixed(gantry), fixed(baseline)));
    }

    private static String fixed(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "-";
    }

    private static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f %%", share * 100) : "-";
    }
}
