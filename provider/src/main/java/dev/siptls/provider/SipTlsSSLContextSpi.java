package dev.siptls.provider;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
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
import javax.net.ssl.X509TrustManager;

/**
 * {@code SSLContext} "SIP-TLS": a BCJSSE context whose session caches read through to the security
 * associations of an {@link AssociationSource}, so that handshakes resume with SIP-distributed master
 * secrets and fall back to full handshakes where no usable SA exists.
 *
 * <p>{@code engineInit} creates a BCJSSE {@code SSLContext} from a private (unregistered)
 * {@link BouncyCastleJsseProvider} over the Bouncy Castle JCA provider, initialises it with the
 * application's own key and trust managers (key managers adapted to the key type names BCJSSE asks
 * for, {@link StandardNamesKeyManager}), and attaches the {@link BcjsseSessionBridge} to its client
 * and server session contexts. The application's X.509 trust manager also judges each SA's certificate
 * chains before it is used ({@link PeerTrust}).
 *
 * <p>The default protocols are {@code TLSv1.2} only, on both sides. An SA is a TLS 1.2 session: a client
 * that offers TLS 1.3 to a server that speaks it gets a full TLS 1.3 handshake and the SA is ignored.
 * Applications may still enable TLS 1.3, e.g. on a server for clients that have no SA.
 */
public final class SipTlsSSLContextSpi extends SSLContextSpi {

    /** The protocols SIP-TLS sockets and engines enable unless the application says otherwise. */
    static final String[] DEFAULT_PROTOCOLS = {"TLSv1.2"};

    private final AssociationSource source;
    private volatile SSLContext bcjsse;

    /** @param source where the session caches read security associations from */
    public SipTlsSSLContextSpi(AssociationSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
            throws KeyManagementException {
        BcjsseSessionBridge bridge = BcjsseSessionBridge.forInstalledBctls();
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS", Bouncy.JSSE);
        } catch (NoSuchAlgorithmException e) {
            throw new KeyManagementException("BCJSSE offers no SSLContext \"TLS\"", e);
        }
        context.init(StandardNamesKeyManager.adapt(km), tm, random);
        SecureRandom cryptoRandom = random != null ? random : new SecureRandom();
        AssociationSessions sessions = new AssociationSessions(source, Bouncy.CRYPTO.create(cryptoRandom),
                new PeerTrust(x509TrustManager(tm)), Clock.systemUTC());
        bridge.readThroughById(context.getServerSessionContext(), sessions::forServer);
        bridge.readThroughByPeer(context.getClientSessionContext(), sessions::forClient);
        this.bcjsse = context;
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
        return new SipTlsSocketFactory(context().getSocketFactory(), DEFAULT_PROTOCOLS);
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
        return new SipTlsServerSocketFactory(context().getServerSocketFactory(), DEFAULT_PROTOCOLS);
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
        parameters.setProtocols(DEFAULT_PROTOCOLS.clone());
        return parameters;
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
        return context().getSupportedSSLParameters();
    }

    private SSLContext context() {
        SSLContext context = bcjsse;
        if (context == null) {
            throw new IllegalStateException("SIP-TLS SSLContext is not initialized: call init() first");
        }
        return context;
    }

    private static SSLEngine configure(SSLEngine engine) {
        engine.setEnabledProtocols(DEFAULT_PROTOCOLS);
        return engine;
    }

    /** The trust manager BCJSSE uses too: the first X.509 one given, the platform default if none given. */
    private static X509TrustManager x509TrustManager(TrustManager[] tm) throws KeyManagementException {
        TrustManager[] candidates = tm;
        if (candidates == null) {
            try {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                candidates = factory.getTrustManagers();
            } catch (NoSuchAlgorithmException | KeyStoreException e) {
                throw new KeyManagementException("no default trust manager", e);
            }
        }
        for (TrustManager candidate : candidates) {
            if (candidate instanceof X509TrustManager) {
                return (X509TrustManager) candidate;
            }
        }
        return null;
    }

    /** Bouncy Castle providers for all SIP-TLS contexts, private to SIP-TLS (never registered). */
    private static final class Bouncy {
        static final Provider JCA = new BouncyCastleProvider();
        static final JcaTlsCryptoProvider CRYPTO = new JcaTlsCryptoProvider().setProvider(JCA);
        static final Provider JSSE = new BouncyCastleJsseProvider(false, CRYPTO);
    }
}
