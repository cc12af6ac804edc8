package org.spack.gantry.allocate;

import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.trace.Trace;

/**
 * The one place where a prediction becomes what the answer says. The reference's rule
 * ({@link ReferenceAnswer}) is the default; every opt-in extension is another rule, so
 * that {@code GET /v1/allocation}, {@code POST /v1/allocations} and their explanation
 * give the same variables.
 */
public interface AnswerRule {
    /** The answer's variables, telling the trace each step of their arithmetic ({@link Trace#OFF} for an answer). */
    Variables variables(Spec spec, Prediction prediction, Trace trace);

    default Variables variables(Spec spec, Prediction prediction) {
        return variables(spec, prediction, Trace.OFF);
    }

    /**
     * Changes whenever this rule's answer for the package may change other than through the
     * package's history, so that a kept answer is not given after it: 0 for a rule that
     * depends on the prediction alone.
     */
    default long revision(String pkgName) {
        return 0;
    }
}
