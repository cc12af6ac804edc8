package org.spack.gantry.collect;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Every form GitLab writes a time in: {@code 2021-02-23 02:41:37 UTC} (Job Hook),
 * {@code 2021-04-28 21:50:00 +0200} (Ruby's {@code Time#to_s} on a GitLab not set to UTC),
 * and ISO-8601 with {@code Z} or an offset, with or without fractional seconds
 * ({@code _iso} fields and the jobs API).
 */
public final class Timestamps {
    /** The Job Hook's form: a space, optional fractions, then {@code UTC} or {@code +0200}. */
    private static final DateTimeFormatter SPACED = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendLiteral(' ')
            .optionalStart().appendLiteral("UTC").parseDefaulting(ChronoField.OFFSET_SECONDS, 0).optionalEnd()
            .optionalStart().appendOffset("+HHMM", "+0000").optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "+00:00").optionalEnd()
            .toFormatter();

    private Timestamps() {}

    /** Unix seconds (fractions dropped, as the {@code jobs} table keeps whole seconds), or null. */
    public static Long parse(String text) {
        if (text == null) return null;
        String t = text.strip();
        try {
            return OffsetDateTime.parse(t, t.indexOf('T') == 10 ? DateTimeFormatter.ISO_OFFSET_DATE_TIME : SPACED)
                    .toEpochSecond();
        } catch (DateTimeParseException notAForm) {
            return null;
        }
    }
}
