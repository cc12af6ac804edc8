package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void everyControlCharacterIsEscaped() {
        assertEquals("a\\x1b[31mb\\x00\\x0b\\x7f\\n\\r\\t\\u009b", LogText.escape("a\u001b[31mb\u0000\u000b\u007f\n\r\t\u009b"));
        for (char c = 0; c < 0x20; c++) {
            String escaped = LogText.escape("x" + c);
            assertEquals(-1, escaped.indexOf(c), "char " + (int) c);
        }
    }

    @Test
    void aBackslashCannotForgeAnEscape() {
        assertEquals("\\\\x1b", LogText.escape("\\x1b"));
    }

    @Test
    void plainTextIsLeftAsItIs() {
        String spec = "zlib@1.3.1 +optimize+pic~shared arch=linux-x86_64%gcc@12 ü";
        assertSame(spec, LogText.escape(spec));
    }
}
