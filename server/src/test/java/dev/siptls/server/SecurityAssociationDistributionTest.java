package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.InvalidBodyException;
import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import gov.nist.javax.sip.stack.SIPTransaction;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
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
    void leavesNoSaBodyInTheMessagesItsStackKept() throws Exception {
        TestAgent bob = fixture.serverAgent("sip:wipe-server@example.com", new HostPort("wipe.example.com", 443));
        TestAgent alice = fixture.client("sip:wipe-client@example.com");
        Request invite = alice.inviteRequest("sips:wipe-server@example.com");
        AtomicReference<SIPTransaction> clientLeg = new AtomicReference<>();
        AtomicReference<SIPTransaction> serverLeg = new AtomicReference<>();
        bob.answer = toServer -> { // both legs are in the key server's stack while the server agent answers
            clientLeg.set(fixture.server.keptTransaction(branch(invite), true));
            serverLeg.set(fixture.server.keptTransaction(branch(toServer), false));
            return 200;
        };
        CompletableFuture<Response> answered = new CompletableFuture<>();
        alice.sendAsync(invite, answered);

        assertEquals(200, TestAgent.await(answered).getStatusCode());
        assertNotNull(bob.nextAck());
        assertNotNull(clientLeg.get(), "the client leg's INVITE transaction was in the stack");
        assertNotNull(serverLeg.get(), "the server leg's INVITE transaction was in the stack");
        // the relay ends (and wipes) once the ACK has gone on to the server agent
        Polling.until(() -> wiped(serverLeg.get().getOriginalRequest().getRawContent()));
        // the client leg keeps its 200 encoded (the reason SA bodies are sealed); if it keeps the object, wiped
        Polling.until(() -> clientLeg.get().getLastResponse() == null
                || wiped(clientLeg.get().getLastResponse().getRawContent()));
    }

    @Test
    void keepsNoDialogAndDropsTheTransactionsOfAFinishedExchange() throws Exception {
        TestAgent bob = fixture.serverAgent("sip:stateless-server@example.com",
                new HostPort("stateless.example.com", 443));
        TestAgent alice = fixture.client("sip:stateless-client@example.com");

        Response ok = alice.invite("sips:stateless-server@example.com");
        Request toServer = bob.nextInvite();
        assertNotNull(bob.nextAck());

        assertEquals(200, ok.getStatusCode());
        assertEquals(0, fixture.server.dialogs(), "an SA exchange makes no dialog");
        Polling.until(() -> fixture.server.keptTransaction(branch(ok), true) == null
                && fixture.server.keptTransaction(branch(toServer), false) == null);
    }

    @Test
    void acksTheServerAgentsOkWithARequestOfItsOwn() throws Exception {
        TestAgent bob = fixture.serverAgent("sip:ack-server@example.com", new HostPort("ack.example.com", 443));
        TestAgent alice = fixture.client("sip:ack-client@example.com");

        assertEquals(200, alice.invite("sips:ack-server@example.com").getStatusCode());
        Request toServer = bob.nextInvite();
        Request ack = bob.nextAck();

        assertNotNull(ack);
        assertEquals(callId(toServer), callId(ack));
        CSeqHeader cseq = (CSeqHeader) ack.getHeader(CSeqHeader.NAME);
        assertEquals(Request.ACK, cseq.getMethod());
        assertEquals(((CSeqHeader) toServer.getHeader(CSeqHeader.NAME)).getSeqNumber(), cseq.getSeqNumber());
        assertEquals(((FromHeader) toServer.getHeader(FromHeader.NAME)).getTag(),
                ((FromHeader) ack.getHeader(FromHeader.NAME)).getTag());
        assertNotNull(((ToHeader) ack.getHeader(ToHeader.NAME)).getTag(), "the ACK carries the server agent's tag");
        assertNotEquals(branch(toServer), branch(ack), "an ACK for a 2xx is a transaction of its own");
        assertEquals("sips:ack-server@" + bob.localAddress().getAddress().getHostAddress() + ":"
                + bob.localAddress().getPort(), ack.getRequestURI().toString(), "sent to the 200's Contact");
        assertNull(ack.getRawContent(), "no SA in an ACK");
    }

    private static String branch(javax.sip.message.Message message) {
        return ((ViaHeader) message.getHeader(ViaHeader.NAME)).getBranch();
    }

    private static String callId(javax.sip.message.Message message) {
        return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
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
