package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.TlsIdentity;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

/**
 * The key server vouches only for chains whose key the publishing agent proved to it, validated as whole
 * paths (docs/PROTOCOL.md, "Proof of possession"); each attack of an enrolled insider is tried over a real
 * mutual-TLS connection.
 */
class PossessionTest extends OnOneKeyServer {

    @Test
    void aServersPublicChainWithoutItsKeyBindsNothing() throws Exception {
        HostPort www = new HostPort("www-public.example.com", 8443);
        TestAgent eve = registered("sip:pop-eve@example.com");
        long before = fixture.refusals(403, "no-proof-of-possession");

        Response refused = eve.publish(fixture.serverPolicy(www));

        assertEquals(403, refused.getStatusCode());
        assertEquals("No proof of possession of the certificate's key", refused.getReasonPhrase());
        assertEquals(before + 1, fixture.refusals(403, "no-proof-of-possession"));
        TestAgent client = fixture.client("sip:pop-client@example.com");
        assertEquals(404, client.invite("sips:" + www).getStatusCode());
        assertEquals(0, eve.invites.size());
    }

    @Test
    void aSignatureByAnotherKeyIsNoProof() throws Exception {
        HostPort www = new HostPort("www-forged.example.com", 8443);
        TestAgent eve = registered("sip:pop-forger@example.com");

        Response refused = eve.publishProven(fixture.serverPolicy(www),
                fixture.pki.agent("sip:pop-forger@example.com").privateKey());

        assertEquals(403, refused.getStatusCode());
        assertEquals("No proof of possession of the certificate's key", refused.getReasonPhrase());
    }

    @Test
    void aTrustAnchorFollowedByASelfSignedCertificateIsNotTrusted() throws Exception {
        TestAgent eve = registered("sip:pop-anchor@example.com");
        SelfSigned google = SelfSigned.forHost("www.google.com");
        List<X509Certificate> chain = List.of(fixture.pki.ca().certificate(), google.certificate());
        long before = fixture.refusals(403, "untrusted-chain");

        Response asServer = eve.publish(SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .binding(new HostPort("www.google.com", 443)).certificateChain(chain).build());
        Response asClient = eve.publish(SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .certificateChain(chain).build());

        assertEquals(403, asServer.getStatusCode());
        assertEquals("Certificate chain not trusted", asServer.getReasonPhrase());
        assertEquals(403, asClient.getStatusCode());
        assertEquals("Certificate chain not trusted", asClient.getReasonPhrase());
        assertEquals(before + 2, fixture.refusals(403, "untrusted-chain"));
    }

    @Test
    void aTrustedPathFollowedByAnUnrelatedCertificateIsNotTrusted() throws Exception {
        HostPort www = new HostPort("www-tail.example.com", 443);
        TestAgent bob = registered("sip:pop-tail@example.com");
        TlsIdentity tls = fixture.tlsServer(www.host());
        List<X509Certificate> chain = new ArrayList<>(tls.chain());
        chain.add(SelfSigned.forHost("unrelated.example.org").certificate());
        SecurityPolicy policy = SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128).binding(www)
                .certificateChain(chain).build();

        Response refused = bob.publishProven(policy, tls.privateKey());

        assertEquals(403, refused.getStatusCode());
        assertEquals("Certificate chain not trusted", refused.getReasonPhrase());
        assertEquals(200, fixture.publishServerPolicy(bob, www).getStatusCode(), "the same path without the tail");
    }

    @Test
    void aTrustAnchorAloneIsNoServerCertificate() throws Exception {
        TestAgent eve = registered("sip:pop-ca@example.com");
        SecurityPolicy policy = SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .binding(new HostPort("www-ca.example.com", 443))
                .certificateChain(List.of(fixture.pki.ca().certificate())).build();

        Response refused = eve.publish(policy);

        assertEquals(403, refused.getStatusCode());
        assertEquals("Certificate chain not trusted", refused.getReasonPhrase());
    }

    @Test
    void anotherAgentsClientCertificateNeverReachesAnAssociation() throws Exception {
        TlsIdentity alice = fixture.pki.agent("sip:pop-alice@example.com");
        TestAgent eve = registered("sip:pop-eve2@example.com");
        TestAgent bob = fixture.serverAgent("sip:pop-bob@example.com", new HostPort("www-bob.example.com", 443));
        long before = fixture.refusals(403, "no-proof-of-possession");

        Response refused = eve.publish(SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .certificateChain(alice.chain()).build());
        assertEquals(403, refused.getStatusCode());
        assertEquals(before + 1, fixture.refusals(403, "no-proof-of-possession"));
        assertEquals(200, eve.publish(fixture.clientPolicy()).getStatusCode());

        Response ok = eve.invite("sips:pop-bob@example.com");

        assertEquals(200, ok.getStatusCode());
        SecurityAssociation sa = eve.association(ok);
        assertEquals("sip:pop-eve2@example.com", sa.client().identity());
        assertEquals(List.of(), sa.client().certificateChain());
        Request offered = bob.nextInvite();
        assertNotNull(offered);
        SecurityAssociation atServer = bob.association(offered);
        assertFalse(atServer.client().certificateChain().contains(alice.certificate()));
    }

    @Test
    void aClientChainIsProvenByTheAgentsOwnConnectionOrBySignature() throws Exception {
        TlsIdentity carol = fixture.pki.agent("sip:pop-carol@example.com");
        TestAgent viaConnection = fixture.agent(carol, "sip:pop-carol@example.com");
        assertEquals(200, viaConnection.register(600).getStatusCode());
        TestAgent dave = registered("sip:pop-dave@example.com");
        TlsIdentity daveApp = fixture.pki.identity("dave-app", List.of("sip:pop-dave@example.com"));
        TestAgent bob = fixture.serverAgent("sip:pop-bob2@example.com", new HostPort("www-bob2.example.com", 443));
        SecurityPolicy carolPolicy = SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .certificateChain(carol.chain()).build();
        SecurityPolicy davePolicy = SecurityPolicy.builder().cipherSuite(Fixture.SUITE_128)
                .certificateChain(daveApp.chain()).build();

        assertEquals(200, viaConnection.publish(carolPolicy).getStatusCode(), "its own mutual-TLS certificate");
        assertEquals(200, dave.publishProven(davePolicy, daveApp.privateKey()).getStatusCode());

        SecurityAssociation carolSa = viaConnection.association(viaConnection.invite("sips:pop-bob2@example.com"));
        SecurityAssociation daveSa = dave.association(dave.invite("sips:pop-bob2@example.com"));
        assertEquals(carol.chain(), carolSa.client().certificateChain());
        assertEquals(daveApp.chain(), daveSa.client().certificateChain());
        assertEquals("sip:pop-dave@example.com", daveSa.client().identity());
        assertEquals(2, bob.invites.size());
    }

    @Test
    void aValidProofBindsTheHostAndTheAssociationCarriesThatChain() throws Exception {
        HostPort www = new HostPort("www-proven.example.com", 8443);
        TestAgent bob = registered("sip:pop-owner@example.com");

        assertEquals(200, fixture.publishServerPolicy(bob, www).getStatusCode());

        TestAgent client = fixture.client("sip:pop-client2@example.com");
        Response ok = client.invite("sips:" + www);
        assertEquals(200, ok.getStatusCode());
        SecurityAssociation sa = client.association(ok);
        assertEquals(fixture.tlsServer(www.host()).chain(), sa.server().certificateChain());
        assertEquals("sip:pop-owner@example.com", sa.server().identity());
    }

    @Test
    void aProofOverTheNonceOfAnEarlierConnectionIsRefused() throws Exception {
        HostPort www = new HostPort("www-stale.example.com", 443);
        TlsIdentity frank = fixture.pki.agent("sip:pop-frank@example.com");
        TestAgent earlier = fixture.agent(frank, "sip:pop-frank@example.com");
        assertEquals(200, earlier.register(600).getStatusCode());
        byte[] oldNonce = earlier.challenge;
        TestAgent later = fixture.agent(frank, "sip:pop-frank@example.com");
        assertEquals(200, later.register(600).getStatusCode());
        assertFalse(java.util.Arrays.equals(oldNonce, later.challenge), "a new connection gets a new nonce");
        TlsIdentity tls = fixture.tlsServer(www.host());

        Response stale = later.publish(later.prove(fixture.serverPolicy(www), tls.privateKey(), oldNonce));

        assertEquals(403, stale.getStatusCode());
        assertEquals("No proof of possession of the certificate's key", stale.getReasonPhrase());
        assertEquals(200, later.publishProven(fixture.serverPolicy(www), tls.privateKey()).getStatusCode());
    }

    @Test
    void aRefreshOnTheSameConnectionKeepsTheNonce() throws Exception {
        TestAgent agent = registered("sip:pop-refresh@example.com");
        byte[] first = agent.challenge;

        assertEquals(200, agent.register(600).getStatusCode());

        assertTrue(java.util.Arrays.equals(first, agent.challenge));
        assertEquals(200, fixture.publishServerPolicy(agent, new HostPort("www-refresh.example.com", 443))
                .getStatusCode());
    }

    @Test
    void byDefaultAnAgentMayServeAnyHostItsProvenCertificateNames() throws Exception {
        TestAgent bob = registered("sip:pop-foreign@example.com");

        assertEquals(200, fixture.publishServerPolicy(bob, new HostPort("www.example.net", 443)).getStatusCode());
    }

    @Test
    void theSameDomainRuleRefusesAForeignHost() throws Exception {
        try (Fixture sameDomain = new Fixture(b -> b.serving(ServingRule.sameDomain()).registerMBean(false))) {
            TestAgent bob = sameDomain.agent("sip:bob@example.com");
            assertEquals(200, bob.register(600).getStatusCode());

            Response refused = sameDomain.publishServerPolicy(bob, new HostPort("www.example.net", 443));

            assertEquals(403, refused.getStatusCode());
            assertEquals("sip:bob@example.com may not serve www.example.net", refused.getReasonPhrase());
            assertEquals(1, sameDomain.refusals(403, "host-not-allowed"));
            assertEquals(200, sameDomain.publishServerPolicy(bob, new HostPort("www.example.com", 443)).getStatusCode());
            assertEquals(200, sameDomain.publishServerPolicy(bob, new HostPort("example.com", 443)).getStatusCode());
            assertEquals(403, sameDomain.publishServerPolicy(bob, new HostPort("badexample.com", 443)).getStatusCode());
        }
    }

    private static TestAgent registered(String aor) throws Exception {
        TestAgent agent = fixture.agent(aor);
        assertEquals(200, agent.register(600).getStatusCode());
        return agent;
    }

    @Test
    void aBindingNamesOneHostWithoutWildcardOrTrailingDot() throws Exception {
        int n = 0;
        for (String host : List.of("*.wild.example.com", "dot.example.com.")) {
            TestAgent agent = registered("sip:pop-binding-" + (n++) + "@example.com");
            Response refused = fixture.publishServerPolicy(agent, new HostPort(host, 443));
            assertEquals(403, refused.getStatusCode(), host + ": " + refused.getReasonPhrase());
        }
    }
}
