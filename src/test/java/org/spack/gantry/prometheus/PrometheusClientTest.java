package org.spack.gantry.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;
import org.spack.gantry.testing.HostileUpstream;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;

/** Error answers in the format of Prometheus' HTTP API docs ("Format overview"). */
class PrometheusClientTest {
    @Test
    void aLongOrMultiLineErrorIsOneShortLine() throws Exception {
        String error = "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out in expression"
                + " evaluation\\n\\u001b[31m" + "x".repeat(5000) + "\"}";
        try (HostileUpstream upstream = new HostileUpstream(path -> HostileUpstream.answer(503,
                        Map.of("Content-Type", "application/json"), error));
                HttpFetcher http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(5), 2)) {
            PrometheusClient client = new PrometheusClient(upstream.url("/api/v1"), "", http);
            UpstreamException e = assertThrows(UpstreamException.class, () -> client.instant("up", 1));
            assertTrue(e.getMessage().startsWith("Prometheus answered HTTP 503: timeout: query timed out in expression"
                    + " evaluation [31mxxx"), e.getMessage());
            assertTrue(e.getMessage().length() < 240 && e.getMessage().endsWith("..."), e.getMessage());
            assertTrue(e.isTransient(), "a timed-out query may pass later");
        }
    }

    @Test
    void whatIsNotPrometheusJsonLeavesTheStatusAlone() {
        assertEquals(Optional.empty(), PrometheusClient.errorText("<html>502 Bad Gateway</html>"));
        assertEquals(Optional.empty(), PrometheusClient.errorText("{\"status\":\"error\""));
        assertEquals(Optional.of("bad_data: x"), PrometheusClient.errorText("{\"errorType\":\"bad_data\",\"error\":\"x\"}"));
    }
}
