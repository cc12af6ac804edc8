package org.spack.gantry.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.OpenMetrics;
import org.spack.gantry.testing.PrometheusServer;
import org.spack.gantry.testing.RequiresPrometheus;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;

/** A real Prometheus refusing queries: its own error text is what the reason says. */
@ExtendWith(RequiresPrometheus.class)
class PrometheusErrorsIT {
    @TempDir
    Path dir;

    @Test
    void badAndUnexecutableQueriesAreReportedWithPrometheusOwnWords() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        OpenMetrics metrics = new OpenMetrics().constant("kube_pod_info", Map.of("pod", "runner-1"), 1, now - 600, now - 60, 15);
        try (PrometheusServer prometheus = PrometheusServer.start(metrics, dir);
                HttpFetcher http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(10), 2)) {
            PrometheusClient client = new PrometheusClient(prometheus.apiUrl(), "", http);

            UpstreamException bad = assertThrows(UpstreamException.class, () -> client.instant("sum(kube_pod_info", now));
            // the column differs between Prometheus versions
            assertTrue(bad.getMessage().matches("Prometheus answered HTTP 400: bad_data: invalid parameter \"query\":"
                    + " 1:\\d+: parse error: unclosed left parenthesis"), bad.getMessage());
            assertFalse(bad.isTransient(), "the same query fails the same way");

            UpstreamException exec = assertThrows(UpstreamException.class,
                    () -> client.instant("label_replace(kube_pod_info, \"bad-name\", \"x\", \"\", \"\")", now));
            assertEquals("Prometheus answered HTTP 422: execution: invalid destination label name in label_replace():"
                    + " bad-name", exec.getMessage());
            assertFalse(exec.isTransient());
        }
    }
}
