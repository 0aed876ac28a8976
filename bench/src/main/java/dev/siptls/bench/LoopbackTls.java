package dev.siptls.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Runs handshakes one at a time over loopback between a client and a server context and measures each: the
 * wall time the client sees (TCP connect, handshake and a one-byte echo) and the CPU time the server's
 * thread spent on it. One at a time so that the two cores do not blur each other's CPU accounting.
 */
final class LoopbackTls {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LoopbackTls() {
    }

    /**
     * Like with like: every connection, client and server, enables exactly {@code protocols} and {@code suite}, so
     * that what differs between two measurements is the way, not what is offered.
     *
     * @param resume whether the client may resume: when false every session is invalidated after use, so each
     *     connection is a full handshake
     */
    static HandshakeCost measure(String name, SSLContext client, SSLContext server, String[] protocols, String suite,
            boolean resume, String host, int warmup, int count) throws Exception {
        return measure(name, client, server, 0, protocols, suite, resume, host, warmup, count);
    }

    /** As above, with the server listening on {@code port} (0: any free port). */
    static HandshakeCost measure(String name, SSLContext client, SSLContext server, int port, String[] protocols,
            String suite, boolean resume, String host, int warmup, int count) throws Exception {
        String[] suites = {suite};
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            listener.setEnabledProtocols(protocols);
            listener.setEnabledCipherSuites(suites);
            BlockingQueue<Long> serverCpu = new ArrayBlockingQueue<>(1);
            Thread acceptor = new Thread(() -> serve(listener, serverCpu), "bench-server");
            acceptor.setDaemon(true);
            acceptor.start();
            port = listener.getLocalPort();
            for (int i = 0; i < warmup; i++) {
                connect(client, protocols, suites, resume, host, port);
                serverCpu.take();
            }
            long[] wall = new long[count];
            long[] cpu = new long[count];
            int resumed = 0;
            SSLSession last = null;
            for (int i = 0; i < count; i++) {
                long before = System.currentTimeMillis();
                long start = System.nanoTime();
                last = connect(client, protocols, suites, resume, host, port);
                wall[i] = System.nanoTime() - start;
                cpu[i] = serverCpu.poll(30, TimeUnit.SECONDS);
                resumed += last.getCreationTime() < before - 1 ? 1 : 0; // a session from before: resumed
            }
            return new HandshakeCost(name, wall, cpu, resumed,
                    last == null ? "-" : last.getProtocol() + " " + last.getCipherSuite());
        }
    }

    /** One connection; its session. */
    private static SSLSession connect(SSLContext context, String[] protocols, String[] suites, boolean resume,
                                      String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            // Look the session up by the name applications use, as HttpsURLConnection does.
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true);
            tls.setEnabledProtocols(protocols);
            tls.setEnabledCipherSuites(suites);
            OutputStream out = tls.getOutputStream();
            out.write(1);
            out.flush();
            InputStream in = tls.getInputStream();
            if (in.read() != 1) {
                throw new IOException("echo failed");
            }
            SSLSession session = tls.getSession();
            if (!resume) {
                session.invalidate();
            }
            return session;
        }
    }

    private static void serve(SSLServerSocket listener, BlockingQueue<Long> serverCpu) {
        while (!listener.isClosed()) {
            try (SSLSocket socket = (SSLSocket) listener.accept()) {
                socket.setTcpNoDelay(true);
                long start = THREADS.getCurrentThreadCpuTime();
                socket.startHandshake();
                InputStream in = socket.getInputStream();
                int b = in.read();
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
                serverCpu.put(THREADS.getCurrentThreadCpuTime() - start);
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("server: " + e);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
