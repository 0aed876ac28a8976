package dev.siptls.provider;

import org.bouncycastle.jsse.BCSSLSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
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
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A socket as SIP-TLS hands it out: TLS over a plain socket it holds ({@code raw}), run by BCJSSE or, for a TLS 1.3
 * SA, by the PSK engine ({@link Tls13PskEngine} under an {@link EngineSocket}); chosen before the handshake begins.
 *
 * <ul>
 *   <li>A client socket finds the SA for its peer first ({@link ClientOffers}): a TLS 1.3 SA makes it a PSK
 *       connection; a TLS 1.2 SA is handed to BCJSSE to resume, on TLS 1.2 only; without one BCJSSE runs a full
 *       handshake (or a native resumption). If the server does not take the SA, the SA is forgotten.</li>
 *   <li>A server socket, accepted by a {@link SipTlsServerSocket} or layered over an accepted plain socket, reads
 *       the ClientHello first ({@link ClientHelloPeek}), after any bytes the application had {@code consumed}:
 *       a hello that names a TLS 1.3 SA this server holds for this binding goes to the PSK engine; every other
 *       hello goes to BCJSSE, which reads the same bytes it would have read itself.</li>
 *   <li>It reports its handshake to the {@link HandshakeObserver} on the thread that completed it: BCJSSE calls
 *       {@code HandshakeCompletedListener}s on a new thread per handshake, which measured as most of the extra
 *       cost of a SIP-resumed handshake over a native one. A handshake has completed once
 *       {@link #startHandshake()} returns, once a read or write returns, or once {@link #getSession()} returns a
 *       real session; the first of these reports it, once (renegotiation is refused).</li>
 *   <li>A server socket enters its connection ({@link AcceptedConnection}) while BCJSSE may run its handshake,
 *       so that the session lookup knows the port and SNI and resumes an SA only at its binding.</li>
 *   <li>An unconnected client socket names its peer host when it connects, as SunJSSE's does: code that connects
 *       to an {@code InetSocketAddress} ({@code HttpsURLConnection} does) would otherwise leave BCJSSE without a
 *       peer host, so no session lookup, no SNI and no SA. It gets the host the address was made with
 *       ({@code getHostString()}: no reverse lookup).</li>
 * </ul>
 *
 * <p>Socket options and addresses are the plain socket's; TLS settings and state are those of the TLS socket in
 * use: until an unconnected socket connects, an unconnected BCJSSE socket keeps its settings.
 */
final class SipTlsSocket extends SSLSocket {

    /** The plain socket TLS runs over. */
    private final Socket raw;
    /** The TLS socket in use: BCJSSE's (before connecting, an unconnected one that keeps settings) or the PSK one. */
    private volatile SSLSocket socket;
    /** BCJSSE's factory, which layers TLS over {@link #raw} when an unconnected socket connects. */
    private final SSLSocketFactory bcjsse;
    private final boolean autoClose;
    /** For a server socket: the bytes read to choose the engine, which BCJSSE reads first. */
    private final PeekedInput peekedInput;
    /** For a layered server socket: what the application read before, until the ClientHello peek takes it. */
    private InputStream consumed;
    private final HandshakeObserver observer;
    private final AtomicBoolean reported = new AtomicBoolean();
    private final AtomicBoolean pskFailureCounted = new AtomicBoolean();
    private final Map<HandshakeCompletedListener, HandshakeCompletedListener> listeners = new ConcurrentHashMap<>();
    private volatile BiFunction<SSLSocket, List<String>, String> selector;
    /** The host the application named for the peer (BCJSSE keeps its own but does not show it), or null. */
    private volatile String peerHost;
    /** When the handshake began (wall clock); set by {@link #begin()}. */
    private volatile long startedMillis;
    /** Whether {@link #begin()} is done: until then no call may reach BCJSSE, which would start the handshake. */
    private volatile boolean begun;
    /** The SA this client socket offered, until the handshake ends. */
    private final AtomicReference<ClientOffers.Offer> offer = new AtomicReference<>();

    private SipTlsSocket(Socket raw, SSLSocket socket, SSLSocketFactory bcjsse, boolean autoClose,
                         PeekedInput peekedInput, InputStream consumed, HandshakeObserver observer,
                         String peerHost) {
        this.raw = raw;
        this.consumed = consumed;
        this.socket = socket;
        this.bcjsse = bcjsse;
        this.autoClose = autoClose;
        this.peekedInput = peekedInput;
        this.observer = observer;
        this.peerHost = peerHost;
    }

    /** A client socket over the connected {@code raw}, for {@code host:port}. */
    static SipTlsSocket client(Socket raw, String host, int port, boolean autoClose, SSLSocketFactory bcjsse,
                               String[] protocols, HandshakeObserver observer) throws IOException {
        SSLSocket tls = (SSLSocket) bcjsse.createSocket(raw, host, port, autoClose);
        tls.setEnabledProtocols(protocols);
        return new SipTlsSocket(raw, tls, bcjsse, autoClose, null, null, observer, host);
    }

    /** A socket to connect later; a client unless the application says otherwise before it connects. */
    static SipTlsSocket unconnected(SSLSocketFactory bcjsse, String[] protocols, HandshakeObserver observer)
            throws IOException {
        SSLSocket settings = (SSLSocket) bcjsse.createSocket();
        settings.setEnabledProtocols(protocols);
        return new SipTlsSocket(new Socket(), settings, bcjsse, true, null, null, observer, null);
    }

    /**
     * A server socket over the connected {@code raw}, whose first bytes {@code consumed} the application read. It
     * peeks at the ClientHello as an accepted one does, so that a TLS 1.3 SA's PSK is taken here too; BCJSSE reads
     * the peeked bytes, then what is left of {@code consumed} (all of it if the socket never peeks, as a client).
     */
    static SipTlsSocket server(Socket raw, InputStream consumed, boolean autoClose, SSLSocketFactory bcjsse,
                               String[] protocols, HandshakeObserver observer) throws IOException {
        PeekedInput peeked = new PeekedInput();
        SSLSocket tls = (SSLSocket) bcjsse.createSocket(raw,
                consumed == null ? peeked : new SequenceInputStream(peeked, consumed), autoClose);
        tls.setEnabledProtocols(protocols);
        return new SipTlsSocket(raw, tls, bcjsse, autoClose, peeked, consumed, observer, null);
    }

    /** A connection {@code accepted} by a {@link SipTlsServerSocket}, with its {@code settings}. */
    static SipTlsSocket accepted(Socket accepted, SSLSocketFactory bcjsse, SSLServerSocket settings,
                                 HandshakeObserver observer) throws IOException {
        PeekedInput peeked = new PeekedInput();
        SSLSocket tls = (SSLSocket) bcjsse.createSocket(accepted, peeked, true);
        tls.setSSLParameters(settings.getSSLParameters());
        tls.setUseClientMode(settings.getUseClientMode());
        tls.setEnableSessionCreation(settings.getEnableSessionCreation());
        return new SipTlsSocket(accepted, tls, bcjsse, true, peeked, null, observer, null);
    }

    /**
     * Before a call that may run the handshake: the first one chooses how the connection runs TLS; a server's
     * then enters its connection, so that BCJSSE's session lookup knows which connection asks.
     */
    private AcceptedConnection.Scope handshaking() throws IOException {
        if (reported.get()) {
            return AcceptedConnection.Scope.NONE;
        }
        if (!begun) {
            begin();
        }
        SSLSocket tls = socket;
        if (tls.getUseClientMode() || tls instanceof EngineSocket) {
            return AcceptedConnection.Scope.NONE;
        }
        return AcceptedConnection.enter(tls, raw.getLocalPort());
    }

    private synchronized void begin() throws IOException {
        if (begun || !raw.isConnected()) {
            return;
        }
        SSLSocket tls = socket;
        String[] enabled = tls.getEnabledProtocols();
        String[] active = EnabledVersions.activeProtocols(enabled, tls.getEnabledCipherSuites());
        if (active != enabled) {
            tls.setEnabledProtocols(active);
        }
        if (!tls.getUseClientMode()) {
            if (startedMillis == 0) {
                startedMillis = System.currentTimeMillis();
                observer.serverHandshaking(tls.getEnabledCipherSuites(), tls.getEnabledProtocols());
            }
            if (peekedInput != null) {
                readHello(tls); // a timeout leaves begun unset: the next call reads on
            }
            begun = true;
            return;
        }
        try {
            startedMillis = System.currentTimeMillis();
            if (!(tls instanceof BCSSLSocket bc)) {
                return;
            }
            ClientOffers.Offer found;
            try {
                found = observer.offers().find(peerHost, raw.getPort(), tls.getSSLParameters());
            } catch (IOException e) {
                close(); // refused (fallback=fail): no handshake at all
                throw e;
            }
            if (found == null) {
                return;
            }
            offer.set(found);
            if (found.psk() != null) {
                use(new EngineSocket(observer.offers().engine(found, tls.getSSLParameters(), peerHost, raw.getPort()),
                        raw, new byte[0], autoClose, peerHost));
            } else {
                bc.setBCSessionToResume(found.session());
                tls.setEnabledProtocols(ClientOffers.TLS12_ONLY); // offered TLS 1.3, a server would not resume
            }
        } finally {
            begun = true;
        }
    }

    /**
     * Reads the ClientHello from the plain socket, and runs TLS with the PSK engine if it names a TLS 1.3 SA this
     * server may use here; otherwise BCJSSE reads the same bytes first.
     */
    private void readHello(SSLSocket tls) throws IOException {
        if (consumed != null) {
            // the application's bytes come first; BCJSSE would read them to their end before the socket's too
            byte[] before = consumed.readAllBytes();
            peekedInput.add(before, before.length);
            consumed = null;
        }
        InputStream in = raw.getInputStream();
        byte[] chunk = new byte[4096];
        while (true) {
            ClientHelloPeek.Result hello = ClientHelloPeek.peek(peekedInput.bytes());
            if (hello.verdict() == ClientHelloPeek.Verdict.NEED_MORE) {
                int n = in.read(chunk);
                if (n >= 0) {
                    peekedInput.add(chunk, n);
                    continue;
                }
            } else if (hello.verdict() == ClientHelloPeek.Verdict.PSK) {
                SSLEngine engine;
                try (AcceptedConnection.Scope scope = AcceptedConnection.enter(tls, raw.getLocalPort())) {
                    // a miss explains the full handshake BCJSSE then runs on this connection
                    engine = observer.serverPsks().engine(hello, tls.getSSLParameters(), raw.getLocalPort(),
                            raw.getInetAddress().getHostAddress(), raw.getPort());
                }
                if (engine != null) {
                    use(new EngineSocket(engine, raw, peekedInput.take(), autoClose, null));
                    return;
                }
            }
            return; // BCJSSE's to answer (end of stream included), from the first byte read
        }
    }

    /** From now on TLS runs on {@code tls}: the application's listeners and selector move to it. */
    private void use(SSLSocket tls) {
        SSLSocket before = socket;
        listeners.forEach((listener, relay) -> {
            before.removeHandshakeCompletedListener(relay);
            tls.addHandshakeCompletedListener(relay);
        });
        setSelector(tls, selector);
        socket = tls;
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
            if (offered != null && !offered.resumedBy(session)) {
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

    /** A call failed: an offered SA was not resumed; a server's PSK handshake failed (counted once). */
    private void failed(IOException e) {
        handshakeFailed(e.toString());
        if (!reported.get() && !(e instanceof SocketTimeoutException) && socket instanceof EngineSocket
                && !socket.getUseClientMode() && pskFailureCounted.compareAndSet(false, true)) {
            observer.serverPskFailed(e);
        }
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    /**
     * Connects the plain socket, then layers BCJSSE over it with the settings made so far, naming the peer by the
     * address's host string.
     */
    @Override
    public synchronized void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (raw.isConnected()) {
            throw new SocketException("already connected");
        }
        raw.connect(endpoint, timeout);
        SSLSocket settings = socket;
        InetSocketAddress address = (InetSocketAddress) endpoint;
        String host = settings.getUseClientMode() ? address.getHostString() : null;
        SSLSocket tls = (SSLSocket) bcjsse.createSocket(raw, host, address.getPort(), true);
        tls.setSSLParameters(settings.getSSLParameters());
        tls.setUseClientMode(settings.getUseClientMode());
        tls.setEnableSessionCreation(settings.getEnableSessionCreation());
        peerHost = host;
        use(tls);
        settings.close();
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        raw.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
        return raw.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return raw.getLocalAddress();
    }

    @Override
    public int getPort() {
        return raw.getPort();
    }

    @Override
    public int getLocalPort() {
        return raw.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return raw.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return raw.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return raw.getChannel();
    }

    /** Reads from the TLS socket in use, which the first read may choose. */
    @Override
    public InputStream getInputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n;
                try (AcceptedConnection.Scope scope = handshaking()) {
                    n = socket.getInputStream().read(buffer, offset, length);
                } catch (IOException e) {
                    failed(e);
                    throw e;
                }
                handshakeDone();
                return n;
            }

            @Override
            public int available() throws IOException {
                return begun ? socket.getInputStream().available() : 0;
            }

            @Override
            public void close() throws IOException {
                SipTlsSocket.this.close();
            }
        };
    }

    /** Writes to the TLS socket in use, which the first write may choose. */
    @Override
    public OutputStream getOutputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                try (AcceptedConnection.Scope scope = handshaking()) {
                    socket.getOutputStream().write(buffer, offset, length);
                } catch (IOException e) {
                    failed(e);
                    throw e;
                }
                handshakeDone();
            }

            @Override
            public void flush() throws IOException {
                if (begun) {
                    socket.getOutputStream().flush();
                }
            }

            @Override
            public void close() throws IOException {
                SipTlsSocket.this.close();
            }
        };
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        raw.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return raw.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        raw.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return raw.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        raw.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        raw.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return raw.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        raw.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return raw.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        raw.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return raw.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        raw.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return raw.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        raw.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return raw.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        raw.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return raw.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        raw.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return raw.getReuseAddress();
    }

    @Override
    public void close() throws IOException {
        handshakeFailed("the connection closed during the handshake");
        try {
            socket.close();
        } finally {
            if (autoClose) {
                raw.close(); // an unconnected socket's, which no TLS socket holds yet
            }
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        throw new UnsupportedOperationException("shutdownInput() not supported in TLS");
    }

    /**
     * Refused, as BCJSSE's own sockets refuse it: BCJSSE layered over a plain socket would shut the plain socket's
     * output without a close_notify, and Bouncy Castle's TLS 1.3 protocol closes both directions on close_notify.
     */
    @Override
    public void shutdownOutput() throws IOException {
        throw new UnsupportedOperationException("shutdownOutput() not supported in TLS");
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    @Override
    public boolean isBound() {
        return raw.isBound();
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
        raw.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        raw.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return raw.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return raw.supportedOptions();
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
            failed(e);
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
        setSelector(socket, selector);
    }

    /** The application's selector on {@code tls}, which calls it with this socket, the one the application holds. */
    private void setSelector(SSLSocket tls, BiFunction<SSLSocket, List<String>, String> selector) {
        tls.setHandshakeApplicationProtocolSelector(selector == null ? null
                : (inner, protocols) -> selector.apply(this, protocols));
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
