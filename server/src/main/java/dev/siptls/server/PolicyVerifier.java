package dev.siptls.server;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.CertificateNames;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a policy's certificate chain may be handed to other agents: it must chain to the key
 * server's trust anchors (PKIX, no revocation: the demo PKI publishes none), and if the policy binds
 * {@code host:port}s, its leaf must be a TLS server certificate valid for every bound host (RFC 6125). The
 * agents check the chain again when they use an SA; this check keeps the key server from vouching for
 * what it cannot verify.
 */
final class PolicyVerifier {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_USAGE = "2.5.29.37.0";
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_ENCIPHERMENT = 2;

    private final Set<TrustAnchor> anchors;
    private final Set<X509Certificate> anchorCertificates;

    PolicyVerifier(KeyStore trustStore) throws GeneralSecurityException {
        Set<TrustAnchor> a = new HashSet<>();
        Set<X509Certificate> c = new HashSet<>();
        for (Enumeration<String> e = trustStore.aliases(); e.hasMoreElements();) {
            String alias = e.nextElement();
            if (trustStore.isCertificateEntry(alias) && trustStore.getCertificate(alias) instanceof X509Certificate x) {
                a.add(new TrustAnchor(x, null));
                c.add(x);
            }
        }
        if (a.isEmpty()) {
            throw new GeneralSecurityException("the policy trust store holds no trusted certificate");
        }
        this.anchors = Set.copyOf(a);
        this.anchorCertificates = Set.copyOf(c);
    }

    /** Throws the 403 to answer if the policy's chain or bindings are not acceptable. */
    void verify(SecurityPolicy policy) throws Refusal {
        List<X509Certificate> chain = policy.certificateChain();
        if (chain.isEmpty()) {
            return;
        }
        validate(chain);
        if (policy.bindings().isEmpty()) {
            return;
        }
        X509Certificate leaf = chain.get(0);
        if (!serverUsage(leaf)) {
            throw new Refusal(403, "not-server-certificate", "Certificate is not for TLS servers");
        }
        for (HostPort binding : policy.bindings()) {
            if (!CertificateNames.matchesHost(leaf, binding.host())) {
                throw new Refusal(403, "cert-not-valid-for-host", "Certificate not valid for " + binding.host());
            }
        }
    }

    private void validate(List<X509Certificate> chain) throws Refusal {
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (anchorCertificates.contains(c)) {
                break;
            }
            path.add(c);
        }
        if (path.isEmpty()) {
            return;
        }
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (GeneralSecurityException e) {
            throw new Refusal(403, "untrusted-chain", "Certificate chain not trusted");
        }
    }

    private static boolean serverUsage(X509Certificate leaf) {
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_USAGE)) {
                return false;
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        boolean[] ku = leaf.getKeyUsage();
        return ku == null || (ku.length > DIGITAL_SIGNATURE && ku[DIGITAL_SIGNATURE])
                || (ku.length > KEY_ENCIPHERMENT && ku[KEY_ENCIPHERMENT]);
    }
}
