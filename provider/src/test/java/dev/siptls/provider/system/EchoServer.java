package dev.siptls.provider.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Plain JSSE server code on a loopback port: for each connection it completes the handshake, answers one
 * line with {@code "echo: " + line}, and reports the outcome (its session, or why the handshake failed).
 */
final class EchoServer implements AutoCloseable {

    private final SSLServerSocket socket;
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();

    private EchoServer(SSLServerSocket socket) {
        this.socket = socket;
        Thread acceptor = new Thread(this::acceptAll, "echo-server-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static EchoServer start(SSLContext context, int port) throws IOException {
        return start(context, port, s -> { });
    }

    static EchoServer start(SSLContext context, int port, Consumer<SSLServerSocket> configure) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(port, 50, InetAddress.getLoopbackAddress());
        configure.accept(socket);
        return new EchoServer(socket);
    }

    /** The next connection's outcome. */
    Outcome next() throws InterruptedException {
        Outcome outcome = outcomes.poll(20, TimeUnit.SECONDS);
        if (outcome == null) {
            throw new AssertionError("no connection reached the server");
        }
        return outcome;
    }

    private void acceptAll() {
        while (!socket.isClosed()) {
            try {
                SSLSocket connection = (SSLSocket) socket.accept();
                Thread t = new Thread(() -> serve(connection), "echo-connection");
                t.setDaemon(true);
                t.start();
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                outcomes.add(new Outcome(null, e));
            }
        }
    }

    private void serve(SSLSocket connection) {
        boolean handshaken = false;
        try (connection) {
            connection.setSoTimeout(20_000);
            connection.setTcpNoDelay(true);
            connection.startHandshake();
            handshaken = true;
            outcomes.add(new Outcome(connection.getSession(), null));
            BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line != null) {
                new PrintWriter(connection.getOutputStream(), true, StandardCharsets.UTF_8).println("echo: " + line);
            }
        } catch (IOException e) {
            if (!handshaken) {
                outcomes.add(new Outcome(null, e));
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** What one connection came to: a session, or the reason its handshake failed. */
    record Outcome(SSLSession session, Exception failure) {

        SSLSession handshaken() {
            if (session == null) {
                throw new AssertionError("server handshake failed", failure);
            }
            return session;
        }
    }
}
