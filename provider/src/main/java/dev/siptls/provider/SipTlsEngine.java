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
 * BCJSSE's engine, unchanged but for four things: a client engine offers the SA-made session for its peer
 * ({@link ClientOffers}) and forgets that SA if the server does not resume it; a completed handshake is reported
 * to the {@link HandshakeObserver} (the result that carries {@code FINISHED}); a {@link RefusedHandshakeException}
 * that BCJSSE wrapped in a plain {@code SSLException} reaches the application as itself, so that its message
 * says why SIP-TLS refused the handshake, and a server engine enters itself as the {@link AcceptedConnection}
 * while its handshake may run, so that its session lookup can check an SA's binding.
 */
final class SipTlsEngine extends SSLEngine {

    private final SSLEngine engine;
    private final HandshakeObserver observer;
    private volatile BiFunction<SSLEngine, List<String>, String> selector;
    /** Whether the handshake completed (BCJSSE refuses renegotiation, so no session is looked up after). */
    private volatile boolean finished;
    /** When the handshake began (wall clock); set by {@link #begin()}. */
    private volatile long startedMillis;
    /** Whether {@link #begin()} is done: until then no call may reach BCJSSE, which would start the handshake. */
    private volatile boolean begun;
    /** The SA-made session this client engine offered, until the handshake ends. */
    private final AtomicReference<ClientOffers.Offer> offer = new AtomicReference<>();

    SipTlsEngine(SSLEngine engine, HandshakeObserver observer) {
        super(engine.getPeerHost(), engine.getPeerPort());
        this.engine = engine;
        this.observer = observer;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            return observe(engine.wrap(src, dst));
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            return observe(engine.wrap(srcs, dst));
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            return observe(engine.wrap(srcs, offset, length, dst));
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            return observe(engine.unwrap(src, dst));
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            return observe(engine.unwrap(src, dsts));
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            return observe(engine.unwrap(src, dsts, offset, length));
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    @Override
    public void beginHandshake() throws SSLException {
        try (AcceptedConnection.Scope scope = handshaking()) {
            engine.beginHandshake();
        } catch (SSLException e) {
            handshakeFailed(e.toString());
            throw unwrapRefusal(e);
        }
    }

    /**
     * Around a call that may run a server handshake: the session lookup then knows which engine asks. An engine
     * does not know the port its connection was accepted on, so only its SNI is checked against an SA's binding.
     */
    private AcceptedConnection.Scope handshaking() throws SSLException {
        if (finished) {
            return AcceptedConnection.Scope.NONE;
        }
        if (!begun) {
            begin();
        }
        if (engine.getUseClientMode()) {
            return AcceptedConnection.Scope.NONE;
        }
        return AcceptedConnection.enter(engine, -1);
    }

    /**
     * The first call that may start the handshake: a client engine finds its offer here, before BCJSSE begins. A
     * first SA for a peer may wait for the key server on this thread, outside any lock.
     */
    private synchronized void begin() throws SSLException {
        if (begun) {
            return;
        }
        try {
            startedMillis = System.currentTimeMillis();
            if (!engine.getUseClientMode()) {
                observer.serverHandshaking(engine.getEnabledCipherSuites());
                return;
            }
            if (!(engine instanceof BCSSLEngine bc)) {
                return;
            }
            ClientOffers.Offer found = observer.offers().find(engine.getPeerHost(), engine.getPeerPort(),
                    engine.getEnabledCipherSuites());
            if (found != null) {
                bc.setBCSessionToResume(found.session());
                offer.set(found);
            }
        } finally {
            begun = true;
        }
    }

    private SSLEngineResult observe(SSLEngineResult result) {
        if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
            finished = true;
            SSLSession session = engine.getSession();
            ClientOffers.Offer offered = offer.getAndSet(null);
            if (offered != null && !offered.resumedBy(session.getId())) {
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
        return engine.getDelegatedTask();
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
