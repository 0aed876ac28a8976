package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.siptls.protocol.HostPort;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

class InviteRefusalTest extends OnOneKeyServer {

    @Test
    void refusesASenderNotRegisteredOnThisConnection() throws Exception {
        fixture.serverAgent("sip:inv-target1@example.com", new HostPort("t1.example.com", 443));
        TestAgent unregistered = fixture.agent("sip:inv-stranger@example.com");

        Response refused = unregistered.invite("sips:inv-target1@example.com");

        assertEquals(403, refused.getStatusCode());
        assertEquals(1, fixture.refusals(403, "sender-not-registered"));
    }

    @Test
    void answers404ForAnUnknownAor() throws Exception {
        TestAgent client = fixture.client("sip:inv-c404@example.com");

        assertEquals(404, client.invite("sips:nobody@example.com").getStatusCode());
    }

    @Test
    void answers404ForAHostAndPortNobodyBinds() throws Exception {
        TestAgent client = fixture.client("sip:inv-c404b@example.com");

        assertEquals(404, client.invite("sips:nowhere.example.com:443").getStatusCode());
    }

    @Test
    void answers480ForAKnownAorNotRegisteredNow() throws Exception {
        TestAgent gone = fixture.serverAgent("sip:inv-gone@example.com", new HostPort("t2.example.com", 443));
        assertEquals(200, gone.register(0).getStatusCode());
        TestAgent client = fixture.client("sip:inv-c480@example.com");

        assertEquals(480, client.invite("sips:inv-gone@example.com").getStatusCode());
    }

    @Test
    void answers480ForATargetWithoutPolicy() throws Exception {
        TestAgent bare = fixture.agent("sip:inv-bare@example.com");
        assertEquals(200, bare.register(600).getStatusCode());
        TestAgent client = fixture.client("sip:inv-c480b@example.com");

        assertEquals(480, client.invite("sips:inv-bare@example.com").getStatusCode());
    }

    @Test
    void refusesATargetTheAuthorizationRuleForbids() throws Exception {
        fixture.serverAgent("sip:inv-other@other.example", new HostPort("t3.other.example", 443));
        TestAgent client = fixture.client("sip:inv-c403@example.com");

        Response refused = client.invite("sips:inv-other@other.example");

        assertEquals(403, refused.getStatusCode());
        assertEquals(1, fixture.refusals(403, "not-authorized"));
    }

    @Test
    void answers488WithoutACommonCipherSuite() throws Exception {
        fixture.serverAgent("sip:inv-rsa@example.com", new HostPort("t4.example.com", 443), Fixture.SUITE_RSA);
        TestAgent client = fixture.client("sip:inv-c488@example.com", Fixture.SUITE_128);

        assertEquals(488, client.invite("sips:inv-rsa@example.com").getStatusCode());
    }

    @Test
    void answers408WhenTheServerAgentDoesNotAnswer() throws Exception {
        TestAgent silent = fixture.serverAgent("sip:inv-silent@example.com", new HostPort("t5.example.com", 443));
        silent.answer = request -> TestAgent.SILENT;
        TestAgent client = fixture.client("sip:inv-c408@example.com");

        Response timedOut = client.invite("sips:inv-silent@example.com");

        assertEquals(408, timedOut.getStatusCode());
        assertNull(timedOut.getRawContent());
        assertNotNull(silent.nextInvite());
    }

    @Test
    void relaysTheServerAgentsRefusalWithItsReason() throws Exception {
        TestAgent picky = fixture.serverAgent("sip:inv-picky@example.com", new HostPort("t6.example.com", 443));
        picky.answer = request -> 488;
        picky.answerReason = "Lifetime too long";
        TestAgent client = fixture.client("sip:inv-crelay@example.com");

        Response refused = client.invite("sips:inv-picky@example.com");

        assertEquals(488, refused.getStatusCode());
        assertEquals("Lifetime too long", refused.getReasonPhrase());
        assertNull(refused.getRawContent());
    }

    @Test
    void acksTheServerLegAnywayWhenTheClientNeverAcks() throws Exception {
        TestAgent server = fixture.serverAgent("sip:inv-noack@example.com", new HostPort("noack.example.com", 443));
        TestAgent client = fixture.client("sip:inv-cnoack@example.com");
        client.autoAck = false;

        assertEquals(200, client.invite("sips:inv-noack@example.com").getStatusCode());
        Request toServer = server.nextInvite();
        Request ack = server.nextAck();

        assertNotNull(ack, "the server leg is ACKed once relayTimeout has passed");
        assertEquals(callId(toServer), callId(ack));
    }

    @Test
    void acksAServerAgentsOkThatCameAfterTheTimeout() throws Exception {
        TestAgent late = fixture.serverAgent("sip:inv-late@example.com", new HostPort("late.example.com", 443));
        CountDownLatch clientAnswered = new CountDownLatch(1);
        late.answer = request -> { // 200, but only once the client has had its 408
            try {
                clientAnswered.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 200;
        };
        TestAgent client = fixture.client("sip:inv-clate@example.com");

        Response timedOut = client.invite("sips:inv-late@example.com");
        clientAnswered.countDown();

        assertEquals(408, timedOut.getStatusCode());
        Request toServer = late.nextInvite();
        Request ack = late.nextAck();
        assertNotNull(ack, "a 200 after the 408 is ACKed, so that the agent stops");
        assertEquals(callId(toServer), callId(ack));
        assertEquals(Request.ACK, ((CSeqHeader) ack.getHeader(CSeqHeader.NAME)).getMethod());
    }

    private static String callId(Request request) {
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    @Test
    void aCancelledInviteIsAnswered487() throws Exception {
        TestAgent slow = fixture.serverAgent("sip:inv-slow@example.com", new HostPort("t8.example.com", 443));
        slow.answer = request -> TestAgent.SILENT;
        TestAgent client = fixture.client("sip:inv-ccancel@example.com");
        CompletableFuture<Response> answer = new CompletableFuture<>();
        ClientTransaction invite = client.sendAsync(client.inviteRequest("sips:inv-slow@example.com"), answer);
        assertNotNull(slow.nextInvite());

        Response cancelled = client.send(invite.createCancel());

        assertEquals(200, cancelled.getStatusCode());
        assertEquals(487, TestAgent.await(answer).getStatusCode());
    }

    @Test
    void aReplayedInviteGetsNoSecondSecurityAssociation() throws Exception {
        TestAgent server = fixture.serverAgent("sip:inv-replay@example.com", new HostPort("t7.example.com", 443));
        TestAgent client = fixture.client("sip:inv-creplay@example.com");
        Request invite = client.inviteRequest("sips:inv-replay@example.com");
        assertEquals(200, client.send(invite).getStatusCode());
        assertNotNull(server.nextInvite());
        assertNotNull(server.nextAck());

        Response replayed = client.send(client.replay(invite));

        assertEquals(482, replayed.getStatusCode());
        assertNull(replayed.getRawContent());
        assertNull(server.invites.poll(200, TimeUnit.MILLISECONDS));
    }
}
