package dev.siptls.provider;

import dev.siptls.protocol.HostPort;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * The server connection whose handshake runs on the current thread. BCJSSE looks a resumed session up by its id
 * alone while it processes the ClientHello, yet an SA may be resumed only at the binding it was issued for; so
 * {@link SipTlsSocket} and {@link SipTlsEngine} enter their connection here around each call that may run their
 * server handshake, and the lookup reads it on the same thread.
 */
final class AcceptedConnection {

    private static final ThreadLocal<AcceptedConnection> CURRENT = new ThreadLocal<>();

    /** Leaves the connection entered by {@link #enter}; never throws. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        /** For calls that run no server handshake. */
        Scope NONE = () -> { };

        @Override
        void close();
    }

    private final Object bcjsse;
    private final int localPort;

    private AcceptedConnection(Object bcjsse, int localPort) {
        this.bcjsse = bcjsse;
        this.localPort = localPort;
    }

    /**
     * @param bcjsse    the BCJSSE socket or engine whose handshake may run until the scope is closed
     * @param localPort the port the connection was accepted on, or -1 if unknown (an engine)
     */
    static Scope enter(Object bcjsse, int localPort) {
        AcceptedConnection previous = CURRENT.get();
        CURRENT.set(new AcceptedConnection(bcjsse, localPort));
        return previous == null ? CURRENT::remove : () -> CURRENT.set(previous);
    }

    /** Where the server handshake on this thread runs, as far as it is known. */
    static ServerEndpoint endpoint(BcjsseSessionBridge bridge, List<HostPort> served) {
        AcceptedConnection connection = CURRENT.get();
        if (connection == null) {
            return ServerEndpoint.UNKNOWN;
        }
        String peerHost = null;
        int peerPort = -1;
        if (connection.bcjsse instanceof Socket socket && socket.getInetAddress() != null) {
            peerHost = socket.getInetAddress().getHostAddress();
            peerPort = socket.getPort();
        } else if (connection.bcjsse instanceof SSLEngine engine) {
            peerHost = engine.getPeerHost();
            peerPort = engine.getPeerPort();
        }
        return new ServerEndpoint(connection.localPort, bridge.requestedHostName(connection.bcjsse).orElse(null),
                served, peerHost, peerPort);
    }

    /** The BCJSSE socket or engine whose server handshake runs on this thread, or {@code null}. */
    static Object current() {
        AcceptedConnection connection = CURRENT.get();
        return connection == null ? null : connection.bcjsse;
    }
}
