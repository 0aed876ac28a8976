package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.TlsIdentity;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

class RegistrationTest extends OnOneKeyServer {

    @Test
    void registersAnAorItsCertificateProvesAndGrantsTheRequestedExpiry() throws Exception {
        TestAgent agent = fixture.agent("sip:reg-ok@example.com");

        Response ok = agent.register(900);

        assertEquals(200, ok.getStatusCode());
        assertEquals(900, TestAgent.grantedExpires(ok));
    }

    @Test
    void refusesToRegisterAnAorTheCertificateDoesNotProve() throws Exception {
        TestAgent mallory = fixture.agent(fixture.pki.agent("sip:mallory@example.com"), "sip:victim@example.com");

        Response refused = mallory.register(600);

        assertEquals(403, refused.getStatusCode());
        assertEquals("Certificate does not prove sip:victim@example.com", refused.getReasonPhrase());
    }

    @Test
    void refusesAnIntervalBelowTheMinimumWithMinExpires() throws Exception {
        TestAgent agent = fixture.agent("sip:reg-brief@example.com");

        Response refused = agent.register(10);

        assertEquals(423, refused.getStatusCode());
        assertEquals(60, ((MinExpiresHeader) refused.getHeader(MinExpiresHeader.NAME)).getExpires());
    }

    @Test
    void clampsAnIntervalAboveTheMaximum() throws Exception {
        TestAgent agent = fixture.agent("sip:reg-long@example.com");

        Response ok = agent.register(86_400);

        assertEquals(200, ok.getStatusCode());
        assertEquals(3600, TestAgent.grantedExpires(ok));
    }

    @Test
    void grantsTheDefaultExpiryWhenNoneIsAsked() throws Exception {
        TestAgent agent = fixture.agent("sip:reg-default@example.com");

        Response ok = agent.register(-1);

        assertEquals(600, TestAgent.grantedExpires(ok));
    }

    @Test
    void aRefreshFromANewConnectionRebindsTheFlow() throws Exception {
        TlsIdentity erin = fixture.pki.agent("sip:erin@example.com");
        TestAgent first = fixture.agent(erin, "sip:erin@example.com");
        assertEquals(200, first.register(600).getStatusCode());
        assertEquals(200, fixture.publishServerPolicy(first, new HostPort("erin.example.com", 443)).getStatusCode());
        TestAgent second = fixture.agent(erin, "sip:erin@example.com");
        assertEquals(200, second.register(600).getStatusCode());
        TestAgent client = fixture.client("sip:frank@example.com");

        assertEquals(200, client.invite("sips:erin@example.com").getStatusCode());

        assertNotNull(second.nextInvite(), "the server leg goes over the new flow");
        assertEquals(0, first.invites.size());
        assertEquals(403, first.invite("sips:frank@example.com").getStatusCode(),
                "the old connection no longer speaks for the AOR");
    }

    /** An agent's keep-alive (docs/PROTOCOL.md): OPTIONS over its flow gets 200, and the flow stays its own. */
    @Test
    void answersAKeepAliveOptionsOverARegisteredFlowAndKeepsTheRegistration() throws Exception {
        HostPort binding = new HostPort("kept.example.com", 443);
        TestAgent kim = fixture.serverAgent("sip:kim@example.com", binding);
        TestAgent client = fixture.client("sip:lou@example.com");

        Response ok = kim.send(kim.request(Request.OPTIONS, "sips:example.com", "sips:example.com"));

        assertEquals(200, ok.getStatusCode());
        assertEquals(200, client.invite("sips:kept.example.com:443").getStatusCode());
        assertNotNull(kim.nextInvite(), "the SA still reaches the agent over the flow its keep-alive used");
    }

    @Test
    void expiresZeroRemovesTheRegistrationAndItsPolicy() throws Exception {
        HostPort binding = new HostPort("gone.example.com", 443);
        TestAgent gina = fixture.serverAgent("sip:gina@example.com", binding);
        TestAgent client = fixture.client("sip:hank@example.com");

        assertEquals(200, gina.register(0).getStatusCode());

        assertEquals(480, client.invite("sips:gina@example.com").getStatusCode());
        assertEquals(404, client.invite("sips:gone.example.com:443").getStatusCode());
        TestAgent other = fixture.agent("sip:ivan@example.com");
        assertEquals(200, other.register(600).getStatusCode());
        assertEquals(200, fixture.publishServerPolicy(other, binding).getStatusCode(),
                "the binding is free again");
    }
}
