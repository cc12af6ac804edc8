package org.spack.gantry.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads series from a server's /metrics, as Prometheus would scrape them. */
public final class MetricsText {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MetricsText() {}

    /** The value of one series (name and labels as exposed), if the text has it. */
    public static OptionalDouble value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    public static String scrape(String baseUrl) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the series has a value that satisfies {@code until}; fails after {@code within}. */
    public static void await(String baseUrl, String series, DoublePredicate until, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = scrape(baseUrl);
            OptionalDouble v = value(text, series);
            if (v.isPresent() && until.test(v.getAsDouble())) return;
            Thread.sleep(20);
        }
        throw new AssertionError(series + " not as awaited within " + within + ":\n" + text);
    }
}
