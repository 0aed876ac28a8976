package dev.siptls.provider;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.bouncycastle.jsse.BCSSLEngine;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * BCJSSE's engine, unchanged but for five things: a client engine offers the SA for its peer ({@link ClientOffers}),
 * asking for it in a delegated task ({@code NEED_TASK}) where that may wait for the key server, and forgets that SA
 * if the server does not take it; a TLS 1.3 SA's handshake runs on the PSK engine ({@link Tls13PskEngine}) instead,
 * the client's from the start, a server's once its first unwrap shows a ClientHello that names a TLS 1.3 SA the
 * server holds ({@link ClientHelloPeek}); a completed handshake is reported
 * to the {@link HandshakeObserver} (the result that carries {@code FINISHED}); a {@link RefusedHandshakeException}
 * that BCJSSE wrapped in a plain {@code SSLException} reaches the application as itself, so that its message
 * says why SIP-TLS refused the handshake, and a server engine enters itself as the {@link AcceptedConnection}
 * while its handshake may run, so that its session lookup can check an SA's binding.
 */
final class SipTlsEngine extends SSLEngine {

    /** What a wrap or unwrap answers while the client's SA lookup waits to run as a delegated task. */
    private static final SSLEngineResult LOOKUP_PENDING = new SSLEngineResult(SSLEngineResult.Status.OK,
            SSLEngineResult.HandshakeStatus.NEED_TASK, 0, 0);
    /** What a server's unwrap answers until the whole ClientHello is there to choose the engine by. */
    private static final SSLEngineResult HELLO_INCOMPLETE = new SSLEngineResult(
            SSLEngineResult.Status.BUFFER_UNDERFLOW, SSLEngineResult.HandshakeStatus.NEED_UNWRAP, 0, 0);

    /** The engine in use: BCJSSE's, until the handshake turns out to be a TLS 1.3 PSK one. */
    private volatile SSLEngine engine;
    private final HandshakeObserver observer;
    /** Server side: whether the ClientHello has been looked at and the engine chosen. */
    private volatile boolean helloRead;
    private volatile BiFunction<SSLEngine, List<String>, String> selector;
    /** Whether the handshake completed (BCJSSE refuses renegotiation, so no session is looked up after). */
    private volatile boolean finished;
    /** When the handshake began (wall clock); set by {@link #begin()}. */
    private volatile long startedMillis;
    /** Whether {@link #begin()} is done: until then no call may reach BCJSSE, which would start the handshake. */
    private volatile boolean begun;
    /** The client's SA lookup, not yet handed out as a delegated task. */
    private final AtomicReference<Runnable> lookupTask = new AtomicReference<>();
    /** Whether that lookup has still to finish; the handshake status is NEED_TASK meanwhile. */
    private volatile boolean lookupPending;
    /** Whether the lookup ran as a task: until BCJSSE begins, the status is then NEED_WRAP (the ClientHello). */
    private volatile boolean lookupRan;
    /** Whether a call reached BCJSSE's engine. */
    private volatile boolean delegated;
    /** The refusal the lookup ended in ({@code fallback=fail}), thrown by every later call. */
    private volatile SSLException refusal;
    /** The SA-made session this client engine offered, until the handshake ends. */
    private final AtomicReference<ClientOffers.Offer> offer = new AtomicReference<>();

    SipTlsEngine(SSLEngine engine, HandshakeObserver observer) {
        super(engine.getPeerHost(), engine.getPeerPort());
        this.engine = engine;
        this.observer = observer;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return call(() -> engine.wrap(src, dst));
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
        return call(() -> engine.wrap(srcs, dst));
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        return call(() -> engine.wrap(srcs, offset, length, dst));
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return readingHello(src) ? HELLO_INCOMPLETE : call(() -> engine.unwrap(src, dst));
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
        return readingHello(src) ? HELLO_INCOMPLETE : call(() -> engine.unwrap(src, dsts));
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        return readingHello(src) ? HELLO_INCOMPLETE : call(() -> engine.unwrap(src, dsts, offset, length));
    }

    /**
     * Server side, before the first unwrap reaches an engine: looks at the ClientHello in {@code src} (consuming
     * nothing) and switches to the PSK engine if it names a TLS 1.3 SA this server may use; true while the hello is
     * incomplete, so that the caller reads more ({@code BUFFER_UNDERFLOW}).
     */
    private boolean readingHello(ByteBuffer src) {
        if (helloRead || engine.getUseClientMode()) {
            return false;
        }
        synchronized (this) {
            if (helloRead) {
                return false;
            }
            ClientHelloPeek.Result hello = ClientHelloPeek.peek(src);
            if (hello.verdict() == ClientHelloPeek.Verdict.NEED_MORE
                    && src.remaining() < engine.getSession().getPacketBufferSize()) {
                return true;
            }
            helloRead = true;
            if (hello.verdict() == ClientHelloPeek.Verdict.PSK) {
                SSLEngine psk;
                try (AcceptedConnection.Scope scope = AcceptedConnection.enter(engine, -1)) {
                    // a miss explains the full handshake BCJSSE then runs on this connection
                    psk = observer.serverPsks().engine(hello, engine.getSSLParameters(), -1, engine.getPeerHost(),
                            engine.getPeerPort());
                }
                if (psk != null) {
                    use(psk);
                }
            }
            return false;
        }
    }

    /** From now on the handshake runs on {@code psk}: the application's selector moves to it. */
    private void use(SSLEngine psk) {
        BiFunction<SSLEngine, List<String>, String> application = selector;
        if (application != null) {
            psk.setHandshakeApplicationProtocolSelector((inner, protocols) -> application.apply(this, protocols));
        }
        engine = psk;
    }

    @Override
    public void beginHandshake() throws SSLException {
        try {
            if (awaitingLookup()) {
                return; // the first wrap after the lookup task begins the handshake
            }
            try (AcceptedConnection.Scope scope = handshaking()) {
                delegated = true;
                engine.beginHandshake();
            }
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    /** A wrap or unwrap of BCJSSE's engine. */
    @FunctionalInterface
    private interface Call {
        SSLEngineResult run() throws SSLException;
    }

    /** Runs {@code call} on BCJSSE's engine, unless the client's SA lookup is still to run as a delegated task. */
    private SSLEngineResult call(Call call) throws SSLException {
        try {
            if (awaitingLookup()) {
                return LOOKUP_PENDING;
            }
            try (AcceptedConnection.Scope scope = handshaking()) {
                delegated = true;
                return observe(call.run());
            }
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            if (!finished && engine instanceof Tls13PskEngine && !engine.getUseClientMode()) {
                observer.serverPskFailed(e);
            }
            throw unwrapRefusal(e);
        }
    }

    /**
     * Whether the client's SA lookup waits to be run as a delegated task (then nothing may reach BCJSSE yet); throws
     * the refusal the lookup ended in under {@code fallback=fail}.
     */
    private boolean awaitingLookup() throws SSLException {
        if (!begun && !lookupPending) {
            begin();
        }
        if (lookupPending) {
            return true;
        }
        SSLException refused = refusal;
        if (refused != null) {
            throw refused;
        }
        return false;
    }

    /**
     * Around a call that may run a server handshake: the session lookup then knows which engine asks. An engine
     * does not know the port its connection was accepted on, so only its SNI is checked against an SA's binding.
     */
    private AcceptedConnection.Scope handshaking() throws SSLException {
        if (finished || engine.getUseClientMode() || !(engine instanceof BCSSLEngine)) {
            return AcceptedConnection.Scope.NONE;
        }
        return AcceptedConnection.enter(engine, -1);
    }

    /**
     * The first call that may start the handshake. A client engine finds its offer here, before BCJSSE begins: at
     * once if its SA is held (or none can be had), else in a delegated task ({@link #getDelegatedTask}), since the
     * first SA for a peer may wait for the key server, which an engine's caller (an event loop) must not.
     */
    private synchronized void begin() {
        if (begun || lookupPending) {
            return;
        }
        startedMillis = System.currentTimeMillis();
        if (engine instanceof BCSSLEngine) {
            String[] enabled = engine.getEnabledProtocols();
            String[] active = EnabledVersions.activeProtocols(enabled, engine.getEnabledCipherSuites());
            if (active != enabled) {
                engine.setEnabledProtocols(active);
            }
        }
        if (!engine.getUseClientMode()) {
            observer.serverHandshaking(engine.getEnabledCipherSuites(), engine.getEnabledProtocols());
            begun = true;
            return;
        }
        if (!(engine instanceof BCSSLEngine bc)) {
            begun = true;
            return;
        }
        String host = engine.getPeerHost();
        int port = engine.getPeerPort();
        SSLParameters parameters = engine.getSSLParameters();
        if (observer.offers().mayWait(host, port, parameters.getCipherSuites(), parameters.getProtocols())) {
            lookupPending = true;
            lookupRan = true;
            lookupTask.set(() -> lookUp(bc, host, port, parameters));
        } else {
            lookUp(bc, host, port, parameters);
        }
    }

    /**
     * Finds the client's offer: a TLS 1.3 PSK switches to the PSK engine, a TLS 1.2 session goes to BCJSSE; a refusal
     * ({@code fallback=fail}) waits for the next call.
     */
    private void lookUp(BCSSLEngine bc, String host, int port, SSLParameters parameters) {
        try {
            ClientOffers.Offer found = observer.offers().find(host, port, parameters);
            if (found != null) {
                offer.set(found);
                if (found.psk() != null) {
                    use(observer.offers().engine(found, parameters, host, port));
                } else {
                    bc.setBCSessionToResume(found.session());
                    ((SSLEngine) bc).setEnabledProtocols(ClientOffers.TLS12_ONLY); // with TLS 1.3 too, a server would not resume
                }
            }
        } catch (SSLException e) {
            refusal = e;
        } finally {
            begun = true;
            lookupPending = false;
        }
    }

    private SSLEngineResult observe(SSLEngineResult result) {
        if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
            finished = true;
            SSLSession session = engine.getSession();
            ClientOffers.Offer offered = offer.getAndSet(null);
            if (offered != null && !offered.resumedBy(session)) {
                observer.offers().notResumed(offered, "the server answered with another session");
            }
            observer.completed(session, engine.getUseClientMode(), startedMillis);
        }
        return result;
    }

    /** A call failed or the engine closed before the handshake completed: an offered SA was not resumed. */
    private void handshakeFailed(String how) {
        if (finished) {
            return;
        }
        ClientOffers.Offer offered = offer.getAndSet(null);
        if (offered != null) {
            observer.offers().notResumed(offered, how);
        }
    }

    private static SSLException unwrapRefusal(SSLException e) {
        return e.getCause() instanceof RefusedHandshakeException refused ? refused : e;
    }

    @Override
    public Runnable getDelegatedTask() {
        Runnable lookup = lookupTask.getAndSet(null);
        return lookup != null ? lookup : engine.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
        handshakeFailed("the connection closed during the handshake");
        engine.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        handshakeFailed("the engine was closed during the handshake");
        engine.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
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
    public SSLSession getSession() {
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        if (lookupPending) {
            return SSLEngineResult.HandshakeStatus.NEED_TASK;
        }
        if (lookupRan && !delegated) {
            return SSLEngineResult.HandshakeStatus.NEED_WRAP;
        }
        return engine.getHandshakeStatus();
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
    public void setSSLParameters(SSLParameters parameters) {
        engine.setSSLParameters(parameters);
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        // BCJSSE calls the selector with its own engine; the application expects the one it holds
        this.selector = selector;
        engine.setHandshakeApplicationProtocolSelector(selector == null ? null
                : (bcjsseEngine, protocols) -> selector.apply(this, protocols));
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return selector;
    }

    @Override
    public String toString() {
        return "SipTlsEngine[" + engine + "]";
    }
}
