package org.spack.gantry.allocate;

import org.spack.gantry.oom.OomRaises;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.trace.Trace;

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
    public Variables variables(Spec spec, Prediction prediction, Trace trace) {
        return sizing.allocation(spec, prediction, trace).raised(raises.raisedLimit(spec, trace), trace).variables();
    }

    @Override
    public long revision(String pkgName) {
        return sizing.revision(pkgName) + raises.revision(pkgName);
    }
}
