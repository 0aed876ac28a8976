package dev.siptls.provider;

import dev.siptls.protocol.SecurityAssociation;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.X509TrustManager;

/**
 * The application's own trust decisions, applied to the certificate chains an SA carries.
 *
 * <p>A resumed handshake exchanges no certificates, so BCJSSE never shows the SA's chains to the
 * application's trust manager; this class does, before a session is built from the SA. The trust
 * manager is the one the application passed to {@code SSLContext.init} (or the platform default).
 */
final class PeerTrust {

    /** The endpoint identification the application asks of HTTPS clients. */
    static final String HTTPS = "HTTPS";

    private final X509TrustManager trustManager;

    /** @param trustManager {@code null} when the application gave no X.509 trust manager: nothing is trusted */
    PeerTrust(X509TrustManager trustManager) {
        this.trustManager = trustManager;
    }

    /**
     * Client side: checks the SA's server chain as a full handshake would (suite's auth type), and whether
     * it names {@code host}.
     */
    Verdict server(SecurityAssociation sa, String host) {
        List<X509Certificate> chain = sa.server().certificateChain();
        if (chain.isEmpty()) {
            return Verdict.refused("the SA carries no server certificate chain");
        }
        if (trustManager == null) {
            return Verdict.refused("the application gave no X.509 trust manager");
        }
        try {
            trustManager.checkServerTrusted(chain.toArray(new X509Certificate[0]), authType(sa.cipherSuite()));
        } catch (CertificateException | RuntimeException e) {
            return Verdict.refused("the trust manager refused the SA's server certificate chain: " + e.getMessage());
        }
        return new Verdict(HostnameMatcher.matches(host, chain.get(0)) ? HTTPS : null, null);
    }

    /** Server side: the SA's client chain if the trust manager accepts it, else an empty list. */
    List<X509Certificate> client(SecurityAssociation sa) {
        List<X509Certificate> chain = sa.client().certificateChain();
        if (chain.isEmpty() || trustManager == null) {
            return List.of();
        }
        try {
            String keyType = chain.get(0).getPublicKey().getAlgorithm();
            trustManager.checkClientTrusted(chain.toArray(new X509Certificate[0]), keyType);
            return chain;
        } catch (CertificateException | RuntimeException e) {
            return List.of();
        }
    }

    /** JSSE's server auth type of a TLS 1.2 suite: {@code TLS_ECDHE_RSA_WITH_...} is {@code ECDHE_RSA}. */
    static String authType(String cipherSuite) {
        int with = cipherSuite.indexOf("_WITH_");
        return cipherSuite.startsWith("TLS_") && with > 4 ? cipherSuite.substring(4, with) : "UNKNOWN";
    }

    /**
     * @param endpointIdAlgorithm {@code "HTTPS"} if the chain names the host, else {@code null}
     * @param refusal             why the SA must not be used, or {@code null} if it may
     */
    record Verdict(String endpointIdAlgorithm, String refusal) {
        static Verdict refused(String reason) {
            return new Verdict(null, reason);
        }

        boolean trusted() {
            return refusal == null;
        }
    }
}
