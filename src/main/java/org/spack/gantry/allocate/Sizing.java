package org.spack.gantry.allocate;

import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.trace.Trace;

/** An answer rule that first makes numbers of the prediction ({@link Allocation}), then renders them. */
public interface Sizing extends AnswerRule {
    /** The answer's numbers, telling the trace how each was made. */
    Allocation allocation(Spec spec, Prediction prediction, Trace trace);

    default Allocation allocation(Spec spec, Prediction prediction) {
        return allocation(spec, prediction, Trace.OFF);
    }

    @Override
    default Variables variables(Spec spec, Prediction prediction, Trace trace) {
        return allocation(spec, prediction, trace).variables();
    }
}
