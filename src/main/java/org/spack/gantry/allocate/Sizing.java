package org.spack.gantry.allocate;

import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;

/** An answer rule that first makes numbers of the prediction ({@link Allocation}), then renders them. */
public interface Sizing extends AnswerRule {
    Allocation allocation(Spec spec, Prediction prediction);

    @Override
    default Variables variables(Spec spec, Prediction prediction) {
        return allocation(spec, prediction).variables();
    }
}
