package org.spack.gantry.allocate;

import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;

/**
 * The one path from a spec's text to its answer, for a single allocation and for each
 * spec of a batch alike: the kept answer when nothing it depends on changed; otherwise
 * the spec parsed, predicted from the in-memory history (or, until that is loaded and for
 * a package whose new job it has not read yet, by the reference's queries) and turned into
 * variables by the {@link AnswerRule}.
 */
public final class Allocations {
    private final SpecParser parser;
    private final LiveHistory history;
    private final Predictor untilLoaded;
    private final AnswerRule rule;
    private final AnswerCache cache;
    private final AllocationListener listener;

    /**
     * @param untilLoaded answers while the history loads (it reads the database: not on an IO thread)
     * @param cacheBytes how much the kept answers may take, keys included
     */
    public Allocations(LiveHistory history, Predictor untilLoaded, AnswerRule rule, long cacheBytes,
            AllocationListener listener) {
        this.parser = new SpecParser();
        this.history = history;
        this.untilLoaded = untilLoaded;
        this.rule = rule;
        this.cache = new AnswerCache(cacheBytes);
        this.listener = listener;
    }

    /** An eighth of the heap: 23 MiB of the launcher's 192, some 60,000 answers to specs of ordinary length. */
    public static long defaultCacheBytes() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /** Whether answers come from memory, in microseconds; until then they read the database. */
    public boolean fromMemory() {
        return history.index() != null;
    }

    /** The answer to the spec; throws {@link InvalidSpecException} for a spec the reference refuses. */
    public Answer answer(String specText) {
        HistoryIndex index = history.index();
        Answer answer = index == null ? computed(untilLoaded, parser.parse(specText), 0) : fromIndex(index, specText);
        listener.answered(answer.predictor());
        return answer;
    }

    private Answer fromIndex(HistoryIndex index, String specText) {
        Answer kept = cache.get(specText, pkg -> revision(index, pkg));
        if (kept != null && history.current(kept.pkgName())) {
            return kept;
        }
        Spec spec = parser.parse(specText);
        if (!history.current(spec.pkgName())) {
            // a job of it was committed here a moment ago, which the index reads next: the database has it
            return computed(untilLoaded, spec, 0);
        }
        // read before predicting: see AnswerCache.put
        long revision = revision(index, spec.pkgName());
        return cache.put(specText, computed(index, spec, revision));
    }

    private Answer computed(Predictor predictor, Spec spec, long revision) {
        Prediction p = predictor.predict(spec);
        return new Answer(spec.pkgName(), revision, rule.variables(spec, p).json(), p.predictor());
    }

    /** Both only grow, so their sum changes whenever either does. */
    private long revision(HistoryIndex index, String pkgName) {
        return index.revision(pkgName) + rule.revision(pkgName);
    }
}
