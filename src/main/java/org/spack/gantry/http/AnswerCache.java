package org.spack.gantry.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;

/**
 * Allocation answers by spec text, kept while the package's history is unchanged.
 * A pipeline asks about the same specs as the one before it; a hit skips parsing,
 * predicting and rendering, about half of what a request costs. Each answer carries
 * the version of its package's history it was computed from ({@link
 * Predictor#historyVersion}): a stored job changes the version and with it every
 * answer about that package, and nothing else. Bounded: when full it starts over.
 *
 * <p>An answer is kept the second time its spec is asked for, not the first: specs
 * asked once (a new pipeline's, or a client adding words to them) would otherwise
 * fill the cache, live long enough to be promoted, and be dropped, which grows the
 * old generation and ends in full collections. What was asked once is remembered as
 * a hash in a fixed array, which allocates nothing.
 */
final class AnswerCache {
    /** An answer: its body, the predictor that gave it, and what it depends on. */
    record Answer(String pkgName, long version, byte[] body, String predictor) {}

    private static final int SEEN_SLOTS = 1 << 16;

    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    /** Hashes of specs asked for once; races between threads only make an admission early or late. */
    private final int[] seenOnce = new int[SEEN_SLOTS];
    private final Predictor predictor;
    private final int maxEntries;

    AnswerCache(Predictor predictor, int maxEntries) {
        this.predictor = predictor;
        this.maxEntries = maxEntries;
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

    /** The kept answer to the spec text, or null when there is none or its package's history changed. */
    Answer get(String specText) {
        Answer a = answers.get(specText);
        return a != null && predictor.historyVersion(a.pkgName()) == a.version() ? a : null;
    }

    /**
     * Keeps the answer. {@code version} must have been read before the prediction was
     * made: an answer newer than its version is only a needless miss later, an older
     * one would be wrong.
     */
    Answer put(String specText, String pkgName, long version, Prediction prediction) {
        Answer a = new Answer(pkgName, version, prediction.toJson().getBytes(StandardCharsets.US_ASCII),
                prediction.predictor());
        if (version < 0 || !askedBefore(specText)) {
            return a;
        }
        if (answers.size() >= maxEntries) {
            answers.clear();
        }
        answers.put(specText, a);
        return a;
    }
}
