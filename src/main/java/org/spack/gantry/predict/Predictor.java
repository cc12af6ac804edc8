package org.spack.gantry.predict;

import org.spack.gantry.spec.Spec;

/** Answers an allocation for a parsed spec from the stored history. */
public interface Predictor {
    Prediction predict(Spec spec);
}
