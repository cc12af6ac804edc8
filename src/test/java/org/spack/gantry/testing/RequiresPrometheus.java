package org.spack.gantry.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips every test of a class that needs a real Prometheus, each reported as skipped
 * with the reason, where the binaries are not installed; in CI the tests run and fail.
 */
public final class RequiresPrometheus implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (PrometheusServer.installed() || PrometheusServer.required()) {
            return ConditionEvaluationResult.enabled("prometheus is installed, or required here");
        }
        return ConditionEvaluationResult.disabled(PrometheusServer.NOT_INSTALLED + ": skipped");
    }
}
