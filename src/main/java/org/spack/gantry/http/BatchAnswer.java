package org.spack.gantry.http;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * One batch's answer being written: a chunk of answers is made on a batch thread and
 * handed to the connection without blocking; when the client does not take it at once,
 * no thread waits: the connection's IO thread calls back once it can write again, and
 * the next chunk is made on a batch thread. A client may keep the server waiting for
 * at most {@code allowance} in all; then its connection is closed.
 */
final class BatchAnswer {
    /** How much is made before it is handed to the connection. */
    static final int CHUNK_BYTES = 16 * 1024;
    private static final byte[] SEPARATOR = {',', ' '};

    /** How a batch ended, for the one line logged about it. */
    interface Ended {
        /** Every answer was written. */
        void written(int answers);

        /** Not delivered: the client went away, or did not read within the allowance ({@code cutOff}). */
        void notDelivered(int answersMade, boolean cutOff, String why);

        /** An answer could not be made (the database failing while the history loads); the connection is closed. */
        void broke(RuntimeException e);
    }

    private final HttpServerExchange exchange;
    private final SpecList.Cursor specs;
    private final Function<String, byte[]> answer;
    private final Executor batchThreads;
    private final long allowanceNanos;
    private final Ended ended;
    private final Runnable release;
    private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK_BYTES + 1024);
    private final AtomicBoolean finished = new AtomicBoolean();
    private Sender sender;
    private boolean opened;
    private boolean last;

    // the time spent waiting for the client: guarded by this
    private long waitedNanos;
    private long waitingSince;
    private boolean inSend;
    private boolean completedInSend;
    private XnioExecutor.Key deadline;

    /**
     * @param answer the bytes of one spec's answer
     * @param release called once when the batch is over, however it ends
     */
    BatchAnswer(HttpServerExchange exchange, SpecList specs, Function<String, byte[]> answer, Executor batchThreads,
            Duration allowance, Ended ended, Runnable release) {
        this.exchange = exchange;
        this.specs = specs.cursor();
        this.answer = answer;
        this.batchThreads = batchThreads;
        this.allowanceNanos = allowance.toNanos();
        this.ended = ended;
        this.release = release;
    }

    /** Starts writing; called on a batch thread. */
    void start() {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        sender = exchange.getResponseSender();
        synchronized (this) {
            deadline = exchange.getIoThread().executeAfter(this::checkDeadline, allowanceNanos, TimeUnit.NANOSECONDS);
        }
        pump();
    }

    /** Makes and hands over chunks while the connection takes them at once; returns when it does not. */
    private void pump() {
        while (!finished.get()) {
            ByteBuffer next;
            try {
                next = nextChunk();
            } catch (RuntimeException e) {
                // the 200 may be out already: the closed connection is what tells the client
                ended.broke(e);
                fail(false, null);
                return;
            }
            synchronized (this) {
                inSend = true;
                completedInSend = false;
                waitingSince = System.nanoTime();
            }
            sender.send(next, chunkWritten);
            synchronized (this) {
                inSend = false;
                if (!completedInSend) return; // the IO thread calls back when the client takes more
            }
            if (last) {
                close();
                return;
            }
        }
    }

    private ByteBuffer nextChunk() {
        chunk.reset();
        if (!opened) {
            chunk.write('[');
            opened = true;
        }
        while (chunk.size() < CHUNK_BYTES && specs.hasNext()) {
            String spec = specs.next();
            if (specs.index() > 0) chunk.write(SEPARATOR, 0, SEPARATOR.length);
            byte[] one = answer.apply(spec);
            chunk.write(one, 0, one.length);
        }
        if (!specs.hasNext()) {
            chunk.write(']');
            last = true;
        }
        return ByteBuffer.wrap(chunk.toByteArray());
    }

    /** Called back when a chunk is written: at once (in send), or later on the IO thread. */
    private final IoCallback chunkWritten = new IoCallback() {
        @Override
        public void onComplete(HttpServerExchange ex, Sender s) {
            synchronized (BatchAnswer.this) {
                waitedNanos += System.nanoTime() - waitingSince;
                waitingSince = 0;
                if (inSend) {
                    completedInSend = true;
                    return;
                }
            }
            // the client took what it had been sent: go on, on a batch thread, never on the IO thread
            if (last) {
                close();
            } else {
                try {
                    batchThreads.execute(BatchAnswer.this::pump);
                } catch (RejectedExecutionException stopping) {
                    fail(false, "the server is stopping");
                }
            }
        }

        @Override
        public void onException(HttpServerExchange ex, Sender s, IOException e) {
            fail(false, String.valueOf(e.getMessage()));
        }
    };

    private void close() {
        sender.close(new IoCallback() {
            @Override
            public void onComplete(HttpServerExchange ex, Sender s) {
                if (finish()) ended.written(specs.index() + 1);
            }

            @Override
            public void onException(HttpServerExchange ex, Sender s, IOException e) {
                fail(false, String.valueOf(e.getMessage()));
            }
        });
    }

    /** On the IO thread: past the allowance of waiting, the client is cut off; otherwise look again later. */
    private void checkDeadline() {
        long waited;
        synchronized (this) {
            deadline = null;
            waited = waitedNanos + (waitingSince != 0 ? System.nanoTime() - waitingSince : 0);
            if (finished.get()) return;
            if (waited < allowanceNanos) {
                deadline = exchange.getIoThread().executeAfter(this::checkDeadline, allowanceNanos - waited,
                        TimeUnit.NANOSECONDS);
                return;
            }
        }
        fail(true, "not read within " + TimeUnit.NANOSECONDS.toSeconds(allowanceNanos) + " s");
    }

    /** {@code why} null: already told ({@link Ended#broke}). */
    private void fail(boolean cutOff, String why) {
        if (!finished.compareAndSet(false, true)) return;
        // the 200 and part of the list may be out: closing the connection is the only way to say it failed
        exchange.setPersistent(false);
        IoUtils.safeClose(exchange.getConnection());
        end();
        if (why != null) ended.notDelivered(Math.max(0, specs.index()), cutOff, why);
    }

    /** True for the one caller that ends the batch. */
    private boolean finish() {
        if (!finished.compareAndSet(false, true)) return false;
        end();
        return true;
    }

    private void end() {
        synchronized (this) {
            if (deadline != null) deadline.remove();
            deadline = null;
        }
        release.run();
        // on a closed connection this only tells the exchange's listeners (metrics, graceful shutdown)
        exchange.endExchange();
    }
}
