package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.InvalidBodyException;
import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Duration;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

class SecurityAssociationDistributionTest extends OnOneKeyServer {

    @Test
    void deliversTheSameSecurityAssociationToBothAgents() throws Exception {
        TestAgent bob = fixture.serverAgent("sip:bob@example.com", new HostPort("www.example.com", 8443));
        TestAgent alice = fixture.client("sip:alice@example.com", Fixture.SUITE_256, Fixture.SUITE_128);

        Response ok = alice.invite("sips:bob@example.com");

        assertEquals(200, ok.getStatusCode());
        ContentTypeHeader type = (ContentTypeHeader) ok.getHeader(ContentTypeHeader.NAME);
        assertEquals(ContentTypes.SEALED_ASSOCIATION_SUBTYPE, type.getContentSubType());
        Request toServer = bob.nextInvite();
        assertNotNull(toServer);
        SecurityAssociation atClient = alice.association(ok);
        SecurityAssociation atServer = bob.association(toServer);
        assertThrows(InvalidBodyException.class, () -> bob.association(ok), "bob opened what was sealed to alice");
        assertEquals(atClient.sessionIdHex(), atServer.sessionIdHex());
        assertArrayEquals(atClient.masterSecret(), atServer.masterSecret());
        assertEquals(Fixture.SUITE_128, atClient.cipherSuite());
        assertEquals("sip:alice@example.com", atClient.client().identity());
        assertEquals("sip:bob@example.com", atClient.server().identity());
        assertEquals(new HostPort("www.example.com", 8443), atClient.server().address().orElseThrow());
        assertEquals(Duration.ofMinutes(30), atClient.lifetime());
        assertTrue(atClient.extendedMasterSecret());
        assertEquals(2, atClient.server().certificateChain().size());
        assertNotNull(bob.nextAck(), "the client's ACK is relayed to the server agent");
    }

    @Test
    void leavesNoSaBodyInTheMessagesItsStackKeeps() throws Exception {
        TestAgent bob = fixture.serverAgent("sip:wipe-server@example.com", new HostPort("wipe.example.com", 443));
        TestAgent alice = fixture.client("sip:wipe-client@example.com");

        Response ok = alice.invite("sips:wipe-server@example.com");
        Request toServer = bob.nextInvite();
        assertNotNull(bob.nextAck());

        assertEquals(200, ok.getStatusCode());
        var clientLeg = fixture.server.keptTransaction(((ViaHeader) ok.getHeader(ViaHeader.NAME)).getBranch(), true);
        var serverLeg = fixture.server.keptTransaction(
                ((ViaHeader) toServer.getHeader(ViaHeader.NAME)).getBranch(), false);
        assertNotNull(clientLeg, "the stack keeps the client leg's INVITE transaction");
        assertNotNull(serverLeg, "the stack keeps the server leg's INVITE transaction");
        // the relay ends (and wipes) once the ACK has gone on to the server agent
        Polling.until(() -> wiped(serverLeg.getOriginalRequest().getRawContent()));
        if (clientLeg.getLastResponse() != null) { // the stack dropped it here; if it keeps it, it must be wiped
            assertTrue(wiped(clientLeg.getLastResponse().getRawContent()));
        }
    }

    private static boolean wiped(byte[] body) {
        assertTrue(body != null && body.length > 100, "an SA body was kept");
        return java.util.Arrays.equals(new byte[body.length], body);
    }

    @Test
    void reachesAServerByItsBoundHostAndPort() throws Exception {
        TestAgent carol = fixture.serverAgent("sip:carol@example.com", new HostPort("shop.example.com", 443));
        TestAgent dave = fixture.client("sip:dave@example.com");

        Response ok = dave.invite("sips:shop.example.com:443");

        assertEquals(200, ok.getStatusCode());
        SecurityAssociation sa = dave.association(ok);
        assertEquals("sip:carol@example.com", sa.server().identity());
        assertEquals(new HostPort("shop.example.com", 443), sa.server().address().orElseThrow());
        assertNotNull(carol.nextInvite());
    }
}
