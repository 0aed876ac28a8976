package dev.siptls.provider;

import dev.siptls.protocol.CipherSuites;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.function.BiFunction;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.ContentType;
import org.bouncycastle.tls.RecordFormat;
import org.bouncycastle.tls.RecordPreview;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.util.IPAddress;

/**
 * An {@link SSLEngine} for one TLS 1.3 connection authenticated by an external PSK with {@code psk_dhe_ke}
 * (RFC 8446 §4.2.11), over BC's non-blocking {@code TlsClientProtocol}/{@code TlsServerProtocol}: BCJSSE has no
 * PSK hook, and its low-level API has. It behaves as BCJSSE's engine does (one record per unwrap, tasks never
 * delegated, wrap and unwrap serialised on the engine), with the statuses SunJSSE gives.
 *
 * <p>Client or server mode is fixed at construction. The PSK's association supplies the session's certificates,
 * already validated by the caller. Completion: the result carrying {@code FINISHED}, or {@link
 * #handshakeComplete()}; failure: the {@link SSLHandshakeException} from wrap/unwrap, also kept as {@link
 * #handshakeFailure()}.
 *
 * <p>A client made with a {@link CertificateFallback} also allows a full certificate-based handshake in its
 * ClientHello, TLS 1.3, and TLS 1.2 too if its parameters enable it; if the server declines the PSK, or speaks only
 * TLS 1.2, that handshake completes with the application's trust and key managers and its own session (real
 * certificates, the negotiated protocol and suite, a fresh id, no SA's association), so a declined PSK costs one full
 * handshake, as a declined TLS 1.2 SA does. Without one, a declined PSK fails the handshake with a {@link
 * PskDeclinedException}.
 */
final class Tls13PskEngine extends SSLEngine {

    private static final System.Logger LOG = System.getLogger(Tls13PskEngine.class.getName());
    private static final String PROTOCOL = "TLSv1.3";
    private static final String TLS12 = "TLSv1.2";

    private final boolean clientMode;
    private final ExternalPsk psk;
    private final TlsCrypto crypto;
    private final CertificateFallback fallback;
    private SSLParameters parameters;
    /** The suites the application enabled, of any protocol; null: JSSE's default. */
    private String[] requestedSuites;
    /** Whether a client that can fall back also offers TLS 1.2 (the connection enables it). */
    private boolean tls12;
    private BiFunction<SSLEngine, List<String>, String> selector;
    private boolean enableSessionCreation = true;

    private TlsProtocol protocol;
    private PskPeer peer;
    private boolean begun;
    private boolean closedEarly;
    private boolean returnedFinished;
    private boolean completeLogged;
    private final PskSession session;
    private final PskSession noSession;
    private SSLException failure;

    private Tls13PskEngine(boolean clientMode, ExternalPsk psk, SSLParameters parameters, String peerHost,
            int peerPort, TlsCrypto crypto, BiFunction<SSLEngine, List<String>, String> selector,
            CertificateFallback fallback) {
        super(peerHost, peerPort);
        this.clientMode = clientMode;
        this.psk = Objects.requireNonNull(psk, "psk");
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.fallback = fallback;
        this.requestedSuites = parameters == null ? null : parameters.getCipherSuites();
        this.tls12 = fallback != null && parameters != null && enablesTls12(parameters.getProtocols());
        this.parameters = copy(parameters);
        this.selector = selector;
        SecureRandom random = crypto.getSecureRandom();
        this.session = PskSession.of(psk, peerHost, peerPort, random);
        this.noSession = PskSession.none(peerHost, peerPort);
    }

    /**
     * A client engine that offers {@code psk} (TLS 1.3, its suite, {@code psk_dhe_ke}, x25519), with SNI and ALPN
     * from {@code parameters} (SNI by default from {@code peerHost}, as JSSE).
     */
    static Tls13PskEngine client(ExternalPsk psk, SSLParameters parameters, String peerHost, int peerPort,
            TlsCrypto crypto) {
        return new Tls13PskEngine(true, psk, parameters, peerHost, peerPort, crypto, null, null);
    }

    /**
     * The same, falling back to a full handshake with {@code fallback}'s managers if the server declines the PSK;
     * the ClientHello then also offers the TLS 1.3 suites {@code parameters} enable, after the PSK's, and, if they
     * enable TLS 1.2, TLS 1.2 with its suites they enable, last (for a server that speaks only TLS 1.2).
     */
    static Tls13PskEngine client(ExternalPsk psk, SSLParameters parameters, String peerHost, int peerPort,
            TlsCrypto crypto, CertificateFallback fallback) {
        return new Tls13PskEngine(true, psk, parameters, peerHost, peerPort, crypto, null,
                Objects.requireNonNull(fallback, "fallback"));
    }

    /**
     * A server engine that completes only a handshake with {@code psk}; {@code selector} (may be null) chooses
     * ALPN as {@link SSLEngine#setHandshakeApplicationProtocolSelector} does.
     */
    static Tls13PskEngine server(ExternalPsk psk, SSLParameters parameters, String peerHost, int peerPort,
            TlsCrypto crypto, BiFunction<SSLEngine, List<String>, String> selector) {
        return new Tls13PskEngine(false, psk, parameters, peerHost, peerPort, crypto, selector, null);
    }

    // ---- what the SIP-TLS layers above read

    /** Whether the handshake completed (with the PSK, or a full one in its place). */
    synchronized boolean handshakeComplete() {
        return peer != null && peer.handshake().complete();
    }

    /** Whether the handshake completed with a full handshake because the server declined the PSK (or spoke TLS 1.2). */
    synchronized boolean fellBack() {
        return peer != null && peer.fullSession() != null;
    }

    /** The exception the handshake failed with, or null. */
    synchronized SSLException handshakeFailure() {
        return failure;
    }

    ExternalPsk externalPsk() {
        return psk;
    }

    /**
     * The PSK's session becomes the SA's ({@link PskSession#associate}); before the handshake. It is the engine's
     * session only if the PSK is used: a full handshake in its place has a session of its own, no SA's.
     */
    Tls13PskEngine associate(String associationId, Runnable invalidated) {
        session.associate(associationId, invalidated);
        return this;
    }

    // ---- handshake

    @Override
    public synchronized void beginHandshake() throws SSLException {
        if (closedEarly) {
            throw new SSLException("the engine is closed");
        }
        if (begun) {
            // TLS 1.3 has no renegotiation; a second call during or after the handshake changes nothing.
            return;
        }
        if (psk.isDestroyed()) {
            throw new SSLHandshakeException("the SIP-TLS PSK of this connection was destroyed");
        }
        begun = true;
        try {
            List<String> alpn = parameters.getApplicationProtocols() == null ? List.of()
                    : Arrays.asList(parameters.getApplicationProtocols());
            if (clientMode) {
                List<SNIServerName> names = serverNames();
                session.setRequestedServerNames(names);
                PskTlsClient client = new PskTlsClient(crypto, psk, alpn, names, fallback());
                TlsClientProtocol clientProtocol = new TlsClientProtocol();
                protocol = clientProtocol;
                peer = client;
                clientProtocol.connect(client);
            } else {
                PskTlsServer server = new PskTlsServer(crypto, psk, alpn,
                        selector == null ? null : offered -> selector.apply(this, offered),
                        session::setRequestedServerNames);
                TlsServerProtocol serverProtocol = new TlsServerProtocol();
                protocol = serverProtocol;
                peer = server;
                serverProtocol.accept(server);
            }
        } catch (IOException e) {
            throw failed(e, true);
        }
    }

    /** What a declined PSK falls back to, or null. */
    private PskTlsClient.Fallback fallback() {
        if (fallback == null) {
            return null;
        }
        String[] enabled = enabledSuites();
        List<Tls13Suite> suites = Arrays.stream(enabled).map(Tls13Suite::named)
                .flatMap(java.util.Optional::stream).toList();
        List<Integer> tls12Suites = !tls12 ? List.of() : Arrays.stream(enabled).map(Tls12Suites::code)
                .flatMap(java.util.Optional::stream).toList();
        JcaTlsCrypto signing = crypto instanceof JcaTlsCrypto jca ? jca : Bouncy.CRYPTO.create(crypto.getSecureRandom());
        return new PskTlsClient.Fallback(fallback, suites, tls12Suites, this,
                (protocol, suite, serverSessionId) -> PskSession.full(protocol, suite, serverSessionId, getPeerHost(),
                        getPeerPort(), crypto.getSecureRandom()), signing);
    }

    /**
     * The parameters' server names; if unset, the peer host when it is a dotted name, not an IP address (what
     * SunJSSE and BCJSSE send by default, unless {@code jsse.enableSNIExtension=false}).
     */
    private List<SNIServerName> serverNames() {
        if (parameters.getServerNames() != null) {
            return parameters.getServerNames();
        }
        String host = getPeerHost();
        if (host != null && host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (!Boolean.parseBoolean(System.getProperty("jsse.enableSNIExtension", "true"))
                || host == null || host.indexOf('.') <= 0 || IPAddress.isValid(host)) {
            return List.of();
        }
        try {
            return List.of(new SNIHostName(host));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    @Override
    public synchronized HandshakeStatus getHandshakeStatus() {
        if (protocol != null) {
            if (protocol.getAvailableOutputBytes() > 0) {
                return HandshakeStatus.NEED_WRAP;
            }
            if (protocol.isHandshaking()) {
                return HandshakeStatus.NEED_UNWRAP;
            }
        }
        return HandshakeStatus.NOT_HANDSHAKING;
    }

    @Override
    public Runnable getDelegatedTask() {
        return null;
    }

    // ---- wrap

    @Override
    public synchronized SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
            throws SSLException {
        checkBuffers(srcs, offset, length);
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (closedEarly) {
            return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, 0);
        }
        if (!begun) {
            beginHandshake();
        }

        int available = protocol.getAvailableOutputBytes();
        if (available > 0) {
            // Pending records (handshake, alerts, KeyUpdate): all if they fit, else at least the first one.
            int produced = available;
            if (dst.remaining() < available) {
                produced = protocol.previewOutputRecord();
                if (dst.remaining() < produced) {
                    return new SSLEngineResult(Status.BUFFER_OVERFLOW, HandshakeStatus.NEED_WRAP, 0, 0);
                }
            }
            protocol.readOutput(dst, produced);
            if (produced < available) {
                return new SSLEngineResult(status(), HandshakeStatus.NEED_WRAP, 0, produced);
            }
            return new SSLEngineResult(status(), statusAfterCall(), 0, produced);
        }
        if (protocol.isConnected()) {
            return wrapApplicationData(srcs, offset, length, dst);
        }
        return new SSLEngineResult(status(), statusAfterCall(), 0, 0);
    }

    /** At most one record of application data per call, as BCJSSE and SunJSSE do. */
    private SSLEngineResult wrapApplicationData(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
            throws SSLException {
        int pending = remaining(srcs, offset, length, protocol.getApplicationDataLimit());
        if (pending == 0) {
            return new SSLEngineResult(Status.OK, statusAfterCall(), 0, 0);
        }
        try {
            RecordPreview preview = protocol.previewOutputRecord(pending);
            if (dst.remaining() < preview.getRecordSize()) {
                return new SSLEngineResult(Status.BUFFER_OVERFLOW, HandshakeStatus.NOT_HANDSHAKING, 0, 0);
            }
            byte[] plaintext = new byte[preview.getContentLimit()];
            int consumed = 0;
            for (int i = offset; i < offset + length && consumed < plaintext.length; i++) {
                int count = Math.min(srcs[i].remaining(), plaintext.length - consumed);
                srcs[i].get(plaintext, consumed, count);
                consumed += count;
            }
            protocol.writeApplicationData(plaintext, 0, consumed);
            Arrays.fill(plaintext, (byte) 0);
            int produced = protocol.readOutput(dst, protocol.getAvailableOutputBytes());
            return new SSLEngineResult(status(), statusAfterCall(), consumed, produced);
        } catch (IOException e) {
            throw failed(e, false);
        }
    }

    // ---- unwrap

    @Override
    public synchronized SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
            throws SSLException {
        Objects.requireNonNull(src, "src");
        checkBuffers(dsts, offset, length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
        }
        if (!begun && !closedEarly) {
            beginHandshake();
        }
        if (protocol != null && protocol.getAvailableInputBytes() > 0) {
            // Plaintext a previous call could not hand over (BC decrypted more than that call had room for).
            if (remaining(dsts, offset, length, 1) == 0) {
                return new SSLEngineResult(Status.BUFFER_OVERFLOW, getHandshakeStatus(), 0, 0);
            }
            int produced = drain(dsts, offset, length);
            return new SSLEngineResult(Status.OK, statusAfterCall(), 0, produced);
        }
        HandshakeStatus initial = getHandshakeStatus();
        if (isInboundDone()) {
            return new SSLEngineResult(Status.CLOSED, initial, 0, 0);
        }
        if (initial == HandshakeStatus.NEED_WRAP && !protocol.isConnected()) {
            return new SSLEngineResult(Status.OK, initial, 0, 0);
        }
        boolean handshaking = !protocol.isConnected();
        int consumed = 0;
        try {
            if (src.remaining() < RecordFormat.FRAGMENT_OFFSET) {
                return new SSLEngineResult(Status.BUFFER_UNDERFLOW, initial, 0, 0);
            }
            byte[] header = new byte[RecordFormat.FRAGMENT_OFFSET];
            src.get(src.position(), header);
            RecordPreview preview = protocol.previewInputRecord(header);
            if (src.remaining() < preview.getRecordSize()) {
                return new SSLEngineResult(Status.BUFFER_UNDERFLOW, initial, 0, 0);
            }
            if (!handshaking && header[0] == ContentType.application_data
                    && remaining(dsts, offset, length, preview.getContentLimit()) < preview.getContentLimit()) {
                return new SSLEngineResult(Status.BUFFER_OVERFLOW, initial, 0, 0);
            }
            byte[] record = new byte[preview.getRecordSize()];
            src.get(record);
            consumed = record.length;
            protocol.offerInput(record);
        } catch (IOException e) {
            throw failed(e, handshaking);
        }
        int produced = drain(dsts, offset, length);
        return new SSLEngineResult(status(), statusAfterCall(), consumed, produced);
    }

    private int drain(ByteBuffer[] dsts, int offset, int length) {
        int produced = 0;
        for (int i = offset; i < offset + length && protocol.getAvailableInputBytes() > 0; i++) {
            produced += protocol.readInput(dsts[i], Math.min(dsts[i].remaining(), protocol.getAvailableInputBytes()));
        }
        return produced;
    }

    // ---- closing

    @Override
    public synchronized void closeOutbound() {
        if (protocol == null) {
            closedEarly = true;
            return;
        }
        try {
            protocol.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the TLS 1.3 PSK connection failed: {0}", e.toString());
        }
    }

    @Override
    public synchronized boolean isOutboundDone() {
        return closedEarly || (protocol != null && protocol.isClosed() && protocol.getAvailableOutputBytes() == 0);
    }

    /**
     * As SunJSSE: closing before the peer's close_notify throws, and closes all the same. BC knows no half-closed
     * connection, so this also closes outbound (close_notify on the next wrap).
     */
    @Override
    public synchronized void closeInbound() throws SSLException {
        if (isInboundDone()) {
            return;
        }
        if (protocol == null) {
            closedEarly = true;
            return;
        }
        try {
            protocol.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the TLS 1.3 PSK connection failed: {0}", e.toString());
        }
        throw new SSLException("closing inbound before receiving peer's close_notify");
    }

    @Override
    public synchronized boolean isInboundDone() {
        return closedEarly || (protocol != null && protocol.isClosed() && protocol.getAvailableInputBytes() == 0);
    }

    // ---- sessions and parameters

    @Override
    public synchronized SSLSession getSession() {
        return handshakeComplete() ? current() : noSession;
    }

    @Override
    public synchronized SSLSession getHandshakeSession() {
        return begun && protocol != null && protocol.isHandshaking() ? current() : null;
    }

    /** The PSK's session, or the full handshake's once the server declined the PSK. */
    private PskSession current() {
        PskSession full = peer == null ? null : peer.fullSession();
        return full != null ? full : session;
    }

    @Override
    public synchronized String getApplicationProtocol() {
        return handshakeComplete() ? peer.handshake().applicationProtocol() : null;
    }

    @Override
    public synchronized String getHandshakeApplicationProtocol() {
        return protocol != null && protocol.isHandshaking() ? peer.handshake().applicationProtocol() : null;
    }

    @Override
    public synchronized void setHandshakeApplicationProtocolSelector(
            BiFunction<SSLEngine, List<String>, String> selector) {
        this.selector = selector;
    }

    @Override
    public synchronized BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return selector;
    }

    @Override
    public synchronized SSLParameters getSSLParameters() {
        return copy(parameters);
    }

    /**
     * Takes everything; protocols and suites as {@link #setEnabledProtocols} and {@link #setEnabledCipherSuites} do
     * (null ones leave them as they are, as JSSE).
     */
    @Override
    public synchronized void setSSLParameters(SSLParameters parameters) {
        if (parameters.getCipherSuites() != null) {
            requestedSuites = parameters.getCipherSuites();
        }
        if (parameters.getProtocols() != null) {
            tls12 = fallback != null && enablesTls12(parameters.getProtocols());
        }
        this.parameters = copy(parameters);
    }

    private static boolean enablesTls12(String[] protocols) {
        return protocols != null && Arrays.asList(protocols).contains(TLS12);
    }

    private SSLParameters copy(SSLParameters from) {
        SSLParameters to = new SSLParameters(enabledSuites(), getEnabledProtocols());
        if (from == null) {
            return to;
        }
        to.setAlgorithmConstraints(from.getAlgorithmConstraints());
        to.setEndpointIdentificationAlgorithm(from.getEndpointIdentificationAlgorithm());
        if (from.getServerNames() != null) {
            to.setServerNames(from.getServerNames());
        }
        if (from.getSNIMatchers() != null) {
            to.setSNIMatchers(from.getSNIMatchers());
        }
        to.setUseCipherSuitesOrder(from.getUseCipherSuitesOrder());
        to.setEnableRetransmissions(from.getEnableRetransmissions());
        to.setMaximumPacketSize(from.getMaximumPacketSize());
        to.setApplicationProtocols(from.getApplicationProtocols());
        if (from.getNeedClientAuth()) {
            to.setNeedClientAuth(true);
        } else if (from.getWantClientAuth()) {
            to.setWantClientAuth(true);
        }
        return to;
    }

    /** The TLS 1.3 suites; for a client that can fall back, also the TLS 1.2 ones SIP-TLS knows and BC implements. */
    @Override
    public String[] getSupportedCipherSuites() {
        Stream<String> tls12 = fallback == null ? Stream.empty()
                : CipherSuites.names().stream().filter(name -> !CipherSuites.isTls13(name))
                        .filter(name -> Tls12Suites.code(name).isPresent());
        return Stream.concat(Arrays.stream(Tls13Suite.values()).map(Tls13Suite::name), tls12).toArray(String[]::new);
    }

    @Override
    public synchronized String[] getEnabledCipherSuites() {
        return enabledSuites();
    }

    /** The PSK's suite stays first and enabled: the PSK is bound to it. */
    @Override
    public synchronized void setEnabledCipherSuites(String[] suites) {
        Objects.requireNonNull(suites, "suites");
        requestedSuites = suites.clone();
        parameters.setCipherSuites(enabledSuites());
    }

    /**
     * The suites of a ClientHello: the PSK's, then, for a client that can fall back, the other TLS 1.3 suites the
     * application enabled, then, if TLS 1.2 is enabled too, its TLS 1.2 ones (by default: all TLS 1.3 suites, and
     * the TLS 1.2 ones SIP-TLS issues by default, AEAD with (EC)DHE).
     */
    private String[] enabledSuites() {
        if (fallback == null) {
            return new String[] {psk.suiteName()};
        }
        List<String> suites = new java.util.ArrayList<>();
        suites.add(psk.suiteName());
        String[] from = requestedSuites != null ? requestedSuites : Arrays.stream(getSupportedCipherSuites())
                .filter(CipherSuites::isAeadWithForwardSecrecy).toArray(String[]::new);
        for (String suite : from) {
            if (Tls13Suite.named(suite).isPresent() && !suites.contains(suite)) {
                suites.add(suite);
            }
        }
        if (tls12) {
            for (String suite : from) {
                if (Tls12Suites.code(suite).isPresent() && !suites.contains(suite)) {
                    suites.add(suite);
                }
            }
        }
        return suites.toArray(new String[0]);
    }

    /** TLS 1.3; for a client that can fall back, TLS 1.2 too. */
    @Override
    public String[] getSupportedProtocols() {
        return fallback == null ? new String[] {PROTOCOL} : new String[] {PROTOCOL, TLS12};
    }

    @Override
    public synchronized String[] getEnabledProtocols() {
        return tls12 ? new String[] {PROTOCOL, TLS12} : new String[] {PROTOCOL};
    }

    /**
     * TLS 1.3 stays enabled: the PSK is a TLS 1.3 thing. A client that can fall back offers TLS 1.2 too if
     * {@code protocols} has it; other versions are ignored.
     */
    @Override
    public synchronized void setEnabledProtocols(String[] protocols) {
        Objects.requireNonNull(protocols, "protocols");
        tls12 = fallback != null && enablesTls12(protocols);
        parameters.setProtocols(getEnabledProtocols());
    }

    @Override
    public synchronized void setUseClientMode(boolean mode) {
        if (mode != clientMode) {
            throw new IllegalArgumentException("this TLS 1.3 PSK engine is a " + (clientMode ? "client" : "server")
                    + " engine; its mode is fixed");
        }
    }

    @Override
    public boolean getUseClientMode() {
        return clientMode;
    }

    @Override
    public synchronized void setNeedClientAuth(boolean need) {
        parameters.setNeedClientAuth(need);
    }

    @Override
    public synchronized boolean getNeedClientAuth() {
        return parameters.getNeedClientAuth();
    }

    @Override
    public synchronized void setWantClientAuth(boolean want) {
        parameters.setWantClientAuth(want);
    }

    @Override
    public synchronized boolean getWantClientAuth() {
        return parameters.getWantClientAuth();
    }

    /** Kept for the getter only: a PSK handshake creates no resumable session. */
    @Override
    public synchronized void setEnableSessionCreation(boolean flag) {
        this.enableSessionCreation = flag;
    }

    @Override
    public synchronized boolean getEnableSessionCreation() {
        return enableSessionCreation;
    }

    // ---- helpers

    private Status status() {
        return protocol.isClosed() ? Status.CLOSED : Status.OK;
    }

    /** The handshake status after a wrap or unwrap: FINISHED once, on the call that completed the handshake. */
    private HandshakeStatus statusAfterCall() {
        HandshakeStatus status = getHandshakeStatus();
        if (status == HandshakeStatus.NOT_HANDSHAKING && !returnedFinished && peer.handshake().complete()) {
            returnedFinished = true;
            PskSession completed = current();
            completed.accessed(System.currentTimeMillis());
            LOG.log(System.Logger.Level.DEBUG, "{0} {1} handshake complete ({2}, {3})", completed.getProtocol(),
                    completed == session ? "PSK" : "full (the server declined the PSK)",
                    clientMode ? "client" : "server", completed.getCipherSuite());
            return HandshakeStatus.FINISHED;
        }
        return status;
    }

    /** The exception for a failure BC reported; BC has queued the alert to send, if any, for the next wrap. */
    private SSLException failed(IOException e, boolean handshaking) {
        if (peer != null) {
            peer.handshake().destroyKey();
        }
        SSLException result;
        RefusedHandshakeException refused = refusal(e);
        if (refused != null) {
            // fallback=fail refused the full handshake in the PSK's place: the application gets the reason as is
            if (handshaking && failure == null) {
                failure = refused;
            }
            return refused;
        }
        if (peer != null && peer.declined()) {
            result = new PskDeclinedException(PskTlsClient.DECLINED);
        } else {
            String message = describe(e);
            result = handshaking ? new SSLHandshakeException(message) : new SSLException(message);
        }
        result.initCause(e);
        if (handshaking && failure == null) {
            failure = result;
        }
        LOG.log(System.Logger.Level.DEBUG, "TLS 1.3 PSK {0} failed: {1}", clientMode ? "client" : "server",
                result.getMessage());
        return result;
    }

    private static RefusedHandshakeException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RefusedHandshakeException refused) {
                return refused;
            }
        }
        return null;
    }

    private static String describe(IOException e) {
        if (e instanceof TlsFatalAlertReceived received) {
            return "Received fatal alert: " + AlertDescription.getName(received.getAlertDescription());
        }
        // BC's alert messages name the alert and say why (e.g. "decrypt_error(51); Invalid PSK binder").
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void checkBuffers(ByteBuffer[] buffers, int offset, int length) {
        Objects.requireNonNull(buffers, "buffers");
        Objects.checkFromIndexSize(offset, length, buffers.length);
        for (int i = offset; i < offset + length; i++) {
            Objects.requireNonNull(buffers[i], "a buffer is null");
        }
    }

    private static int remaining(ByteBuffer[] buffers, int offset, int length, int limit) {
        long total = 0;
        for (int i = offset; i < offset + length && total < limit; i++) {
            total += buffers[i].remaining();
        }
        return (int) Math.min(total, limit);
    }

    @Override
    public String toString() {
        return "Tls13PskEngine[" + (clientMode ? "client" : "server") + ", " + psk.suiteName() + ", "
                + getPeerHost() + ":" + getPeerPort() + "]";
    }
}
