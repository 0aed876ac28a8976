package dev.siptls.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback in front of a key server, whose two sides can be cut one at a time: cutting the agent's
 * side first makes the agent leave while the key server still holds an open connection, so that the key server's
 * cleanup of that connection comes after the agent has registered elsewhere (a connection lost on one side only,
 * as behind a NAT that forgot it).
 */
final class CuttableRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> agentSide = new CopyOnWriteArrayList<>();
    private final List<Socket> serverSide = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    private CuttableRelay(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
    }

    static CuttableRelay to(InetSocketAddress target) throws IOException {
        CuttableRelay relay = new CuttableRelay(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target);
        Thread acceptor = new Thread(relay::accept, "relay-accept-" + relay.port());
        acceptor.setDaemon(true);
        acceptor.start();
        return relay;
    }

    int port() {
        return listener.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port());
    }

    /** Closes the connections to the agents and stops accepting; the key server's ends stay open and silent. */
    void cutAgentSide() {
        cut = true;
        closeQuietly(listener);
        for (Socket agent : agentSide) {
            try {
                // a FIN to the agent; nothing more passes either way (the pumps drop what they read once cut)
                agent.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(agent);
            }
        }
    }

    /** Closes the key server's ends too. */
    void cutServerSide() {
        cut = true;
        serverSide.forEach(CuttableRelay::closeQuietly);
    }

    @Override
    public void close() {
        cutAgentSide();
        agentSide.forEach(CuttableRelay::closeQuietly);
        cutServerSide();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket agent = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                agentSide.add(agent);
                serverSide.add(server);
                pump(agent, server);
                pump(server, agent);
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            // Closing a socket's stream would close the socket: the streams are left to the sockets.
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (!cut) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side closed: below
            }
            if (!cut) {
                // an ordinary close by either end reaches the other
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump-" + port());
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
