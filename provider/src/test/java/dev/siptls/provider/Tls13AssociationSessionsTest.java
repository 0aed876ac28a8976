package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/**
 * A TLS 1.3 SA becomes an external PSK only for the handshake of its version, and only with a server chain the
 * connection's endpoint identification accepts (BCJSSE checks that for TLS 1.2 SAs itself; nobody else would here).
 */
class Tls13AssociationSessionsTest {

    private static final String SUITE = "TLS_AES_128_GCM_SHA256";
    private static final TestPki.Identity OTHER_HOST = TestPki.Identity.leaf("CN=other", TestPki.CA,
            KeyPurposeId.id_kp_serverAuth, new GeneralName(GeneralName.dNSName, "other.example"));

    private final InMemoryAssociations source = new InMemoryAssociations();
    private final AssociationSessions sessions = new AssociationSessions(source,
            Bouncy.CRYPTO.create(new SecureRandom()), new PeerTrust((X509TrustManager) TestPki.trustingCa()[0]),
            Clock.systemUTC(), new HandshakeLedger("sip:test@example.com", SipTlsConfiguration.Fallback.FULL,
                    new ProviderStatistics()), Duration.ofHours(1));

    @Test
    void aClientUsesATls13SaAsAPskOnlyIfItsChainPassesTheConnectionsEndpointIdentification() {
        SecurityAssociation sa = Associations.fresh().serverChain(OTHER_HOST.chain()).forTls13ServerAt(8443);
        source.offering("localhost", 8443, sa);

        assertTrue(sessions.forClient("localhost", 8443, List.of(SUITE), "HTTPS").isEmpty(),
                "an SA whose chain does not name the host served an HTTPS connection");
        assertTrue(source.notUsedReasons.get(0).contains("does not name localhost"), source.notUsedReasons.toString());
        assertInstanceOf(PskAssociation.class, sessions.forClient("localhost", 8443, List.of(SUITE), null)
                .orElseThrow(), "without endpoint identification the trusted chain is enough");
        assertFalse(sa.isDestroyed());
    }

    @Test
    void aTls13SasIdIsNoTls12SessionAndATls12SasIdIsNoPskIdentity() {
        SecurityAssociation tls13 = Associations.fresh().forTls13ServerAt(8443);
        SecurityAssociation tls12 = Associations.fresh().forServerAt(8443);
        source.serving(tls13).serving(tls12);

        assertTrue(sessions.forServer(tls13.sessionId()).isEmpty(), "a PSK became a TLS 1.2 master secret");
        assertTrue(sessions.forServerPsk(List.of(tls12.sessionIdHex().getBytes(java.nio.charset.StandardCharsets
                .US_ASCII)), ServerEndpoint.UNKNOWN).isEmpty(), "a master secret became a PSK");
        assertTrue(sessions.forServerPsk(List.of(tls13.pskIdentity()), ServerEndpoint.UNKNOWN).isPresent());
        assertTrue(sessions.forServer(tls12.sessionId()).isPresent());
    }
}
