package org.spack.gantry.explain;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.SampleRow;
import org.spack.gantry.trace.Kill;
import org.spack.gantry.trace.Query;
import org.spack.gantry.trace.Step;

/**
 * Why a spec gets its answer: the spec as parsed, the reference's queries in the order
 * tried, the predictor that matched and the jobs it used, the arithmetic to the answer
 * (with the OOM kills a raise is made of), and the answer itself, byte for byte what
 * {@code GET /v1/allocation} sends.
 *
 * @param predictor {@code exact:N}, {@code expensive:N}, or {@code default}
 * @param jobs the sample the answer is made of, newest first; empty for the default answer
 * @param answer the body of {@code GET /v1/allocation}'s answer
 */
public record Explanation(String specText, Spec spec, List<Query> queries, String predictor, List<SampleRow> jobs,
        List<Kill> kills, List<Step> steps, byte[] answer) {
    public String answerText() {
        return new String(answer, StandardCharsets.US_ASCII);
    }
}
