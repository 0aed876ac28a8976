package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import dev.siptls.bench.demo.Topology.Link;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Makes measured TLS connections over loopback, one at a time: the calling thread is the client, one
 * thread of the desk the server. One at a time so that the two TLS threads and the SIP threads do not
 * blur each other's CPU accounting, and so that the {@link Ledger}'s counts between two connections
 * belong to the connection between them.
 */
final class LoopbackDesk implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Ledger ledger;
    private final ExecutorService server = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "sip-tls-demo-server");
        t.setDaemon(true);
        return t;
    });

    LoopbackDesk(Ledger ledger) {
        this.ledger = ledger;
    }

    /** An application's TLS server: a loopback listener (port chosen by the OS) and its context. */
    static final class Listener implements AutoCloseable {
        private final ServerSocket socket;
        private final String host;
        private volatile SSLContext context;

        Listener(String host) throws IOException {
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.socket.setSoTimeout(TIMEOUT_MILLIS);
            this.host = host;
        }

        /** The name clients use for this server (its certificate's dNSName). */
        String host() {
            return host;
        }

        int port() {
            return socket.getLocalPort();
        }

        void context(SSLContext serverContext) {
            this.context = serverContext;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Connects {@code client} to {@code listener} by the listener's host name, requires the server to
     * authenticate the client too, echoes one byte, and measures it.
     *
     * @param forget    invalidate the session afterwards, so that the next connection cannot resume it
     * @param protocols what both ends enable; empty: their contexts' defaults
     */
    Sample connect(SSLContext client, Listener listener, Link link, int round, boolean forget, List<String> protocols)
            throws IOException, InterruptedException {
        String[] enabled = protocols.toArray(String[]::new);
        Tally before = ledger.snapshot();
        Future<Long> served = server.submit(() -> serve(listener, enabled));
        long processBefore = allThreadsCpu();
        long start = System.nanoTime();
        long cpuBefore = THREADS.getCurrentThreadCpuTime();
        byte[] sessionId;
        String protocol;
        try (Socket plain = new Socket()) {
            plain.setTcpNoDelay(true);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port()), TIMEOUT_MILLIS);
            SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(plain, listener.host(),
                    listener.port(), true);
            SSLParameters parameters = tls.getSSLParameters();
            if (enabled.length > 0) {
                parameters.setProtocols(enabled);
            }
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            OutputStream out = tls.getOutputStream();
            out.write(42);
            out.flush();
            InputStream in = tls.getInputStream();
            if (in.read() != 42) {
                throw new IOException("the server did not echo");
            }
            sessionId = tls.getSession().getId();
            protocol = tls.getSession().getProtocol();
            if (forget) {
                tls.getSession().invalidate();
            }
            tls.close();
        }
        long clientCpu = THREADS.getCurrentThreadCpuTime() - cpuBefore;
        long wall = System.nanoTime() - start;
        long serverCpu;
        try {
            serverCpu = served.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("server side of " + listener.host() + ":" + listener.port() + " failed: "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            served.cancel(true);
            throw new IOException("server side of " + listener.host() + ":" + listener.port() + " hung");
        }
        long process = allThreadsCpu() - processBefore;
        Tally counted = ledger.snapshot().minus(before);
        return new Sample(link, round, wall, clientCpu + serverCpu, process, counted.signatures(Layer.TLS),
                counted.chainVerifications(Layer.TLS), HexFormat.of().formatHex(sessionId), protocol);
    }

    /**
     * CPU time of all live Java threads: the TLS threads, the agents' and the key server's SIP threads.
     * Per-thread clocks have nanosecond resolution, where the process clock ticks in milliseconds; JIT and
     * GC threads are not Java threads and stay out.
     */
    private static long allThreadsCpu() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu > 0) {
                sum += cpu;
            }
        }
        return sum;
    }

    /** The server's side of one connection; returns the CPU time it took. */
    private static long serve(Listener listener, String[] protocols) throws IOException {
        try (Socket plain = listener.socket.accept()) {
            long cpuBefore = THREADS.getCurrentThreadCpuTime();
            plain.setTcpNoDelay(true);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            SSLSocket tls = (SSLSocket) listener.context.getSocketFactory().createSocket(plain, null, true);
            tls.setUseClientMode(false);
            if (protocols.length > 0) {
                tls.setEnabledProtocols(protocols);
            }
            tls.setNeedClientAuth(true);
            int b = tls.getInputStream().read();
            tls.getOutputStream().write(b);
            tls.getOutputStream().flush();
            // Wait for the client's close_notify, so that both sides finish before the next connection.
            tls.getInputStream().read();
            tls.close();
            return THREADS.getCurrentThreadCpuTime() - cpuBefore;
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
