package dev.siptls.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * An ordinary JSSE server application: an {@code SSLServerSocket} from whatever context it is given, one
 * bounded pool of connection threads, and a small protocol per connection. It records each connection's
 * {@code SSLSession} (and what went wrong, if anything) for the test to inspect.
 */
final class EchoServer implements AutoCloseable {

    /** What the server does with one connection, after the handshake. */
    @FunctionalInterface
    interface Conversation {
        void run(SSLSocket socket) throws IOException;
    }

    /** Answers each line with {@code "echo: " + line} until the client closes. */
    static final Conversation LINES = socket -> {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            out.write("echo: " + line + "\n");
            out.flush();
        }
    };

    /** Sends back every byte it reads until the client closes. */
    static final Conversation BYTES = socket -> {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            out.write(buffer, 0, n);
        }
        out.flush();
    };

    /** What {@link #nextEnding()} gives for a conversation that ended at the end of the stream. */
    static final String CLEAN_END = "end of stream";

    private final SSLServerSocket server;
    private final ExecutorService connections;
    private final Thread acceptor;
    private final Conversation conversation;
    private final BlockingQueue<SSLSession> sessions = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> endings = new LinkedBlockingQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    private EchoServer(SSLServerSocket server, int threads, Conversation conversation) {
        this.server = server;
        this.conversation = conversation;
        AtomicInteger n = new AtomicInteger();
        this.connections = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "echo-connection-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::accept, "echo-acceptor-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /** Binds 127.0.0.1:{@code port} (0 for any) and starts accepting. */
    static EchoServer start(SSLContext context, int port, int threads, Conversation conversation) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(port, 256, InetAddress.getLoopbackAddress());
        EchoServer server = new EchoServer(socket, threads, conversation);
        server.acceptor.start();
        return server;
    }

    int port() {
        return server.getLocalPort();
    }

    SSLServerSocket socket() {
        return server;
    }

    private void accept() {
        while (!closed) {
            SSLSocket socket;
            try {
                socket = (SSLSocket) server.accept();
            } catch (IOException e) {
                if (!closed) {
                    failures.add(e);
                }
                return;
            }
            accepted.incrementAndGet();
            connections.execute(() -> serve(socket));
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            SSLSession session = socket.getSession();
            if (!session.isValid() && "SSL_NULL_WITH_NULL_NULL".equals(session.getCipherSuite())) {
                throw new IOException("handshake failed");
            }
            sessions.add(session);
            conversation.run(socket);
            endings.add(CLEAN_END);
        } catch (SocketException e) {
            endings.add(e.toString());
            if (!closed) {
                failures.add(e);
            }
        } catch (IOException | RuntimeException e) {
            endings.add(e.toString());
            failures.add(e);
        }
    }

    /** The session of the next connection whose handshake completed, in order. */
    SSLSession nextSession() throws InterruptedException {
        SSLSession session = sessions.poll(30, TimeUnit.SECONDS);
        if (session == null) {
            throw new AssertionError("no connection completed a handshake; failures: " + failures);
        }
        return session;
    }

    /**
     * How the next connection's conversation ended: {@link #CLEAN_END} when it read the end of the stream (the
     * client's close_notify), else the exception that ended it.
     */
    String nextEnding() throws InterruptedException {
        String ending = endings.poll(30, TimeUnit.SECONDS);
        if (ending == null) {
            throw new AssertionError("no conversation ended");
        }
        return ending;
    }

    /** The ending of a conversation that already ended, if any, without waiting. */
    String pollEnding() throws InterruptedException {
        return endings.poll(0, TimeUnit.MILLISECONDS);
    }

    /** Problems connections ran into (failed handshakes, resets), oldest first. */
    BlockingQueue<Throwable> failures() {
        return failures;
    }

    int accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.shutdownNow();
        try {
            acceptor.join(5000);
            connections.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
