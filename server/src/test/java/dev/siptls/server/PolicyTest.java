package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.sip.header.AcceptHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

class PolicyTest extends OnOneKeyServer {

    @Test
    void refusesAPolicyFromAnotherCertificateThanTheRegisteredOne() throws Exception {
        TestAgent registered = fixture.agent("sip:pol-a@example.com");
        assertEquals(200, registered.register(600).getStatusCode());
        TestAgent sameAorOtherCertificate = fixture.agent("sip:pol-a@example.com");

        Response refused = sameAorOtherCertificate.publish(fixture.clientPolicy());

        assertEquals(403, refused.getStatusCode());
    }

    @Test
    void refusesAPolicyFromAnUnregisteredAor() throws Exception {
        TestAgent agent = fixture.agent("sip:pol-unregistered@example.com");

        assertEquals(403, agent.publish(fixture.clientPolicy()).getStatusCode());
    }

    @Test
    void refusesABindingTheCertificateIsNotValidFor() throws Exception {
        TestAgent agent = registered("sip:pol-host@example.com");
        TlsIdentity www = fixture.tlsServer("www.example.com");
        SecurityPolicy policy = SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .binding(new HostPort("bank.example.net", 443)).certificateChain(www.chain()).build();

        Response refused = agent.publishProven(policy, www.privateKey());

        assertEquals(403, refused.getStatusCode());
        assertEquals("Certificate not valid for bank.example.net", refused.getReasonPhrase());
    }

    @Test
    void refusesAChainFromAnUntrustedAuthority() throws Exception {
        TestAgent agent = registered("sip:pol-ca@example.com");
        SecurityPolicy policy = SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .binding(new HostPort("rogue.example.com", 443))
                .certificateChain(new TestPki().identity("rogue", List.of("rogue.example.com")).chain()).build();

        Response refused = agent.publish(policy);

        assertEquals(403, refused.getStatusCode());
        assertEquals("Certificate chain not trusted", refused.getReasonPhrase());
    }

    @Test
    void refusesABindingAnotherAgentHolds() throws Exception {
        HostPort binding = new HostPort("taken.example.com", 8443);
        fixture.serverAgent("sip:pol-owner@example.com", binding);
        TestAgent second = registered("sip:pol-squatter@example.com");

        Response refused = fixture.publishServerPolicy(second, binding);

        assertEquals(409, refused.getStatusCode());
    }

    @Test
    void refusesADocumentTypeDeclarationWith400() throws Exception {
        TestAgent agent = registered("sip:pol-doctype@example.com");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE TLS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<TLS><CipherSuite>&x;</CipherSuite></TLS>";

        Response refused = agent.message(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE,
                xxe.getBytes(StandardCharsets.UTF_8));

        assertEquals(400, refused.getStatusCode());
        assertFalse(refused.getReasonPhrase().contains("root:"), refused.getReasonPhrase());
    }

    @Test
    void refusesEntityExpansionWith400() throws Exception {
        TestAgent agent = registered("sip:pol-laughs@example.com");
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE TLS [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
                + "<TLS><CipherSuite>&b;</CipherSuite></TLS>";

        Response refused = agent.message(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE,
                laughs.getBytes(StandardCharsets.UTF_8));

        assertEquals(400, refused.getStatusCode());
    }

    @Test
    void refusesAMalformedPolicyWithTheCodecReasonAndKeepsThePreviousOne() throws Exception {
        TestAgent server = fixture.serverAgent("sip:pol-keep@example.com", new HostPort("keep.example.com", 443));

        Response refused = server.message(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE,
                "<TLS><CipherSuite>TLS_NOT_A_SUITE</CipherSuite></TLS>".getBytes(StandardCharsets.UTF_8));

        assertEquals(400, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().contains("TLS_NOT_A_SUITE"), refused.getReasonPhrase());
        TestAgent client = fixture.client("sip:pol-keep-client@example.com");
        assertEquals(200, client.invite("sips:keep.example.com:443").getStatusCode());
    }

    @Test
    void refusesDeeplyNestedXmlWith400AndKeepsThePreviousPolicy() throws Exception {
        TestAgent server = fixture.serverAgent("sip:pol-deep@example.com", new HostPort("deep.example.com", 443));
        String deep = "<TLS>" + "<Binding>".repeat(3_000) + "</Binding>".repeat(3_000) + "</TLS>";

        Response refused = server.message(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE,
                deep.getBytes(StandardCharsets.UTF_8));

        assertEquals(400, refused.getStatusCode());
        TestAgent client = fixture.client("sip:pol-deep-client@example.com");
        assertEquals(200, client.invite("sips:deep.example.com:443").getStatusCode());
    }

    @Test
    void refusesABodyOverTheCodecLimitWith400() throws Exception {
        TestAgent agent = registered("sip:pol-big@example.com");
        byte[] big = ("<TLS><CipherSuite>" + "x".repeat(XmlCodec.MAX_BODY_BYTES) + "</CipherSuite></TLS>")
                .getBytes(StandardCharsets.UTF_8);

        Response refused = agent.message(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE, big);

        assertEquals(400, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().contains("exceeds"), refused.getReasonPhrase());
    }

    @Test
    void refusesOtherContentTypesWith415() throws Exception {
        TestAgent agent = registered("sip:pol-text@example.com");

        Response refused = agent.message("text", "plain", "hello".getBytes(StandardCharsets.UTF_8));

        assertEquals(415, refused.getStatusCode());
        AcceptHeader accept = (AcceptHeader) refused.getHeader(AcceptHeader.NAME);
        assertEquals(ContentTypes.POLICY_SUBTYPE, accept.getContentSubType());
    }

    private static TestAgent registered(String aor) throws Exception {
        TestAgent agent = fixture.agent(aor);
        assertEquals(200, agent.register(600).getStatusCode());
        return agent;
    }
}
