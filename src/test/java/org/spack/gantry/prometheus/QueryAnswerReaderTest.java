package org.spack.gantry.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spack.gantry.upstream.UnusableAnswer;

/** Prometheus' query answers ("Format overview" of its HTTP API) read as they arrive. */
class QueryAnswerReaderTest {
    private static QueryAnswerReader.Answer read(String json) throws Exception {
        return QueryAnswerReader.read("application/json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
    }

    private static UnusableAnswer refusal(String json) {
        return assertThrows(UnusableAnswer.class, () -> read(json));
    }

    @Test
    void vectorsAndMatricesAreReadInAnyFieldOrder() throws Exception {
        QueryAnswerReader.Answer vector = read("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"pod\":\"runner-1\",\"node\":\"n1\"},\"value\":[1435781451.781,\"1\"]}]}}");
        assertEquals(List.of(new Series(Map.of("pod", "runner-1", "node", "n1"), List.of(new Series.Sample(1435781451.781, "1")))),
                vector.result());
        // the result before its type, warnings after
        QueryAnswerReader.Answer matrix = read("{\"data\":{\"result\":[{\"values\":[[1,\"NaN\"],[2,\"+Inf\"]],\"metric\":{}}],"
                + "\"resultType\":\"matrix\"},\"status\":\"success\",\"warnings\":[\"x\"]}");
        assertEquals(List.of(new Series.Sample(1, "NaN"), new Series.Sample(2, "+Inf")), matrix.result().get(0).samples());
        assertEquals(List.of(), read("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"2\"]}}")
                .result(), "the reference treats any other result type as no data");
        QueryAnswerReader.Answer error = read("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}");
        assertEquals("bad_data", error.errorType());
    }

    @Test
    void aResultThatIsNotAListOfSeriesIsRefusedAtItsFirstElement() {
        assertEquals("Prometheus answered result element 1 without metric, not a series",
                refusal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{},{},{}]}}").getMessage());
        assertEquals("Prometheus answered a vector whose result is not a list of series",
                refusal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[0,0,0]}}").getMessage());
        assertEquals("Prometheus answered a vector series without value",
                refusal("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{}}]}}").getMessage());
        assertFalse(refusal("{\"status\":\"success\",\"data\":{\"result\":[{\"metric\":{\"a\":[]}}]}}").isTransient());
        String many = "{\"metric\":{},\"value\":[1,\"1\"]},".repeat(QueryAnswerReader.MAX_SERIES + 1);
        assertEquals("Prometheus answered more than 1000 series", refusal("{\"status\":\"success\",\"data\":{\"resultType\":"
                + "\"vector\",\"result\":[" + many + "{}]}}").getMessage());
    }

    @Test
    void aLoginPageIsWorthAnotherTryAndDeepNestingIsNot() {
        UnusableAnswer html = assertThrows(UnusableAnswer.class, () -> QueryAnswerReader.read("text/html",
                new ByteArrayInputStream("<!DOCTYPE html><html>Sign in</html>".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8));
        assertEquals("Prometheus answered with something other than JSON (text/html); is PROMETHEUS_COOKIE expired?",
                html.getMessage());
        assertTrue(html.isTransient());
        UnusableAnswer deep = refusal("{\"status\":\"success\",\"warnings\":" + "[".repeat(5_000) + "]".repeat(5_000)
                + ",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
        assertTrue(deep.getMessage().startsWith("Prometheus answered JSON nested deeper than 16 levels at line 1 column "),
                deep.getMessage());
        assertFalse(deep.isTransient());
    }
}
