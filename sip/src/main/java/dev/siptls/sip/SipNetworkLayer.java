package dev.siptls.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The sockets of one SIP endpoint: TLS from the endpoint's own in-memory {@code SSLContext} (not the
 * JVM-wide {@code javax.net.ssl} properties), {@code TCP_NODELAY} on every connection (JAIN-SIP never sets
 * it, and Nagle plus delayed ACKs then add ~40 ms to every transaction), and, for an agent, a TLS
 * "listener" that never accepts: agents are reached over the connection they registered on. A listening
 * endpoint's TLS connections do not come through here: {@link TlsFlowProcessor} accepts them; a link between
 * key servers listens through {@link HandshakeBoundSslServerSocket}.
 *
 * <p>Public only because JAIN-SIP instantiates it by name ({@code gov.nist.javax.sip.NETWORK_LAYER}).
 */
public final class SipNetworkLayer implements NetworkLayer {

    private SipEndpointConfig config;
    private AcceptedFlows flows;
    private volatile boolean closed;
    private volatile TlsFlowProcessor tls;
    private final Set<Closeable> listeners = ConcurrentHashMap.newKeySet();
    /** The connections this endpoint opened, JAIN-SIP's to close; closed here too, for the ones it lost. */
    private final Set<Socket> dialled = ConcurrentHashMap.newKeySet();
    private volatile BiConsumer<InetSocketAddress, String> tlsReadFailed = (peer, message) -> { };

    public SipNetworkLayer() {
    }

    /**
     * From now on no connection is opened, and the listeners close every connection they accepted. JAIN-SIP
     * answers the end of a connection with a CRLF "pong" that, racing with {@code stop()}, would dial the peer
     * again on a connection nobody owns; and it does not track accepted connections still in their TLS
     * handshake, whose reader threads would outlive the stack. It also closes every connection this endpoint
     * opened: a dial that began before the close returns its socket afterwards, and JAIN-SIP then keeps it
     * (and a reader thread on it) after its own stop() closed the sockets it knew, with the peer's reader
     * threads waiting on it too, until the peer drops it.
     */
    void close() {
        closed = true;
        for (Closeable listener : listeners) {
            try {
                listener.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        for (Socket socket : dialled) {
            closeQuietly(socket);
        }
    }

    /** Hands a connected socket out, or closes it if the endpoint closed meanwhile. */
    private <S extends Socket> S handOut(S socket) throws IOException {
        dialled.removeIf(Socket::isClosed);
        dialled.add(socket);
        if (closed) {
            closeQuietly(socket);
            throw new SocketException("SIP endpoint closed");
        }
        return socket;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new SocketException("SIP endpoint closed");
        }
    }

    @Override
    public void setSipStack(SipStackImpl stack) {
        this.config = EndpointRegistry.lookup(stack.getStackName());
        this.flows = new AcceptedFlows(stack.getStackName(), config.maxQueuedBytes(), config.writeTimeout());
    }

    /** The non-blocking TLS listening point, if this endpoint listens. */
    TlsFlowProcessor tlsProcessor() {
        return tls;
    }

    /** The TLS connections this endpoint accepted (a listening endpoint's; an agent accepts none). */
    AcceptedFlows flows() {
        return flows;
    }

    /**
     * A listening endpoint (a key server) reaches its peers only over the connections they opened: dialling
     * the address a flow had, or one a Via names, could hand a security association to whoever listens there.
     */
    private void checkMayDial(InetAddress address, int port) throws IOException {
        checkOpen();
        if (config.listening() && !config.interconnect()) {
            throw new SocketException("not connecting to " + address.getHostAddress() + ":" + port
                    + ": this endpoint only answers over connections its peers opened");
        }
    }

    /** A listener to close with this layer: the non-blocking TLS listening point of a listening endpoint. */
    void adopt(TlsFlowProcessor listener) {
        tls = listener;
        listeners.add(listener);
        if (closed) {
            listener.close();
        }
    }

    /**
     * An agent's TLS "listener", which never accepts. A listening endpoint's TLS connections are accepted by
     * {@link TlsFlowProcessor} (see {@link FlowProcessorFactory}), never through a server socket.
     */
    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress address) throws IOException {
        checkOpen();
        if (!config.listening()) {
            return new IdleSslServerSocket(address, port);
        }
        if (config.interconnect()) {
            // JAIN-SIP's blocking listener; it requires the client certificate (TLS_CLIENT_AUTH_TYPE=Enabled).
            // Bounded so that connections that never handshake cannot hold its reader threads.
            SSLServerSocket listener = new HandshakeBoundSslServerSocket((SSLServerSocket) config.sslContext()
                    .getServerSocketFactory().createServerSocket(port, backlog, address),
                    (int) config.handshakeTimeout().toMillis());
            listeners.add(listener);
            return listener;
        }
        throw new SocketException("a listening endpoint accepts TLS through its non-blocking processor");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        checkOpen();
        NoDelayServerSocket listener = new NoDelayServerSocket(port, backlog, address, flows);
        listeners.add(listener);
        return listener;
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return createSSLSocket(address, port, null);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        checkMayDial(address, port);
        SSLSocket socket = (SSLSocket) config.sslContext().getSocketFactory().createSocket();
        try {
            socket.setTcpNoDelay(true);
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress(address, port), (int) config.handshakeTimeout().toMillis());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return handOut(config.listening() ? socket
                : new WatchedSslSocket(socket, (peer, e) -> tlsReadFailed.accept(peer, e.getMessage())));
    }

    /** Who hears of a TLS error read on a connection this endpoint dialled; see {@link WatchedSslSocket}. */
    void onTlsReadFailure(BiConsumer<InetSocketAddress, String> listener) {
        tlsReadFailed = listener;
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return createSocket(address, port, null, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return createSocket(address, port, localAddress, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        checkMayDial(address, port);
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, localPort));
            }
            socket.connect(new InetSocketAddress(address, port), (int) config.handshakeTimeout().toMillis());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return handOut(socket);
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        throw new SocketException("SIP-TLS endpoints do not use UDP");
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress address) throws SocketException {
        throw new SocketException("SIP-TLS endpoints do not use UDP");
    }

    /**
     * A plain-TCP listener whose accepted connections have {@code TCP_NODELAY}, queued writes and the limits of
     * {@link AcceptedFlows}, and close with it.
     */
    private static final class NoDelayServerSocket extends ServerSocket {
        private final AcceptedFlows flows;

        NoDelayServerSocket(int port, int backlog, InetAddress address, AcceptedFlows flows) throws IOException {
            super(port, backlog, address);
            this.flows = flows;
        }

        @Override
        public Socket accept() throws IOException {
            Socket socket = super.accept();
            while (flows.quarantined((InetSocketAddress) socket.getRemoteSocketAddress())) {
                socket.close();
                socket = super.accept();
            }
            try {
                socket.setTcpNoDelay(true);
                return flows.acceptedPlain(new PlainSocket(socket, flows));
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            super.close();
            if (flows != null) { // null when ServerSocket's constructor closes it on a port it could not bind
                flows.closeAll();
            }
        }
    }
}
