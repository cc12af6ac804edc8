package org.spack.gantry.evaluate;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Locale;
import org.spack.gantry.oom.OomRaise;

/** The limits report ({@code gantry evaluate --limits}) as a table, or as one JSON object. */
public final class LimitsReportFormat {
    private LimitsReportFormat() {}

    public static String text(LimitsReport r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "held-out jobs:   %,d newest (%,d answered, %,d refused by the API),"
                + " replayed in the order they ended%n", r.holdout(), r.jobs(), r.refused()));
        b.append(String.format(Locale.ROOT, "%n%-18s %12s %12s %18s %14s %14s%n", "memory", "killed at",
                "reruns per", "still failing", "limit / used", "request / used"));
        b.append(String.format(Locale.ROOT, "%-18s %12s %12s %18s %14s %14s%n", "", "least once", "1,000 jobs",
                "after " + OomRaise.CAP + " raises", "(peak)", "(peak)"));
        row(b, "jobs' own (static)", r.staticAllocation(), r.jobs());
        for (LimitsReport.Row row : r.factors()) {
            row(b, "limits, factor " + row.factor(), row, r.jobs());
        }
        b.append(String.format(Locale.ROOT, "%nkilled: mem_max above the memory limit; each kill is followed by a run at"
                + " %s x the killed limit, up to %d raises since the spec's last success%n", OomRaise.FACTOR, OomRaise.CAP));
        b.append("used: the job's mem_max; limit and request of its last run (static: the job's own, as stored)\n");
        if (!r.factors().isEmpty()) {
            b.append(String.format(Locale.ROOT, "still failing without history (the default answer's 5 GB limit): %s%n",
                    r.factors().stream().map(f -> f.factor() + ": " + f.stillFailingWithoutHistory())
                            .collect(java.util.stream.Collectors.joining(", "))));
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String name, LimitsReport.Row row, int jobs) {
        b.append(String.format(Locale.ROOT, "%-18s %12s %12s %18s %14s %14s%n", name, percent(row.killedShare()),
                Double.isNaN(row.factor()) ? "-" : fixed(row.rerunsPerThousand(jobs), 1),
                // a static limit is never raised: its jobs ran once, and a job over it cannot have succeeded
                Double.isNaN(row.factor()) ? "-" : String.format(Locale.ROOT, "%,d (%s)", row.stillFailing(),
                        percent(jobs == 0 ? Double.NaN : (double) row.stillFailing() / jobs)),
                fixed(row.limitOverUsed(), 3), fixed(row.requestOverUsed(), 3)));
    }

    public static String json(LimitsReport r) {
        JsonObject o = new JsonObject();
        o.addProperty("holdout", r.holdout());
        o.addProperty("jobs", r.jobs());
        o.addProperty("refused", r.refused());
        o.addProperty("raise_factor", OomRaise.FACTOR);
        o.addProperty("raise_cap", OomRaise.CAP);
        o.add("static", row(r.staticAllocation(), r.jobs()));
        JsonArray factors = new JsonArray();
        r.factors().forEach(f -> factors.add(row(f, r.jobs())));
        o.add("factors", factors);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    private static JsonObject row(LimitsReport.Row row, int jobs) {
        JsonObject o = new JsonObject();
        if (!Double.isNaN(row.factor())) o.addProperty("factor", row.factor());
        o.add("killed_share", number(row.killedShare()));
        o.addProperty("reruns", row.reruns());
        o.add("reruns_per_1000_jobs", number(row.rerunsPerThousand(jobs)));
        o.addProperty("still_failing", row.stillFailing());
        o.addProperty("still_failing_without_history", row.stillFailingWithoutHistory());
        o.add("limit_over_used", number(row.limitOverUsed()));
        o.add("request_over_used", number(row.requestOverUsed()));
        return o;
    }

    private static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    private static String fixed(double v, int digits) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "-";
    }

    private static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f %%", share * 100) : "-";
    }
}
