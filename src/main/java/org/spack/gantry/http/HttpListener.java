package org.spack.gantry.http;

/** Told of every request, refusal and webhook, for metrics. */
public interface HttpListener {
    /** A request arrived on the route ({@code other} for unknown paths); {@link #request} follows when it is answered. */
    void begun(String route);

    /** A request answered: its route, status and duration. */
    void request(String route, int status, double seconds);

    /** {@code count} requests (or specs of a batch) refused as the client's fault. */
    void refused(String route, String reason, long count);

    void webhook(WebhookResult result);

    HttpListener NONE = new HttpListener() {
        @Override
        public void begun(String route) {}

        @Override
        public void request(String route, int status, double seconds) {}

        @Override
        public void refused(String route, String reason, long count) {}

        @Override
        public void webhook(WebhookResult result) {}
    };
}
