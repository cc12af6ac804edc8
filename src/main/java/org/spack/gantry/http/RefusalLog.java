package org.spack.gantry.http;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Refused requests: every one counted by route and reason, at most a few logged per
 * window, and then one line with how many were not shown. A client sending thousands
 * of bad requests costs the log a few lines, not megabytes.
 */
final class RefusalLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

    private final HttpListener counter;
    private final int linesPerWindow;
    private final long windowSeconds;
    private final ScheduledExecutorService ticker;
    private int shown;
    private long notShown;

    /** @param counter counts every refusal (the metric) */
    RefusalLog(HttpListener counter, int linesPerWindow, long windowSeconds) {
        this.counter = counter;
        this.linesPerWindow = linesPerWindow;
        this.windowSeconds = windowSeconds;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "refusal-log");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::endWindow, windowSeconds, windowSeconds, TimeUnit.SECONDS);
    }

    /**
     * Counts the refusal and logs it at {@code level} unless this window's lines are used up:
     * INFO for a client's mistake, WARN for what points at a misconfiguration (a webhook GitLab
     * sends that Gantry refuses). Client text among {@code args} must be passed through
     * {@link LogText#escape}.
     */
    void refused(Logger logger, Level level, String route, String reason, String format, Object... args) {
        refused(logger, level, route, reason, 1, format, args);
    }

    /** As above, for {@code count} refusals told in one line (the invalid specs of one batch). */
    void refused(Logger logger, Level level, String route, String reason, long count, String format, Object... args) {
        counter.refused(route, reason, count);
        if (admit()) {
            logger.atLevel(level).log(format, args);
        }
    }

    private synchronized boolean admit() {
        if (shown < linesPerWindow) {
            shown++;
            return true;
        }
        notShown++;
        return false;
    }

    private void endWindow() {
        long count;
        synchronized (this) {
            count = notShown;
            notShown = 0;
            shown = 0;
        }
        if (count > 0) {
            log.info("... and {} more refused in the last {} s (all counted in gantry_http_refused_total)", count,
                    windowSeconds);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        endWindow();
    }
}
