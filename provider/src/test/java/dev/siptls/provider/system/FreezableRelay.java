package dev.siptls.provider.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a key server that a test can freeze: frozen, it forwards no byte either way
 * and keeps every connection open (new ones are accepted too), which is what a SIGSTOPped key server looks like
 * from outside. Thawed, the held bytes flow again. Bytes are relayed as they are: TLS passes end to end.
 */
final class FreezableRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean frozen;
    private volatile boolean closed;

    private FreezableRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    static FreezableRelay to(InetSocketAddress target) throws IOException {
        return new FreezableRelay(target);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on no byte passes, either way; connections stay open. */
    void freeze() {
        frozen = true;
    }

    /** Bytes pass again, those held first. */
    void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    /** Closes every relayed connection (as a key server process that died would), and thaws. */
    void closeConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        thaw();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, "relay-up");
                pump(server, client, "relay-down");
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection closed
            }
        }
    }

    private void pump(Socket from, Socket to, String name) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    awaitThawed();
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    awaitThawed();
                    out.write(buffer, 0, n);
                }
            } catch (IOException | InterruptedException e) {
                // connection closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private void awaitThawed() throws InterruptedException {
        synchronized (gate) {
            while (frozen && !closed) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        thaw();
    }
}
