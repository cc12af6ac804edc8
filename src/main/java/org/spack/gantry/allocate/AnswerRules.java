package org.spack.gantry.allocate;

import org.spack.gantry.config.Config;
import org.spack.gantry.oom.OomRaises;

/** The answer rule the settings choose, for {@code serve} and {@code explain} alike. */
public final class AnswerRules {
    private AnswerRules() {}

    /**
     * The reference's (with the opt-in memory limit), or limits mode's; with the OOM raises
     * on top whenever answers carry a memory limit ({@link Config#oomTracking}).
     *
     * @param raises the raises in force; read only when answers carry a memory limit
     */
    public static AnswerRule of(Config config, OomRaises raises) {
        Sizing sizing = config.limits()
                ? LimitsAnswer.configured(config.memoryLimit())
                : new ReferenceAnswer(config.memoryLimit());
        return config.oomTracking() ? new OomRaisedAnswer(sizing, raises) : sizing;
    }
}
