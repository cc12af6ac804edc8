package org.spack.gantry.gitlab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamSearchTest {
    private static final byte[] MARKER = "No need to rebuild".getBytes(StandardCharsets.US_ASCII);

    /** Gives at most {@code step} bytes a read, as a network stream may. */
    private static InputStream dribble(byte[] data, int step) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void theMarkerIsFoundAcrossEveryBufferBoundaryPosition() throws IOException {
        int buffer = 64 << 10;
        for (int at = buffer - MARKER.length - 1; at <= buffer + 1; at++) {
            byte[] data = new byte[buffer * 2];
            java.util.Arrays.fill(data, (byte) 'x');
            System.arraycopy(MARKER, 0, data, at, MARKER.length);
            assertTrue(StreamSearch.contains(new ByteArrayInputStream(data), MARKER), "marker at " + at);
            assertTrue(StreamSearch.contains(dribble(data, 7), MARKER), "marker at " + at + ", 7 bytes a read");
        }
    }

    @Test
    void aPartialMarkerIsNotAMatch() throws IOException {
        byte[] data = "...No need to rebuil\nd".getBytes(StandardCharsets.US_ASCII);
        assertFalse(StreamSearch.contains(dribble(data, 1), MARKER));
        assertTrue(StreamSearch.contains(dribble("No need to rebuild".getBytes(StandardCharsets.US_ASCII), 1), MARKER));
        assertFalse(StreamSearch.contains(InputStream.nullInputStream(), MARKER));
    }
}
