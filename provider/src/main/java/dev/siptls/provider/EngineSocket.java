package dev.siptls.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BiFunction;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * An {@link SSLSocket} that runs any {@link SSLEngine} over an already connected plain socket, so that code
 * written for sockets gets a connection whose TLS is an engine's (SIP-TLS's TLS 1.3 PSK engine, built on Bouncy
 * Castle's non-blocking protocol classes, has no socket of its own). Client or server mode is the engine's.
 *
 * <p>It behaves as SunJSSE's socket does: the handshake runs on the first {@link #startHandshake()}, read, write
 * or {@link #getSession()}, once, even when several threads start it together; delegated tasks run inline; reads
 * honour SO_TIMEOUT without breaking the connection; close_notify, and EOF after the handshake (SunJSSE's default
 * unless {@code com.sun.net.ssl.requireCloseNotify} is set), read as -1; EOF during the handshake is "Remote host
 * terminated the handshake"; an engine error sends the engine's alert, closes the socket and is thrown. One
 * thread may read while another writes ({@link EngineTransport} says how).
 *
 * <p>Differences from SunJSSE: {@link HandshakeCompletedListener}s run on the thread that completed the
 * handshake, after it let go of every lock (SunJSSE starts a thread per handshake); a listener that throws is
 * logged and does not fail the call. {@link #startHandshake()} after the initial handshake does nothing (SunJSSE
 * would start a TLS 1.3 KeyUpdate or a TLS 1.2 renegotiation). Socket options and addresses are the plain
 * socket's; {@link #connect} and {@link #bind} refuse, the socket being connected already.
 */
final class EngineSocket extends SSLSocket {

    private static final System.Logger LOG = System.getLogger(EngineSocket.class.getName());

    private final Socket plain;
    private final SSLEngine engine;
    private final EngineTransport transport;
    private final String peerHost;
    private final Set<HandshakeCompletedListener> listeners = new CopyOnWriteArraySet<>();
    private volatile BiFunction<SSLSocket, List<String>, String> selector;
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    /**
     * @param engine      configured, its handshake not begun; its mode decides client or server
     * @param plain       connected; this socket owns its streams from now on
     * @param alreadyRead bytes the caller read from {@code plain} already (a peeked ClientHello), unwrapped
     *                    first; may be empty
     * @param autoClose   whether closing this socket closes {@code plain} (as {@code SSLSocketFactory.createSocket(
     *                    Socket, String, int, boolean)})
     * @param peerHost    the host the application named for the peer, for {@link #toString()}; may be null
     */
    EngineSocket(SSLEngine engine, Socket plain, byte[] alreadyRead, boolean autoClose, String peerHost)
            throws IOException {
        this.engine = engine;
        this.plain = plain;
        this.peerHost = peerHost;
        this.transport = new EngineTransport(engine, plain, alreadyRead, autoClose, this::handshakeCompleted);
    }

    private void handshakeCompleted() {
        if (listeners.isEmpty()) {
            return;
        }
        HandshakeCompletedEvent event = new HandshakeCompletedEvent(this, engine.getSession());
        for (HandshakeCompletedListener listener : listeners) {
            try {
                listener.handshakeCompleted(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a HandshakeCompletedListener failed", e);
            }
        }
    }

    // ---- TLS ----

    @Override
    public void startHandshake() throws IOException {
        transport.handshake();
    }

    /** Completes the handshake first, as SunJSSE does; a failed or closed one gives the engine's (null) session. */
    @Override
    public SSLSession getSession() {
        if (!transport.handshakeDone() && !transport.isClosed() && !transport.isBroken()) {
            try {
                transport.handshake();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "handshake failed", e);
            }
        }
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        listeners.add(listener);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        if (!listeners.remove(listener)) {
            throw new IllegalArgumentException("listener not registered"); // as SSLSocket documents
        }
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return engine.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return engine.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        engine.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return engine.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return engine.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        engine.setEnabledProtocols(protocols);
    }

    @Override
    public void setUseClientMode(boolean mode) {
        engine.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return engine.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        engine.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return engine.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        engine.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return engine.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        engine.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return engine.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return engine.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        engine.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    /** The engine asks with itself; the application's selector is given this socket instead. */
    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> selector) {
        this.selector = selector;
        engine.setHandshakeApplicationProtocolSelector(selector == null ? null
                : (ignored, offered) -> selector.apply(this, offered));
    }

    @Override
    public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return selector;
    }

    // ---- streams and closing ----

    @Override
    public InputStream getInputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (transport.inboundDone() || isInputShutdown()) {
            throw new SocketException("Socket input is already shutdown");
        }
        return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (engine.isOutboundDone() || isOutputShutdown()) {
            throw new SocketException("Socket output is already shutdown");
        }
        return output;
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        transport.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        transport.shutdownOutput();
    }

    @Override
    public boolean isClosed() {
        return transport.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return transport.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return transport.isOutputShutdown();
    }

    private final class Input extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            synchronized (one) {
                return transport.read(one, 0, 1) <= 0 ? -1 : one[0] & 0xFF;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return transport.read(b, off, len);
        }

        @Override
        public int available() {
            return transport.available();
        }

        @Override
        public void close() throws IOException {
            EngineSocket.this.close();
        }
    }

    private final class Output extends OutputStream {
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) throws IOException {
            synchronized (one) {
                one[0] = (byte) b;
                transport.write(one, 0, 1);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            transport.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            EngineSocket.this.close();
        }
    }

    // ---- the plain socket's ----

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        throw new SocketException("Already connected");
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        throw new SocketException("Already connected");
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        throw new SocketException("Already bound");
    }

    @Override
    public boolean isConnected() {
        return plain.isConnected();
    }

    @Override
    public boolean isBound() {
        return plain.isBound();
    }

    /** As SunJSSE's: a TLS socket has no channel. */
    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public InetAddress getInetAddress() {
        return plain.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return plain.getLocalAddress();
    }

    @Override
    public int getPort() {
        return plain.getPort();
    }

    @Override
    public int getLocalPort() {
        return plain.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return plain.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return plain.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        plain.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return plain.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        plain.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return plain.getSoLinger();
    }

    /** As SunJSSE's: urgent data would bypass TLS. */
    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("This method is not supported by SSLSockets");
    }

    /** As SunJSSE's: OOBINLINE cannot be turned on under TLS. */
    @Override
    public void setOOBInline(boolean on) throws SocketException {
        throw new SocketException("This method is ineffective, since sending urgent data is not supported by "
                + "SSLSockets");
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return plain.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        plain.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return plain.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        plain.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return plain.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        plain.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return plain.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        plain.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return plain.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        plain.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return plain.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        plain.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return plain.getReuseAddress();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        plain.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        plain.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return plain.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return plain.supportedOptions();
    }

    /** Mode, peer, ports and, once negotiated, protocol and suite: never keys or session ids. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("EngineSocket[")
                .append(engine.getUseClientMode() ? "client" : "server")
                .append(", peer=").append(Objects.requireNonNullElse(peerHost, String.valueOf(plain.getInetAddress())))
                .append(':').append(plain.getPort())
                .append(", local port=").append(plain.getLocalPort());
        if (transport.handshakeDone()) {
            SSLSession session = engine.getSession();
            text.append(", ").append(session.getProtocol()).append(' ').append(session.getCipherSuite());
        } else {
            text.append(", not negotiated");
        }
        return text.append(isClosed() ? ", closed]" : "]").toString();
    }
}
