package org.spack.gantry.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips every test of a class that runs containers, each reported as skipped with the
 * reason, where podman cannot run a container at all; in CI the tests run and fail.
 */
public final class RequiresPodman implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Podman.required()) {
            return ConditionEvaluationResult.enabled("podman is required here");
        }
        return Podman.whyNot()
                .map(why -> ConditionEvaluationResult.disabled("podman cannot run a container here: " + why + ": skipped"))
                .orElse(ConditionEvaluationResult.enabled("podman runs containers"));
    }
}
