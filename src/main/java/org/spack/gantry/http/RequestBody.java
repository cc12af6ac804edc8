package org.spack.gantry.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;

/**
 * Reads a request body on the connection's IO thread as it arrives, without holding a
 * worker thread per client: a client sending one byte a second costs a buffer, not a
 * thread. The body must arrive within a deadline and stay under a limit; past the limit
 * it is still read and dropped up to a larger one, so that a client still sending sees
 * the 413 rather than a reset. Must be called on the IO thread; the callbacks run there.
 */
final class RequestBody {
    /** Why a body was not taken; the status it is answered with. */
    enum Problem {
        TOO_LARGE(413, "body_too_large"),
        TOO_SLOW(408, "body_too_slow"),
        INCOMPLETE(400, "body_incomplete");

        final int status;
        /** The {@code reason} label of gantry_http_refused_total. */
        final String reason;

        Problem(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        /** The one line the client is answered with. */
        String answer(Limits limits) {
            return switch (this) {
                case TOO_LARGE -> "request body too large: at most " + limits.maxBytes() / (1024 * 1024) + " MiB";
                case TOO_SLOW -> "request body not received in time";
                case INCOMPLETE -> "request body could not be read";
            };
        }
    }

    /** How much may come and how fast. */
    record Limits(long maxBytes, long maxDrained, Duration deadline) {}

    interface Received {
        void body(HttpServerExchange exchange, byte[] body);
    }

    /**
     * Told why the body was refused; it answers with {@code problem.status} (for TOO_SLOW
     * and a body past {@code maxDrained} the connection is closed after the answer).
     * {@code detail} is for the log.
     */
    interface Refused {
        void refused(HttpServerExchange exchange, Problem problem, String detail);
    }

    private RequestBody() {}

    static void receive(HttpServerExchange exchange, Limits limits, Received received, Refused refused) {
        long announced = exchange.getRequestContentLength();
        if (announced > limits.maxDrained()) {
            // too large even to read and drop
            exchange.setPersistent(false);
            refused.refused(exchange, Problem.TOO_LARGE, "body of " + announced + " bytes");
            return;
        }
        new Upload(exchange, limits, received, refused, announced).start();
    }

    /** One body under way; touched only by the connection's IO thread. */
    private static final class Upload {
        private final HttpServerExchange exchange;
        private final Limits limits;
        private final Received received;
        private final Refused refused;
        private byte[] buf;
        private int size;
        private long total;
        private boolean done;
        private XnioExecutor.Key timer;

        Upload(HttpServerExchange exchange, Limits limits, Received received, Refused refused, long announced) {
            this.exchange = exchange;
            this.limits = limits;
            this.received = received;
            this.refused = refused;
            this.buf = new byte[(int) Math.min(Math.max(announced, 1024), limits.maxBytes())];
        }

        void start() {
            // Undertow's own cut (a reset) only beyond what is read and dropped here
            exchange.setMaxEntitySize(limits.maxDrained() + 1);
            timer = exchange.getIoThread().executeAfter(this::expired, limits.deadline().toMillis(), TimeUnit.MILLISECONDS);
            exchange.getRequestReceiver().receivePartialBytes((ex, data, last) -> part(data, last),
                    (ex, error) -> failed(error));
        }

        private void part(byte[] data, boolean last) {
            if (done) return;
            total += data.length;
            if (total <= limits.maxBytes()) {
                if (size + data.length > buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(limits.maxBytes(), Math.max(buf.length * 2L, size + data.length)));
                }
                System.arraycopy(data, 0, buf, size, data.length);
                size += data.length;
            } else {
                buf = null; // over the limit: nothing more is kept
                if (total > limits.maxDrained()) {
                    exchange.setPersistent(false);
                    refuse(Problem.TOO_LARGE, "body over " + limits.maxDrained() + " bytes, not read further");
                    return;
                }
            }
            if (!last) return;
            if (buf == null) {
                refuse(Problem.TOO_LARGE, "body of " + total + " bytes");
            } else {
                finish();
                received.body(exchange, size == buf.length ? buf : Arrays.copyOf(buf, size));
            }
        }

        private void failed(IOException error) {
            if (done) return;
            if (error instanceof RequestTooBigException) {
                exchange.setPersistent(false);
                refuse(Problem.TOO_LARGE, "body over " + limits.maxDrained() + " bytes");
            } else {
                // most often the client went away before sending it all
                exchange.setPersistent(false);
                refuse(Problem.INCOMPLETE, "body cut off after " + total + " bytes ("
                        + LogText.escape(String.valueOf(error.getMessage())) + ")");
            }
        }

        private void expired() {
            if (done) return;
            exchange.setPersistent(false);
            refuse(Problem.TOO_SLOW, "body not received within " + limits.deadline().toSeconds() + " s (" + total
                    + " bytes came)");
        }

        private void refuse(Problem problem, String detail) {
            finish();
            buf = null;
            refused.refused(exchange, problem, detail);
        }

        private void finish() {
            done = true;
            if (timer != null) timer.remove();
        }
    }
}
