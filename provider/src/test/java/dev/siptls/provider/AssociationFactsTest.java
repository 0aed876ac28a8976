package dev.siptls.provider;

import dev.siptls.protocol.SecurityAssociation;

import org.bouncycastle.tls.crypto.TlsCrypto;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.X509TrustManager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What depends only on an SA is derived once per SA; the secret-bearing session stays fresh per lookup. */
class AssociationFactsTest {

    @Test
    void asksTheTrustManagerOncePerAssociationButBuildsAFreshSessionPerLookup() {
        SecurityAssociation sa = Associations.fresh().clientChain(TestPki.CLIENT.chain()).forServerAt(443);
        CountingTrust trust = new CountingTrust((X509TrustManager) TestPki.trustingCa()[0]);
        TlsCrypto crypto = Bouncy.CRYPTO.create(new SecureRandom());
        AssociationSessions sessions = new AssociationSessions(new InMemoryAssociations().serving(sa)
                .offering("localhost", 443, sa), crypto, new PeerTrust(trust), Clock.systemUTC(),
                new HandshakeLedger("sip:test@example.com", SipTlsConfiguration.Fallback.FULL,
                        new ProviderStatistics()), java.time.Duration.ofHours(1));

        ResumableSession first = sessions.forServer(sa.sessionId()).orElseThrow();
        ResumableSession second = sessions.forServer(sa.sessionId()).orElseThrow();
        sessions.forClient("localhost", 443, java.util.List.of(sa.cipherSuite()), null).orElseThrow();
        sessions.forClient("localhost", 443, java.util.List.of(sa.cipherSuite()), null).orElseThrow();

        assertEquals(1, trust.clientChecks.get());
        assertEquals(1, trust.serverChecks.get());
        assertNotSame(first.tlsSession(), second.tlsSession());
        assertNotSame(first.tlsSession().exportSessionParameters().getMasterSecret(),
                second.tlsSession().exportSessionParameters().getMasterSecret());
        assertSame(first.tlsSession().exportSessionParameters().getPeerCertificate(),
                second.tlsSession().exportSessionParameters().getPeerCertificate());
        assertTrue(first.tlsSession().isResumable() && second.tlsSession().isResumable());
    }

    private static final class CountingTrust implements X509TrustManager {
        private final X509TrustManager delegate;
        final AtomicInteger clientChecks = new AtomicInteger();
        final AtomicInteger serverChecks = new AtomicInteger();

        CountingTrust(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            clientChecks.incrementAndGet();
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            serverChecks.incrementAndGet();
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
