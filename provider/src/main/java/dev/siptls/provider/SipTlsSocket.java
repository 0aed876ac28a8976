package dev.siptls.provider;

import org.bouncycastle.jsse.BCSSLSocket;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A BCJSSE socket as SIP-TLS hands it out: a client socket offers the SA-made session for its peer
 * ({@link ClientOffers}) and forgets that SA if the server does not resume it; it reports its handshake to the
 * {@link HandshakeObserver} on the thread that completed it; and an unconnected client socket names its peer
 * host when it connects, as SunJSSE's does. Everything else delegates.
 *
 * <p>Why report here: BCJSSE calls {@code HandshakeCompletedListener}s on a new thread per handshake, which
 * measured as most of the extra cost of a SIP-resumed handshake over a native one. A handshake has completed
 * once {@link #startHandshake()} returns, once a read or write returns, or once {@link #getSession()} returns a
 * real session; the first of these reports it, once (BCJSSE refuses renegotiation).
 *
 * <p>Why enter the connection ({@link AcceptedConnection}): a server-mode socket's handshake runs inside
 * whichever of those calls comes first, and its session lookup must know the port it was accepted on and the
 * ClientHello's SNI to resume an SA only at its binding.
 *
 * <p>Why name the host: code that creates an unconnected socket and connects it to an {@code InetSocketAddress}
 * ({@code HttpsURLConnection} does) leaves a BCJSSE socket without a peer host: the JDK sets it only on
 * SunJSSE's own socket class. Without one, BCJSSE looks no session up (its client cache is keyed by
 * {@code "host:port"}), sends no SNI, and no SA is ever used. This wrapper gives BCJSSE the host the address
 * was made with ({@code getHostString()}: no reverse lookup) just before connecting.
 */
final class SipTlsSocket extends SSLSocket {

    private final SSLSocket socket;
    private final HandshakeObserver observer;
    private final AtomicBoolean reported = new AtomicBoolean();
    private final Map<HandshakeCompletedListener, HandshakeCompletedListener> listeners = new ConcurrentHashMap<>();
    private volatile BiFunction<SSLSocket, List<String>, String> selector;
    /** The host the application named for the peer (BCJSSE keeps its own but does not show it), or null. */
    private volatile String peerHost;
    /** When the handshake began (wall clock); set by {@link #begin()}. */
    private volatile long startedMillis;
    /** Whether {@link #begin()} is done: until then no call may reach BCJSSE, which would start the handshake. */
    private volatile boolean begun;
    /** The SA-made session this client socket offered, until the handshake ends. */
    private final AtomicReference<ClientOffers.Offer> offer = new AtomicReference<>();

    SipTlsSocket(SSLSocket socket, HandshakeObserver observer, String peerHost) {
        this.socket = socket;
        this.observer = observer;
        this.peerHost = peerHost;
    }

    /**
     * Before a call that may run the handshake: the first one finds the client's offer; a server's then enters
     * its connection, so that the session lookup knows which connection asks.
     */
    private AcceptedConnection.Scope handshaking() throws IOException {
        if (reported.get()) {
            return AcceptedConnection.Scope.NONE;
        }
        if (!begun) {
            begin();
        }
        if (socket.getUseClientMode()) {
            return AcceptedConnection.Scope.NONE;
        }
        return AcceptedConnection.enter(socket, socket.getLocalPort());
    }

    private synchronized void begin() throws IOException {
        if (begun || !socket.isConnected()) {
            return;
        }
        try {
            startedMillis = System.currentTimeMillis();
            if (!socket.getUseClientMode()) {
                observer.serverHandshaking(socket.getEnabledCipherSuites());
                return;
            }
            if (!(socket instanceof BCSSLSocket bc)) {
                return;
            }
            ClientOffers.Offer found;
            try {
                found = observer.offers().find(peerHost, socket.getPort(), socket.getEnabledCipherSuites());
            } catch (IOException e) {
                socket.close(); // refused (fallback=fail): no handshake at all
                throw e;
            }
            if (found != null) {
                bc.setBCSessionToResume(found.session());
                offer.set(found);
            }
        } finally {
            begun = true;
        }
    }

    /** Reports the handshake once, if it really completed. */
    private void handshakeDone() {
        if (reported.get()) {
            return;
        }
        SSLSession session = socket.getSession();
        if (session != null && !"SSL_NULL_WITH_NULL_NULL".equals(session.getCipherSuite())
                && reported.compareAndSet(false, true)) {
            ClientOffers.Offer offered = offer.getAndSet(null);
            if (offered != null && !offered.resumedBy(session.getId())) {
                observer.offers().notResumed(offered, "the server answered with another session");
            }
            observer.completed(session, socket.getUseClientMode(), startedMillis);
        }
    }

    /**
     * A call failed or the socket closed: if the handshake had not completed (BCJSSE names an application
     * protocol, "" for none, only once it has), an offered SA was not resumed.
     */
    private void handshakeFailed(String how) {
        if (offer.get() == null || reported.get()) {
            return;
        }
        if (socket.getApplicationProtocol() != null) {
            handshakeDone();
            return;
        }
        ClientOffers.Offer offered = offer.getAndSet(null);
        if (offered != null) {
            observer.offers().notResumed(offered, how);
        }
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (endpoint instanceof InetSocketAddress address && socket instanceof BCSSLSocket bc
                && socket.getUseClientMode()) {
            peerHost = address.getHostString();
            bc.setHost(peerHost);
        }
        socket.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        socket.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
        return socket.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return socket.getLocalAddress();
    }

    @Override
    public int getPort() {
        return socket.getPort();
    }

    @Override
    public int getLocalPort() {
        return socket.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return socket.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return socket.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return socket.getChannel();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return new FilterInputStream(socket.getInputStream()) {
            @Override
            public int read() throws IOException {
                int b;
                try (AcceptedConnection.Scope scope = handshaking()) {
                    b = super.read();
                } catch (IOException e) {
                    handshakeFailed(e.toString());
                    throw e;
                }
                handshakeDone();
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n;
                try (AcceptedConnection.Scope scope = handshaking()) {
                    n = super.read(buffer, offset, length);
                } catch (IOException e) {
                    handshakeFailed(e.toString());
                    throw e;
                }
                handshakeDone();
                return n;
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return new FilterOutputStream(socket.getOutputStream()) {
            @Override
            public void write(int b) throws IOException {
                try (AcceptedConnection.Scope scope = handshaking()) {
                    out.write(b);
                } catch (IOException e) {
                    handshakeFailed(e.toString());
                    throw e;
                }
                handshakeDone();
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                try (AcceptedConnection.Scope scope = handshaking()) {
                    out.write(buffer, offset, length);
                } catch (IOException e) {
                    handshakeFailed(e.toString());
                    throw e;
                }
                handshakeDone();
            }
        };
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        socket.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return socket.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        socket.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return socket.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        socket.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        socket.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return socket.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        socket.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return socket.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        socket.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return socket.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        socket.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return socket.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        socket.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return socket.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        socket.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return socket.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        socket.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return socket.getReuseAddress();
    }

    @Override
    public void close() throws IOException {
        handshakeFailed("the connection closed during the handshake");
        socket.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        socket.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    @Override
    public boolean isBound() {
        return socket.isBound();
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return socket.isOutputShutdown();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        socket.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return socket.supportedOptions();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return socket.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return socket.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        socket.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return socket.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return socket.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        socket.setEnabledProtocols(protocols);
    }

    /** As BCJSSE's: runs the handshake if needed, and a failed or refused one gives the null session. */
    @Override
    public SSLSession getSession() {
        SSLSession session;
        try (AcceptedConnection.Scope scope = handshaking()) {
            session = socket.getSession();
        } catch (IOException refused) {
            return socket.getSession(); // closed by the refusal: BCJSSE's null session
        }
        if ("SSL_NULL_WITH_NULL_NULL".equals(session.getCipherSuite())) {
            handshakeFailed("the handshake failed");
        }
        handshakeDone();
        return session;
    }

    @Override
    public SSLSession getHandshakeSession() {
        return socket.getHandshakeSession();
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        // The application's listener sees this socket, not the BCJSSE one inside it.
        HandshakeCompletedListener relay = event -> listener.handshakeCompleted(
                new HandshakeCompletedEvent(this, event.getSession()));
        if (listeners.putIfAbsent(listener, relay) == null) {
            socket.addHandshakeCompletedListener(relay);
        }
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        HandshakeCompletedListener relay = listeners.remove(listener);
        if (relay == null) {
            throw new IllegalArgumentException("listener not registered");
        }
        socket.removeHandshakeCompletedListener(relay);
    }

    @Override
    public void startHandshake() throws IOException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            socket.startHandshake();
        } catch (IOException e) {
            handshakeFailed(e.toString());
            throw e;
        }
        handshakeDone();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        socket.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return socket.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        socket.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return socket.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        socket.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return socket.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        socket.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return socket.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return socket.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters parameters) {
        socket.setSSLParameters(parameters);
    }

    @Override
    public String getApplicationProtocol() {
        return socket.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return socket.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> selector) {
        this.selector = selector;
        socket.setHandshakeApplicationProtocolSelector(selector == null ? null
                : (bcjsseSocket, protocols) -> selector.apply(this, protocols));
    }

    @Override
    public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return selector;
    }

    @Override
    public String toString() {
        return "SipTls" + socket;
    }
}
