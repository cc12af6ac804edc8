package org.spack.gantry.gitlab;

import java.io.IOException;
import java.io.InputStream;

/**
 * Whether a stream holds a byte sequence, read in fixed-size buffers: memory does not
 * grow with the stream. The last {@code needle.length - 1} bytes of each buffer are
 * carried to the next, so a match across a buffer boundary is found.
 */
final class StreamSearch {
    private static final int BUFFER = 64 << 10;

    private StreamSearch() {}

    /** Reads until the needle is found (and no further) or the stream ends. */
    static boolean contains(InputStream in, byte[] needle) throws IOException {
        if (needle.length == 0) return true;
        byte[] buf = new byte[Math.max(BUFFER, needle.length * 2)];
        int filled = 0;
        while (true) {
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) return false;
            int end = filled + n;
            if (indexOf(buf, end, needle) >= 0) return true;
            // keep the tail that could be the start of a match completed by the next read
            int keep = Math.min(end, needle.length - 1);
            System.arraycopy(buf, end - keep, buf, 0, keep);
            filled = keep;
        }
    }

    private static int indexOf(byte[] hay, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
