package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** An SA is used only at the binding it names: the server's port and SNI host, the client's {@code host:port}. */
class AssociationBindingTest {

    private final SecurityAssociation sa = Associations.fresh().forServerAt(8443);
    private final InMemoryAssociations source = new InMemoryAssociations().serving(sa);
    private final AssociationSessions sessions = new AssociationSessions(source,
            Bouncy.CRYPTO.create(new SecureRandom()), new PeerTrust((X509TrustManager) TestPki.trustingCa()[0]),
            Clock.systemUTC(), new HandshakeLedger("sip:test@example.com", SipTlsConfiguration.Fallback.FULL,
                    new ProviderStatistics()), java.time.Duration.ofHours(1));

    @Test
    void aClientDoesNotOfferAnSaIssuedForAnotherServer() {
        source.offering("localhost", 443, sa);

        assertTrue(sessions.forClient("localhost", 443, java.util.List.of(sa.cipherSuite()), null).isEmpty());
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
    void anEngineWhichKnowsNoPortResumesOnlyWhereTheBindingCannotBeAnother() {
        HostPort own = new HostPort("localhost", 8443);
        HostPort otherPort = new HostPort("localhost", 9443);
        HostPort otherHost = new HostPort("www.example.com", 9445);

        assertTrue(new ServerEndpoint(-1, null, List.of(own)).refusal(sa) == null, "the one binding served");
        assertTrue(new ServerEndpoint(-1, null, List.of(own, new HostPort("127.0.0.1", 8443))).refusal(sa) == null,
                "two hosts on one port: the port is known");
        assertTrue(new ServerEndpoint(-1, "localhost", List.of(own, otherHost)).refusal(sa) == null,
                "the SNI picks the one binding with that host");

        String noSni = new ServerEndpoint(-1, null, List.of(own, otherHost)).refusal(sa);
        assertTrue(noSni != null && noSni.contains("sent no SNI"), String.valueOf(noSni));
        assertTrue(new ServerEndpoint(-1, "localhost", List.of(own, otherPort)).refusal(sa) != null,
                "two ports of one host cannot be told apart by SNI");
        assertTrue(new ServerEndpoint(-1, null, List.of(otherHost)).refusal(sa) != null,
                "an SA for a binding this server does not serve");
        assertTrue(sessions.forServer(sa.sessionId(), new ServerEndpoint(-1, null, List.of(own, otherPort))).isEmpty());
        assertFalse(sa.isDestroyed());
    }

    @Test
    void aClientsSniIsShownOnlyAsPrintableText() {
        String reason = new ServerEndpoint(8443, "evil\nhost").refusal(sa);

        assertTrue(reason.contains("\"evil?host\""), reason);
    }
}
