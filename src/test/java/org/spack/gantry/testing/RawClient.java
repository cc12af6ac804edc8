package org.spack.gantry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client on a bare socket, to do what well-behaved HTTP clients will not: send half a
 * header, trickle a body, hang up mid-upload, send raw control characters.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final long openedAt = System.nanoTime();

    public RawClient(int port) throws IOException {
        this(port, 0);
    }

    /**
     * With {@code receiveBuffer} > 0 the kernel keeps at most about that much of the
     * answer for a client that does not read (set before connecting, as the TCP window
     * is agreed then).
     */
    public RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setTcpNoDelay(true);
    }

    /** Request line and headers (CRLF-separated, {@code Host} added), ended by an empty line unless {@code complete} is false. */
    public RawClient head(String requestLine, boolean complete, String... headers) throws IOException {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) sb.append(h).append("\r\n");
        if (complete) sb.append("\r\n");
        return send(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** One chunk of a chunked body ({@code data.length == 0}: the last). */
    public RawClient chunk(byte[] data) throws IOException {
        send((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        send(data);
        return send("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** What the server sent until it closed the connection or {@code timeout} passed without a byte. */
    public String readUntilClosed(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            throw new IOException("still open after " + timeout + ", received: " + out.toString(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads and drops what the server sends until it closes the connection (or resets
     * it); false when it is still open after {@code timeout} without a byte.
     */
    public boolean drainUntilClosed(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] buf = new byte[8192];
        try {
            while (socket.getInputStream().read(buf) >= 0) {
                // dropped
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    /** Seconds since the connection was opened. */
    public double age() {
        return (System.nanoTime() - openedAt) / 1e9;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
