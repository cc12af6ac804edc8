package org.spack.gantry.collect;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** GitLab's timestamps: {@code 2024-01-24 17:24:06 UTC} in webhooks, ISO-8601 in the API. */
final class Timestamps {
    private static final DateTimeFormatter WEBHOOK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private Timestamps() {}

    /** Unix seconds (fractions dropped, as the {@code jobs} table keeps whole seconds), or null. */
    static Long parse(String text) {
        try {
            return LocalDateTime.parse(text, WEBHOOK).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException notWebhookForm) {
            try {
                return OffsetDateTime.parse(text).toEpochSecond();
            } catch (DateTimeParseException notOffset) {
                try {
                    return Instant.parse(text).getEpochSecond();
                } catch (DateTimeParseException notIso) {
                    return null;
                }
            }
        }
    }
}
