package org.spack.gantry.cli;

import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.spack.gantry.http.Server;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark's yardstick: Undertow from this same jar, with the IO threads
 * {@code serve} uses, answering every request on the IO thread with a constant body
 * the size of an allocation answer. What no handler can beat on this machine.
 * Hidden: only {@code bench/run.sh} uses it.
 */
@Command(name = "bench-ceiling", hidden = true, mixinStandardHelpOptions = true,
        description = "Serve a constant body on every path (the benchmark's ceiling) until stopped.")
public final class BenchCeilingCommand implements Callable<Integer> {
    static final String BODY =
            "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}";

    @Option(names = "--port", description = "port to listen on (default: ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--host", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Override
    public Integer call() throws InterruptedException {
        ByteBuffer body = ByteBuffer.wrap(BODY.getBytes(StandardCharsets.UTF_8));
        Undertow undertow = Undertow.builder()
                .addHttpListener(port, host)
                .setIoThreads(Server.ioThreads(Runtime.getRuntime().availableProcessors()))
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
                    exchange.getResponseSender().send(body.duplicate());
                })
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            undertow.stop();
            stopped.countDown();
        }, "shutdown"));
        undertow.start();
        stopped.await();
        return 0;
    }
}
