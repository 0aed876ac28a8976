package dev.siptls.server;

import dev.siptls.sip.CertificateNames;
import java.security.cert.X509Certificate;

/**
 * Which hosts an agent may bind: the key server asks it for every {@code host:port} of a policy, after it has
 * checked the policy's chain (trusted as a whole path, its key proved by the agent, its leaf a TLS server
 * certificate naming the host). A client that resumes with a bound {@code host:port} trusts whoever the key
 * server recorded for it, so this rule decides who may serve a name.
 */
@FunctionalInterface
public interface ServingRule {

    /**
     * Whether the agent registered as {@code aor} may serve {@code host}.
     *
     * @param host lower case, as the policy binds it
     * @param provenCertificate the policy's leaf certificate, whose key the agent proved
     */
    boolean permits(String aor, String host, X509Certificate provenCertificate);

    /**
     * Any host named by a certificate whose key the agent proved: the CA that issued that certificate decided
     * who serves the host. The default.
     */
    static ServingRule certified() {
        return (aor, host, certificate) -> CertificateNames.matchesHost(certificate, host);
    }

    /**
     * Only the AOR's own domain or a name under it (case-insensitively): {@code sip:bob@example.com} may serve
     * {@code example.com} and {@code www.example.com}, not {@code example.net}, whatever its certificate names.
     */
    static ServingRule sameDomain() {
        return (aor, host, certificate) -> {
            String domain = Aors.domain(aor);
            if (domain != null && domain.startsWith("[") && domain.endsWith("]")) {
                domain = domain.substring(1, domain.length() - 1); // an IPv6 literal: bound hosts carry no brackets
            }
            return domain != null && (host.equals(domain) || host.endsWith("." + domain));
        };
    }
}
