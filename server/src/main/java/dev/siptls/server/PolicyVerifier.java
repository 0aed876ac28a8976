package dev.siptls.server;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PossessionProof;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.CertificateNames;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a policy's certificate chain may be handed to other agents (docs/PROTOCOL.md, "Proof of
 * possession"). In a resumed handshake nobody proves a key, so the key server vouches only for a chain that
 * is a whole trusted path ({@link TrustedPaths}) and whose key the publishing agent proved: its leaf is the
 * certificate of the agent's own mutual-TLS connection, or the policy carries the leaf key's signature over
 * the registration's nonce. With bindings, the leaf must also be a TLS server certificate (never a trust
 * anchor) valid for every bound host (RFC 6125), and the {@link ServingRule} must let the AOR serve each host.
 */
final class PolicyVerifier {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_USAGE = "2.5.29.37.0";
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_ENCIPHERMENT = 2;

    private final TrustedPaths paths;
    private final ServingRule serving;

    PolicyVerifier(KeyStore trustStore, ServingRule serving) throws GeneralSecurityException {
        this.paths = new TrustedPaths(trustStore);
        this.serving = serving;
    }

    /**
     * Throws the 403 to answer if the policy's chain or bindings are not acceptable.
     *
     * @param aor the sender's canonical AOR
     * @param connectionCertificate the client certificate of the connection the policy arrived on
     * @param challenge the nonce of the sender's registration
     */
    void verify(SecurityPolicy policy, String aor, X509Certificate connectionCertificate, byte[] challenge)
            throws Refusal {
        List<X509Certificate> chain = policy.certificateChain();
        if (chain.isEmpty()) {
            return;
        }
        boolean binds = !policy.bindings().isEmpty();
        paths.validate(chain, !binds);
        X509Certificate leaf = chain.get(0);
        if (!leaf.equals(connectionCertificate) && !signedByLeaf(policy.possession(), aor, challenge, chain)) {
            throw new Refusal(403, "no-proof-of-possession", "No proof of possession of the certificate's key");
        }
        if (!binds) {
            return;
        }
        if (!serverUsage(leaf)) {
            throw new Refusal(403, "not-server-certificate", "Certificate is not for TLS servers");
        }
        for (HostPort binding : policy.bindings()) {
            String host = binding.host();
            if (host.contains("*") || host.endsWith(".")) {
                // a name a client connects to: a wildcard is a certificate's, and a trailing dot another spelling
                throw new Refusal(403, "cert-not-valid-for-host", "Certificate not valid for " + host
                        + ": a binding names one host, without wildcard or trailing dot");
            }
            if (!CertificateNames.matchesHost(leaf, binding.host())) {
                throw new Refusal(403, "cert-not-valid-for-host", "Certificate not valid for " + binding.host());
            }
            if (!serving.permits(aor, binding.host(), leaf)) {
                throw new Refusal(403, "host-not-allowed", aor + " may not serve " + binding.host());
            }
        }
    }

    private static boolean signedByLeaf(Optional<byte[]> signature, String aor, byte[] challenge,
            List<X509Certificate> chain) {
        return signature.isPresent() && challenge != null && PossessionProof.verify(chain.get(0).getPublicKey(),
                PossessionProof.signedBytes(aor, challenge, chain), signature.get());
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
