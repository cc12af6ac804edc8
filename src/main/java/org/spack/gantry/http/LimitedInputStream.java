package org.spack.gantry.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A request body that may not be longer than a limit, whether or not it announced its length. */
final class LimitedInputStream extends FilterInputStream {
    /** The body went past the limit. */
    static final class TooLarge extends IOException {
        TooLarge() {
            super("request body too large", null);
        }
    }

    private final long limit;
    private long read;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) count(1);
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) count(n);
        return n;
    }

    private void count(int n) throws TooLarge {
        read += n;
        if (read > limit) throw new TooLarge();
    }

    /** Reads and drops what is left (the underlying stream has its own, larger limit). */
    void drain() {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) >= 0) {
                // dropped
            }
        } catch (IOException ignored) {
            // cut off by the server's limit, or the client went away: the answer is the same
        }
    }
}
