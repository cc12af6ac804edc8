package org.spack.gantry.explain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.ReferenceQueries;
import org.spack.gantry.store.SampleRow;
import org.spack.gantry.trace.Kill;
import org.spack.gantry.trace.Numbers;
import org.spack.gantry.trace.Query;
import org.spack.gantry.trace.Step;

/** An explanation as a person reads it: the same content as {@link ExplanationJson}. */
public final class ExplanationText {
    private ExplanationText() {}

    public static String render(Explanation e) {
        StringBuilder b = new StringBuilder(2048);
        Spec s = e.spec();
        b.append("spec:       ").append(e.specText()).append('\n');
        b.append("parsed:     package ").append(s.pkgName()).append(", version ").append(s.pkgVersion())
                .append(", compiler ").append(s.compilerName()).append(' ').append(s.compilerVersion())
                .append(", arch ").append(s.arch()).append('\n');
        b.append("variants:   ").append(s.variants().json()).append('\n');
        b.append("\npredictors tried, in the reference's order (each takes the 5 newest matching develop jobs,"
                + " and needs 4):\n");
        for (Query q : e.queries()) {
            b.append(String.format(Locale.ROOT, "  %-12s %3d job(s)  %-8s %s%n", q.predictor(), q.rows().size(),
                    q.accepted() ? "matched" : "too few", conditions(q)));
        }
        b.append("predictor:  ").append(e.predictor())
                .append(e.jobs().isEmpty() ? " (no predictor found 4 jobs)" : "").append('\n');
        if (!e.jobs().isEmpty()) {
            b.append("\njobs used (newest first):\n");
            b.append(String.format(Locale.ROOT, "  %-12s %-38s %-20s %-20s %-20s %s%n", "gitlab_id", "end", "cpu_mean",
                    "cpu_max", "mem_mean", "mem_max"));
            for (SampleRow r : e.jobs()) {
                b.append(String.format(Locale.ROOT, "  %-12d %-38s %-20s %-20s %-20s %s%n", r.gitlabId(), end(r.end()),
                        Numbers.plain(r.cpuMean()), Numbers.plain(r.cpuMax()), Numbers.plain(r.memMean()),
                        Numbers.plain(r.memMax())));
            }
        }
        if (!e.kills().isEmpty()) {
            b.append("\nOOM kills of this spec since its last successful build (oldest first):\n");
            for (Kill k : e.kills()) {
                b.append(String.format(Locale.ROOT, "  build %d, ended %s, killed at a memory limit of %s%n", k.buildId(),
                        end(k.end()), Double.isFinite(k.memLimitBytes()) ? Numbers.plain(k.memLimitBytes()) + " bytes"
                                : "none"));
            }
        }
        b.append("\narithmetic:\n");
        int width = e.steps().stream().mapToInt(st -> st.quantity().length()).max().orElse(0);
        for (Step st : e.steps()) {
            b.append("  ").append(st.quantity()).append(" ".repeat(width - st.quantity().length() + 2))
                    .append(st.formula());
            if (Double.isFinite(st.value())) b.append(" = ").append(Numbers.plain(st.value()));
            b.append('\n');
        }
        b.append("\nanswer:     ").append(e.answerText()).append('\n');
        return b.toString();
    }

    /** What the query compared: the columns and values that narrow it beyond the package. */
    private static String conditions(Query q) {
        List<String> parts = new ArrayList<>();
        parts.add(q.variantsJson() != null ? "variants exactly" : "expensive variants");
        for (ReferenceQueries.Match m : q.matches()) parts.add(m.column().column() + "=" + m.value());
        String text = String.join(", ", parts);
        if (q.variantsJson() != null) return text;
        List<String> required = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (ReferenceQueries.Expensive x : q.expensive()) {
            if (x.value() == null) absent.add(x.variant());
            else required.add(x.variant() + "=" + x.value());
        }
        List<String> expensive = new ArrayList<>();
        if (!required.isEmpty()) expensive.add(String.join(" ", required));
        if (!absent.isEmpty()) expensive.add(String.join(" ", absent) + " absent");
        return text + " (" + String.join("; ", expensive) + ")";
    }

    private static String end(double end) {
        long millis = Math.round(end * 1000);
        return Numbers.plain(end) + " (" + Instant.ofEpochMilli(millis) + ")";
    }
}
