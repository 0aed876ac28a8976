package dev.siptls.provider;

import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * {@code SSLContext} "SIP-TLS": a BCJSSE context whose session caches read through to the security
 * associations of an {@link AssociationSource}, so that handshakes resume with SIP-distributed master
 * secrets and fall back to full handshakes (or fail, under {@code fallback=fail}) where no usable SA exists.
 *
 * <p>{@code engineInit} creates a BCJSSE {@code SSLContext} from a private (unregistered) BCJSSE provider,
 * initialises it with the application's own key and trust managers (key managers adapted to the key type
 * names BCJSSE asks for, {@link StandardNamesKeyManager}; both watched for full handshakes,
 * {@link MonitoredKeyManager}, {@link MonitoredTrustManager}), and attaches the {@link BcjsseSessionBridge} to
 * its client and server session contexts. The application's X.509 trust manager also judges each SA's
 * certificate chains before it is used ({@link PeerTrust}).
 *
 * <p>The default protocols are the provider's {@code protocols}, by default {@code TLSv1.3} and {@code TLSv1.2}. A TLS 1.3 SA is an external PSK
 * that the PSK engine ({@link Tls13PskEngine}) uses with (EC)DHE; a TLS 1.2 SA is a session BCJSSE resumes, on a
 * connection that then offers TLS 1.2 only ({@link ClientOffers}); without an SA, BCJSSE runs a full handshake of
 * the best version both sides enable.
 */
public final class SipTlsSSLContextSpi extends SSLContextSpi {

    private final ContextSupport support;
    private volatile SSLContext bcjsse;
    private volatile HandshakeObserver observer;

    /** A context on its own, outside any {@link SipTlsProvider}: SAs from {@code source}, fallback=full. */
    public SipTlsSSLContextSpi(AssociationSource source) {
        this(ContextSupport.standalone(Objects.requireNonNull(source, "source")));
    }

    SipTlsSSLContextSpi(ContextSupport support) {
        this.support = support;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
            throws KeyManagementException {
        BcjsseSessionBridge bridge;
        try {
            bridge = BcjsseSessionBridge.forInstalledBctls();
        } catch (IllegalStateException e) {
            throw new KeyManagementException(e.getMessage(), e);
        }
        support.initializing(km);
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS", Bouncy.JSSE);
        } catch (NoSuchAlgorithmException e) {
            throw new KeyManagementException("BCJSSE offers no SSLContext \"TLS\"", e);
        }
        HandshakeLedger ledger = support.ledger();
        TrustManager[] trust = tm != null ? tm.clone() : defaultTrustManagers();
        X509TrustManager applicationTrust = null;
        for (int i = 0; i < trust.length; i++) {
            if (trust[i] instanceof X509TrustManager x509) {
                applicationTrust = x509;
                trust[i] = MonitoredTrustManager.wrap(x509, ledger);
                break;
            }
        }
        KeyManager[] keys = MonitoredKeyManager.wrap(StandardNamesKeyManager.adapt(km), ledger);
        context.init(keys, trust, random);
        SecureRandom cryptoRandom = random != null ? random : new SecureRandom();
        AssociationSource source = support.source();
        TlsCrypto crypto = Bouncy.CRYPTO.create(cryptoRandom);
        AssociationSessions sessions = new AssociationSessions(source, crypto, new PeerTrust(applicationTrust),
                Clock.systemUTC(), ledger, support.sessionLifetimeBound());
        // the PSK engines' full handshakes (a declined PSK) use the managers BCJSSE has: counted or refused alike
        PskEngines psks = new PskEngines(sessions, source, ledger, cryptoRandom, first(trust, X509TrustManager.class),
                first(keys, X509KeyManager.class), support::servedBindings);
        bridge.attach(context.getServerSessionContext(), new SideLookups(sessions, source, false) {
            @Override
            public Optional<ResumableSession> byId(byte[] sessionId) {
                return sessions.forServer(sessionId, AcceptedConnection.endpoint(bridge, support.servedBindings()));
            }
        });
        bridge.attach(context.getClientSessionContext(), new SideLookups(sessions, source, true) {
            @Override
            public Optional<ResumableSession> byId(byte[] sessionId) {
                return sessions.clientById(sessionId);
            }
        });
        ClientOffers offers = new ClientOffers(sessions, bridge, context.getClientSessionContext(), source,
                ledger.statistics(), psks);
        this.observer = new HandshakeObserver(ledger.statistics(), offers, psks, support::serverConnectionSuites);
        this.bcjsse = context;
        support.initialized(sessions);
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
        return new SipTlsSocketFactory(context().getSocketFactory(), protocols(), observer);
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
        return new SipTlsServerSocketFactory(context().getServerSocketFactory(), context().getSocketFactory(),
                protocols(), observer);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
        return configure(context().createSSLEngine());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
        return configure(context().createSSLEngine(host, port));
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
        return context().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
        return context().getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
        SSLParameters parameters = context().getDefaultSSLParameters();
        parameters.setProtocols(protocols());
        return parameters;
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
        return context().getSupportedSSLParameters();
    }

    /** The protocols sockets and engines enable by default: the provider's {@code protocols}. */
    private String[] protocols() {
        return support.protocols().toArray(String[]::new);
    }

    private SSLContext context() {
        SSLContext context = bcjsse;
        if (context == null) {
            throw new IllegalStateException("SIP-TLS SSLContext is not initialized: call init() first");
        }
        return context;
    }

    private SSLEngine configure(SSLEngine engine) {
        engine.setEnabledProtocols(protocols());
        return new SipTlsEngine(engine, observer);
    }

    /** One side's session context as it reads the SAs: listing, invalidation and the lifetime bound. */
    private abstract static class SideLookups implements BcjsseSessionBridge.Lookups {
        private final AssociationSessions sessions;
        private final AssociationSource source;
        private final boolean client;

        SideLookups(AssociationSessions sessions, AssociationSource source, boolean client) {
            this.sessions = sessions;
            this.source = source;
            this.client = client;
        }

        @Override
        public List<byte[]> ids() {
            return source.sessionIds(client);
        }

        @Override
        public void invalidated(byte[] sessionId) {
            source.invalidated(HexFormat.of().formatHex(sessionId));
        }

        @Override
        public long maxAgeMillis() {
            return sessions.maxAgeMillis();
        }
    }

    /** The first manager of this type, as JSSE contexts choose; null if none. */
    private static <T> T first(Object[] managers, Class<T> type) {
        if (managers != null) {
            for (Object manager : managers) {
                if (type.isInstance(manager)) {
                    return type.cast(manager);
                }
            }
        }
        return null;
    }

    /** What a JSSE context uses when given no trust managers: the platform's default (cacerts). */
    private static TrustManager[] defaultTrustManagers() throws KeyManagementException {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return factory.getTrustManagers();
        } catch (NoSuchAlgorithmException | KeyStoreException e) {
            throw new KeyManagementException("no default trust manager", e);
        }
    }
}
