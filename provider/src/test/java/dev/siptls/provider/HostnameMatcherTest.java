package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class HostnameMatcherTest {

    private static final X509Certificate WILDCARD = TestPki.Identity.leaf("CN=www.example.org", TestPki.CA,
            KeyPurposeId.id_kp_serverAuth, new GeneralName(GeneralName.dNSName, "*.example.com"),
            new GeneralName(GeneralName.dNSName, "*.com"), new GeneralName(GeneralName.iPAddress, "::1"))
            .certificate();

    @Test
    void matchesDnsNameAndIpAddressCaseInsensitively() {
        assertTrue(HostnameMatcher.matches("localhost", TestPki.SERVER.certificate()));
        assertTrue(HostnameMatcher.matches("LocalHost.", TestPki.SERVER.certificate()));
        assertTrue(HostnameMatcher.matches("127.0.0.1", TestPki.SERVER.certificate()));
        assertFalse(HostnameMatcher.matches("127.0.0.2", TestPki.SERVER.certificate()));
    }

    @Test
    void wildcardCoversExactlyTheLeftMostLabel() {
        assertTrue(HostnameMatcher.matches("www.example.com", WILDCARD));
        assertFalse(HostnameMatcher.matches("example.com", WILDCARD));
        assertFalse(HostnameMatcher.matches("a.b.example.com", WILDCARD));
        assertFalse(HostnameMatcher.matches("other.com", WILDCARD), "a wildcard over a single label counts");
    }

    @Test
    void subjectCommonNameNeverCounts() {
        assertFalse(HostnameMatcher.matches("www.example.org", WILDCARD));
    }

    @Test
    void ipv6LiteralMatchesItsAddress() {
        assertTrue(HostnameMatcher.matches("0:0:0:0:0:0:0:1", WILDCARD));
        assertTrue(HostnameMatcher.matches("[::1]", WILDCARD));
        assertFalse(HostnameMatcher.matches("::2", WILDCARD));
    }
}
