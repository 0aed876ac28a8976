package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;
import java.security.SecureRandom;
import java.time.Clock;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** An SA is used only at the binding it names: the server's port and SNI host, the client's {@code host:port}. */
class AssociationBindingTest {

    private final SecurityAssociation sa = Associations.fresh().forServerAt(8443);
    private final InMemoryAssociations source = new InMemoryAssociations().serving(sa);
    private final AssociationSessions sessions = new AssociationSessions(source,
            Bouncy.CRYPTO.create(new SecureRandom()), new PeerTrust((X509TrustManager) TestPki.trustingCa()[0]),
            Clock.systemUTC(), new HandshakeLedger("sip:test@example.com", SipTlsConfiguration.Fallback.FULL,
                    new ProviderStatistics()));

    @Test
    void aClientDoesNotOfferAnSaIssuedForAnotherServer() {
        source.offering("localhost", 443, sa);

        assertTrue(sessions.forClient("localhost", 443).isEmpty());
        assertTrue(source.notUsedReasons.get(0).contains("issued for localhost:8443, not for localhost:443"),
                source.notUsedReasons.toString());
        assertFalse(sa.isDestroyed());
    }

    @Test
    void aServerResumesAnSaOnlyOnItsPortAndForItsSniHost() {
        assertTrue(sessions.forServer(sa.sessionId(), new ServerEndpoint(8443, null)).isPresent());
        assertTrue(sessions.forServer(sa.sessionId(), new ServerEndpoint(8443, "LocalHost")).isPresent());
        assertTrue(sessions.forServer(sa.sessionId(), new ServerEndpoint(-1, "localhost")).isPresent(),
                "an engine does not know its port");
        assertTrue(sessions.forServer(sa.sessionId(), ServerEndpoint.UNKNOWN).isPresent());

        assertTrue(sessions.forServer(sa.sessionId(), new ServerEndpoint(443, "localhost")).isEmpty());
        assertTrue(sessions.forServer(sa.sessionId(), new ServerEndpoint(8443, "www.example.com")).isEmpty());
        assertTrue(sessions.forServer(sa.sessionId(), new ServerEndpoint(-1, "www.example.com")).isEmpty());
        assertFalse(sa.isDestroyed(), "a refusal for the binding leaves the SA as it is");
        assertEquals(3, source.notUsedReasons.size());
    }

    @Test
    void aClientsSniIsShownOnlyAsPrintableText() {
        String reason = new ServerEndpoint(8443, "evil\nhost").refusal(sa);

        assertTrue(reason.contains("\"evil?host\""), reason);
    }
}
