package org.spack.gantry.allocate;

import java.util.OptionalDouble;
import org.spack.gantry.oom.OomRaises;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;

/**
 * An answer with a memory limit, raised for a spec whose builds were OOM-killed since
 * its last successful build ({@link org.spack.gantry.oom.OomRaise}); the request
 * follows, never above the limit. Its revision changes with the raises, so that a kept
 * answer is never given after a raise begins, grows or ends.
 */
public final class OomRaisedAnswer implements AnswerRule {
    private final Sizing sizing;
    private final OomRaises raises;

    public OomRaisedAnswer(Sizing sizing, OomRaises raises) {
        this.sizing = sizing;
        this.raises = raises;
    }

    @Override
    public Variables variables(Spec spec, Prediction prediction) {
        Allocation a = sizing.allocation(spec, prediction);
        OptionalDouble raised = raises.raisedLimit(spec);
        // in units of 10^6 bytes, rounded as every memory figure of the answer
        return (raised.isPresent() ? a.raised((long) Math.rint(raised.getAsDouble() * (1 / 1_000_000.0))) : a).variables();
    }

    @Override
    public long revision(String pkgName) {
        return sizing.revision(pkgName) + raises.revision(pkgName);
    }
}
