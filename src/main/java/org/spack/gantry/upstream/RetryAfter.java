package org.spack.gantry.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.hc.client5.http.utils.DateUtils;

/**
 * The {@code Retry-After} header (RFC 9110 10.2.3): delay-seconds or an HTTP-date.
 * A date in the past means "now"; a value that is neither is ignored, as the RFC leaves it.
 */
public final class RetryAfter {
    /** Longer asks are cut to this: an event is not parked for days by one header. */
    static final Duration LONGEST = Duration.ofHours(1);

    private RetryAfter() {}

    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null || value.isBlank()) return Optional.empty();
        String v = value.trim();
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // digits only; more than 10 of them is longer than LONGEST anyway
            return Optional.of(v.length() > 10 ? LONGEST : cap(Duration.ofSeconds(Long.parseLong(v))));
        }
        Instant at = DateUtils.parseStandardDate(v);
        if (at == null) return Optional.empty();
        Duration d = Duration.between(now, at);
        return Optional.of(d.isNegative() ? Duration.ZERO : cap(d));
    }

    private static Duration cap(Duration d) {
        return d.compareTo(LONGEST) > 0 ? LONGEST : d;
    }
}
