package org.spack.gantry.explain;

import java.util.List;
import org.spack.gantry.allocate.AnswerRule;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.SampleRow;
import org.spack.gantry.trace.Query;
import org.spack.gantry.trace.Recorder;

/**
 * Explains an answer by making it again with a trace on: the spec parsed as an allocation
 * parses it, predicted by the reference's queries ({@link ReferencePredictor}, the oracle
 * the in-memory index answers equally), and turned into variables by the server's own
 * {@link AnswerRule} (OOM raises in force included). Reads the database: not on an IO thread.
 */
public final class Explainer {
    private final SpecParser parser = new SpecParser();
    private final ReferencePredictor reference;
    private final AnswerRule rule;

    public Explainer(ReferencePredictor reference, AnswerRule rule) {
        this.reference = reference;
        this.rule = rule;
    }

    /** The explanation of the spec's answer; throws {@link InvalidSpecException} for a spec the allocation refuses. */
    public Explanation explain(String specText) {
        Spec spec = parser.parse(specText);
        Recorder trace = new Recorder();
        Prediction p = reference.predict(spec, trace);
        byte[] answer = rule.variables(spec, p, trace).json();
        List<Query> queries = trace.queries();
        List<SampleRow> jobs = queries.isEmpty() || !queries.get(queries.size() - 1).accepted() ? List.of()
                : queries.get(queries.size() - 1).rows();
        return new Explanation(specText, spec, queries, p.predictor(), jobs, trace.kills(), trace.steps(), answer);
    }
}
