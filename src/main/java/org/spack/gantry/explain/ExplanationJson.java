package org.spack.gantry.explain;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.ReferenceQueries;
import org.spack.gantry.store.SampleRow;
import org.spack.gantry.trace.Kill;
import org.spack.gantry.trace.Numbers;
import org.spack.gantry.trace.Query;
import org.spack.gantry.trace.Step;

/**
 * An explanation as one JSON object (docs/api.md): {@code spec}, {@code parsed},
 * {@code predictors}, {@code predictor}, {@code jobs}, {@code oom_kills}, {@code
 * arithmetic}, and {@code answer}, the allocation's body written in as it is sent.
 */
public final class ExplanationJson {
    private ExplanationJson() {}

    public static String render(Explanation e) {
        StringWriter out = new StringWriter(4096);
        try (JsonWriter w = new JsonWriter(out)) {
            w.setIndent("  ");
            w.beginObject();
            w.name("spec").value(e.specText());
            parsed(w, e.spec());
            w.name("predictors").beginArray();
            for (Query q : e.queries()) query(w, q);
            w.endArray();
            w.name("predictor").value(e.predictor());
            w.name("jobs").beginArray();
            for (SampleRow r : e.jobs()) job(w, r);
            w.endArray();
            w.name("oom_kills").beginArray();
            for (Kill k : e.kills()) {
                w.beginObject().name("build_id").value(k.buildId()).name("end").value(k.end());
                number(w.name("mem_limit"), k.memLimitBytes());
                w.endObject();
            }
            w.endArray();
            w.name("arithmetic").beginArray();
            for (Step s : e.steps()) {
                w.beginObject().name("quantity").value(s.quantity()).name("formula").value(s.formula());
                number(w.name("value"), s.value());
                w.endObject();
            }
            w.endArray();
            // the allocation's body as it is sent: byte for byte
            w.name("answer").jsonValue(e.answerText());
            w.endObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.append('\n').toString();
    }

    private static void parsed(JsonWriter w, Spec spec) throws IOException {
        w.name("parsed").beginObject();
        w.name("pkg_name").value(spec.pkgName());
        w.name("pkg_version").value(spec.pkgVersion());
        // the variants as stored and compared: the reference's json.dumps of them
        w.name("pkg_variants").jsonValue(spec.variants().json());
        w.name("compiler_name").value(spec.compilerName());
        w.name("compiler_version").value(spec.compilerVersion());
        w.name("arch").value(spec.arch());
        w.endObject();
    }

    private static void query(JsonWriter w, Query q) throws IOException {
        w.beginObject().name("predictor").value(q.predictor());
        w.name("match").beginObject().name("pkg_name").value(q.pkgName());
        if (q.variantsJson() != null) w.name("pkg_variants").value(q.variantsJson());
        for (ReferenceQueries.Match m : q.matches()) w.name(m.column().column()).value(m.value());
        w.endObject();
        if (q.variantsJson() == null) {
            // each expensive variant's json_extract must equal the number, or be NULL (absent)
            w.name("expensive_variants").beginObject();
            for (ReferenceQueries.Expensive x : q.expensive()) w.name(x.variant()).value(x.value());
            w.endObject();
        }
        w.name("jobs").value(q.rows().size());
        w.name("gitlab_ids").beginArray();
        for (SampleRow r : q.rows()) w.value(r.gitlabId());
        w.endArray();
        w.name("accepted").value(q.accepted());
        w.endObject();
    }

    private static void job(JsonWriter w, SampleRow r) throws IOException {
        w.beginObject().name("gitlab_id").value(r.gitlabId());
        number(w.name("end"), r.end());
        number(w.name("cpu_mean"), r.cpuMean());
        number(w.name("cpu_max"), r.cpuMax());
        number(w.name("mem_mean"), r.memMean());
        number(w.name("mem_max"), r.memMax());
        w.endObject();
    }

    /** Exactly the double, in plain notation; null for a step that computes no number. */
    private static void number(JsonWriter w, double v) throws IOException {
        if (Double.isFinite(v)) w.jsonValue(Numbers.plain(v));
        else w.nullValue();
    }
}
