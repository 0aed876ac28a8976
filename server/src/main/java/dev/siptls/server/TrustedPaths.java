package dev.siptls.server;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates a published certificate chain as one PKIX path from a trust anchor to its leaf (no revocation:
 * the demo PKI publishes none). Every certificate of the chain must be part of that path: a trust anchor only
 * as the last element, and then it must be the anchor the path starts from. Anything else (an anchor followed
 * by other certificates, an unrelated certificate after the path) could make a chain look vouched for that
 * is not.
 */
final class TrustedPaths {

    private final Set<TrustAnchor> anchors;
    private final Set<X509Certificate> anchorCertificates;

    TrustedPaths(KeyStore trustStore) throws GeneralSecurityException {
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

    /**
     * Throws {@code 403 untrusted-chain} unless {@code chain} (leaf first, not empty) is a whole trusted path.
     *
     * @param leafMayBeAnchor whether a chain that is just a trust anchor is acceptable
     */
    void validate(List<X509Certificate> chain, boolean leafMayBeAnchor) throws Refusal {
        int last = chain.size() - 1;
        for (int i = 0; i < last; i++) {
            if (anchorCertificates.contains(chain.get(i))) {
                throw untrusted();
            }
        }
        boolean endsInAnchor = anchorCertificates.contains(chain.get(last));
        List<X509Certificate> path = endsInAnchor ? chain.subList(0, last) : chain;
        if (path.isEmpty()) {
            if (leafMayBeAnchor) {
                return;
            }
            throw untrusted();
        }
        try {
            // A chain that names its anchor must start from that one, not from any other anchor.
            PKIXParameters params = new PKIXParameters(endsInAnchor ? Set.of(new TrustAnchor(chain.get(last), null))
                    : anchors);
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (GeneralSecurityException e) {
            throw untrusted();
        }
    }

    private static Refusal untrusted() {
        return new Refusal(403, "untrusted-chain", "Certificate chain not trusted");
    }
}
