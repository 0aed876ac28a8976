package dev.siptls.agent;

import static dev.siptls.agent.TestAssociations.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PeerInfo;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

class SharedCertificatesTest {

    private static final HostPort WWW = new HostPort("www.example.com", 8443);
    private final List<X509Certificate> chain =
            new TestPki().identity("www.example.com", List.of("www.example.com")).chain();

    @Test
    void sasWithEqualCertificatesEndUpSharingOneObjectEach() throws Exception {
        SharedCertificates shared = new SharedCertificates();

        SecurityAssociation first = shared.share(withServerChain(freshCopy(chain)));
        SecurityAssociation second = shared.share(withServerChain(freshCopy(chain)));

        for (int i = 0; i < chain.size(); i++) {
            assertSame(first.server().certificateChain().get(i), second.server().certificateChain().get(i));
        }
    }

    @Test
    void sharingKeepsEverythingButDestroysTheOriginal() throws Exception {
        SecurityAssociation original = withServerChain(freshCopy(chain));
        byte[] secret = original.masterSecret();

        SecurityAssociation shared = new SharedCertificates().share(original);

        assertNotSame(original, shared);
        assertTrue(original.isDestroyed());
        assertArrayEquals(secret, shared.masterSecret());
        assertEquals(original.sessionIdHex(), shared.sessionIdHex());
        assertEquals(original.expiryTime(), shared.expiryTime());
        assertEquals(original.client(), shared.client());
        assertEquals(original.server(), shared.server());
    }

    @Test
    void anSaWithoutCertificatesIsLeftAsItIs() {
        SecurityAssociation sa = TestAssociations.sa("sip:alice@example.com", "sip:bob@example.com", WWW, T0,
                Duration.ofMinutes(1));

        assertSame(sa, new SharedCertificates().share(sa));
    }

    private static SecurityAssociation withServerChain(List<X509Certificate> chain) {
        return TestAssociations.builder("sip:alice@example.com", "sip:bob@example.com", WWW, T0, Duration.ofMinutes(1))
                .server(PeerInfo.builder().random(TestAssociations.random(32)).identity("sip:bob@example.com")
                        .address(WWW).certificateChain(chain).build())
                .build();
    }

    /** Equal but distinct certificate objects (the JDK's factory would hand out cached ones). */
    private static List<X509Certificate> freshCopy(List<X509Certificate> chain) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509", new BouncyCastleProvider());
        List<X509Certificate> copy = new ArrayList<>();
        for (X509Certificate c : chain) {
            copy.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(c.getEncoded())));
        }
        return copy;
    }
}
