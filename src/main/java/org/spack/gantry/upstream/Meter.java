package org.spack.gantry.upstream;

/**
 * What a series of calls cost the upstream: requests made and bytes of answers read
 * (bodies as received, error answers included). Kept by one thread at a time.
 */
public final class Meter {
    /** Counts nothing: for calls whose cost nobody reports. */
    public static final Meter NONE = new Meter();

    private long requests;
    private long bytes;

    void request(long bodyBytes) {
        if (this == NONE) return;
        requests++;
        bytes += bodyBytes;
    }

    public long requests() {
        return requests;
    }

    public long bytes() {
        return bytes;
    }
}
