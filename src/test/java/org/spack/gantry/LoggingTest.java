package org.spack.gantry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The text log as journald shows it: an access line's route is a field of its own. */
class LoggingTest {
    @Test
    void theTextAccessLineSeparatesTheRouteAndOtherLinesEndWithTheirMessage() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Logging.configure("info", "text", true);
            LoggerFactory.getLogger(Logging.ACCESS_LOGGER).atInfo().addKeyValue("route", "/healthz")
                    .log("GET /healthz 200 2 bytes 2 ms");
            LoggerFactory.getLogger(Application.class).info("gantry listening on 127.0.0.1:8080");
        } finally {
            Logging.configure("info", "text", false);
            System.setErr(old);
        }
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().map(l -> l.replaceFirst("^\\S+ ", "")).toList();
        assertEquals(List.of("INFO access - GET /healthz 200 2 bytes 2 ms route=/healthz",
                "INFO Application - gantry listening on 127.0.0.1:8080"), lines);
    }
}
