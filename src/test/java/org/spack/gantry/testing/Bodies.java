package org.spack.gantry.testing;

import java.nio.charset.StandardCharsets;
import org.spack.gantry.allocate.AnswerRule;
import org.spack.gantry.allocate.ReferenceAnswer;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;

/** The body an allocation answer has for a prediction, as the server renders it. */
public final class Bodies {
    private static final AnswerRule REFERENCE = new ReferenceAnswer(MemoryLimit.NONE);

    private Bodies() {}

    /** The reference's body (no opt-in setting). */
    public static String of(Prediction p) {
        return of(REFERENCE, p);
    }

    /** The body under {@code rule}; the reference's rules depend on the prediction alone. */
    public static String of(AnswerRule rule, Prediction p) {
        return new String(rule.variables(null, p).json(), StandardCharsets.US_ASCII);
    }
}
