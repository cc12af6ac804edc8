package org.spack.gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Progress off a terminal (cron, Ansible, a pipe): plain lines, the last one once. */
class ProgressTest {
    @Test
    void theLastLineIsPrintedOnceWhenItWasJustPrinted() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text), false);
        // a backfill of one page: the page's line, then the same counts as the final line
        progress.update("page 1: 100 jobs read, 79 queued", Double.NaN, false);
        progress.update("page 1: 100 jobs read, 79 queued", Double.NaN, true);
        assertEquals("page 1: 100 jobs read, 79 queued\n", text.toString());
    }

    @Test
    void aLineEveryFewSecondsAndALastLineThatDiffers() {
        StringWriter text = new StringWriter();
        long[] now = {1_000_000};
        Progress progress = new Progress(new PrintWriter(text), false, () -> now[0]);
        progress.update("100 of 400 jobs predicted", 0.25, false);
        now[0] += 4_999;
        progress.update("200 of 400 jobs predicted", 0.5, false);
        now[0] += 1;
        progress.update("300 of 400 jobs predicted", 0.75, false);
        progress.update("400 of 400 jobs predicted", 1, true);
        assertEquals("100 of 400 jobs predicted\n300 of 400 jobs predicted\n400 of 400 jobs predicted\n", text.toString(),
                "the first, the next 5 s later, the last");
    }
}
