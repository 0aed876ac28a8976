package dev.siptls.sip.testing;

import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.security.GeneralSecurityException;
import java.util.List;

/** Test identities from one throw-away CA: key server, agents, TLS servers. */
public final class TestPki {

    public static final char[] PASSWORD = "changeit".toCharArray();

    private final CertificateAuthority ca;

    public TestPki() {
        try {
            this.ca = CertificateAuthority.create("SIP-TLS Test CA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public CertificateAuthority ca() {
        return ca;
    }

    /** The key server: reachable as localhost and 127.0.0.1. */
    public TlsIdentity keyServer() {
        return identity("keyserver", List.of("localhost", "127.0.0.1", "sip:keyserver.example.com"));
    }

    /** An agent proving {@code aor} (e.g. sip:alice@example.com). */
    public TlsIdentity agent(String aor) {
        return identity(aor, List.of(aor));
    }

    /** Any identity with these subjectAltNames. */
    public TlsIdentity identity(String commonName, List<String> names) {
        return identity(commonName, names, KeyType.EC_P256);
    }

    public TlsIdentity identity(String commonName, List<String> names, KeyType type) {
        try {
            return TlsIdentity.of(ca.issue(commonName, names, type, PASSWORD), PASSWORD, ca.trustStore());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
