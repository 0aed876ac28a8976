package dev.siptls.provider;

import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.tls.KeyExchangeAlgorithm;

/**
 * What a PSK client needs when its server declines the PSK and authenticates with a certificate instead (TLS 1.3,
 * or TLS 1.2 with a server that speaks only that): the application's trust and key managers, as the SIP-TLS context
 * gave them to BCJSSE ({@link MonitoredTrustManager}, {@link MonitoredKeyManager}: so the fallback is counted, or
 * refused under {@code fallback=fail}, as on BCJSSE's path), called the way JSSE calls them.
 *
 * @param trust the trust manager; never null (without one no fallback runs)
 * @param keys  the key manager, or null (then an empty Certificate answers a CertificateRequest)
 */
record CertificateFallback(X509TrustManager trust, X509KeyManager keys) {

    /** The authType JSSE passes for TLS 1.3 (SunJSSE and BCJSSE alike). */
    static final String TLS13_AUTH_TYPE = "UNKNOWN";

    /**
     * The authType JSSE passes a trust manager for a server's chain: for TLS 1.2 the suite's key exchange name
     * ({@code ECDHE_RSA}, {@code ECDHE_ECDSA}; {@code RSA} for RSA key transport, SunJSSE's name, which its trust
     * managers know), for TLS 1.3 {@value #TLS13_AUTH_TYPE}.
     *
     * @param keyExchange BC's {@link KeyExchangeAlgorithm} of the negotiated suite
     */
    static String authType(int keyExchange) {
        return switch (keyExchange) {
            case KeyExchangeAlgorithm.ECDHE_ECDSA -> "ECDHE_ECDSA";
            case KeyExchangeAlgorithm.ECDHE_RSA -> "ECDHE_RSA";
            case KeyExchangeAlgorithm.DHE_RSA -> "DHE_RSA";
            case KeyExchangeAlgorithm.DHE_DSS -> "DHE_DSS";
            case KeyExchangeAlgorithm.RSA -> "RSA";
            default -> TLS13_AUTH_TYPE;
        };
    }

    /** A client's chosen certificate chain and its private key. */
    record ClientKey(List<X509Certificate> chain, PrivateKey key) {
        @Override
        public String toString() {
            return "ClientKey[" + chain.get(0).getSubjectX500Principal() + "]";
        }
    }

    CertificateFallback {
        java.util.Objects.requireNonNull(trust, "trust");
    }

    /**
     * Checks the server's chain as JSSE does: an extended trust manager gets the engine (its handshake session and
     * parameters) and identifies the endpoint itself; a plain one gets the chain, and then this checks the endpoint
     * if the engine's parameters ask for it.
     */
    void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (trust instanceof X509ExtendedTrustManager extended) {
            extended.checkServerTrusted(chain, authType, engine);
            return;
        }
        trust.checkServerTrusted(chain, authType);
        String algorithm = engine.getSSLParameters().getEndpointIdentificationAlgorithm();
        if (algorithm != null && !algorithm.isEmpty()) {
            identify(chain[0], engine.getHandshakeSession(), engine.getPeerHost());
        }
    }

    /**
     * As SunJSSE: the SNI host name the client sent if the certificate names it, else the peer host; a certificate
     * that names neither fails.
     */
    private static void identify(X509Certificate certificate, SSLSession session, String peerHost)
            throws CertificateException {
        String sniHost = sniHostName(session);
        if (sniHost != null && HostnameMatcher.matches(sniHost, certificate)) {
            return;
        }
        if (peerHost != null && !peerHost.equalsIgnoreCase(sniHost) && HostnameMatcher.matches(peerHost, certificate)) {
            return;
        }
        String host = sniHost != null ? sniHost : peerHost;
        throw new CertificateException("No subject alternative name in the server certificate matches " + host);
    }

    private static String sniHostName(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                    return name instanceof SNIHostName host ? host.getAsciiName()
                            : new SNIHostName(name.getEncoded()).getAsciiName();
                }
            }
        }
        return null;
    }

    /** The client key the key manager chooses for these key types and issuers; null if it chooses none. */
    ClientKey chooseClientKey(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        if (keys == null || keyTypes.length == 0) {
            return null;
        }
        String alias = keys instanceof X509ExtendedKeyManager extended
                ? extended.chooseEngineClientAlias(keyTypes, issuers, engine)
                : keys.chooseClientAlias(keyTypes, issuers, null);
        if (alias == null) {
            return null;
        }
        X509Certificate[] chain = keys.getCertificateChain(alias);
        PrivateKey key = keys.getPrivateKey(alias);
        if (chain == null || chain.length == 0 || key == null) {
            return null;
        }
        return new ClientKey(List.of(chain), key);
    }
}
