package org.spack.gantry.allocate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * Allocation answers by spec text, kept while what they depend on is unchanged.
 * A pipeline asks about the same specs as the one before it; a hit skips parsing,
 * predicting and rendering. Each answer carries the revision of its package it was
 * computed from ({@link Answer#revision}): a stored job changes it, and with it every
 * answer about that package, and nothing else.
 *
 * <p>Bounded in bytes, keys included (a spec may be 8 KiB): when what it holds would
 * pass the budget it starts over. An answer is kept the second time its spec is asked
 * for, not the first: specs asked once (a new pipeline's, or a client adding words to
 * them) would otherwise fill it, live long enough to be promoted, and be dropped, which
 * grows the old generation. What was asked once is remembered as a hash in a fixed
 * array, which allocates nothing.
 */
final class AnswerCache {

    /** 1 MiB: 20,000 specs of a pipeline collide in 7% of slots (26% with 65,536), and a collided spec is never kept. */
    private static final int SEEN_SLOTS = 1 << 18;
    /** What an entry costs besides its text and body: headers of the key, answer and arrays, a map node. */
    private static final int ENTRY_OVERHEAD = 160;

    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    /** Hashes of specs asked for once; races between threads only make an admission early or late. */
    private final int[] seenOnce = new int[SEEN_SLOTS];
    private final long maxBytes;

    AnswerCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** What the key's text takes: a byte a character when all are Latin-1 (Java's compact strings), else two. */
    private static long textBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) return 2L * s.length();
        }
        return s.length();
    }

    private boolean askedBefore(String specText) {
        int h = specText.hashCode();
        int slot = h & (SEEN_SLOTS - 1);
        if (seenOnce[slot] == h) {
            return true;
        }
        seenOnce[slot] = h;
        return false;
    }

    /**
     * The kept answer to the spec text, or null when there is none or what it depends on
     * changed; {@code revisions} gives the package's current revision (see {@link Answer#revision}).
     */
    Answer get(String specText, ToLongFunction<String> revisions) {
        Answer a = answers.get(specText);
        return a != null && revisions.applyAsLong(a.pkgName()) == a.revision() ? a : null;
    }

    /**
     * Keeps the answer, from the second time its spec is asked for. Its revision must have
     * been read before the answer was made: an answer newer than its revision is only a
     * needless miss later, an older one would be wrong.
     */
    Answer put(String specText, Answer a) {
        if (!askedBefore(specText)) {
            return a;
        }
        long cost = textBytes(specText) + a.body().length + ENTRY_OVERHEAD;
        if (bytes.addAndGet(cost) > maxBytes) {
            answers.clear();
            bytes.set(cost);
        }
        answers.put(specText, a);
        return a;
    }

    long bytes() {
        return bytes.get();
    }

    int size() {
        return answers.size();
    }
}
