package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.testing.TestPki;
import java.time.Duration;
import java.util.List;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two key servers sharing their state: an agent registered on one gets SAs for an agent registered on the other,
 * the INVITE passing between the nodes with the flow token of the agent's registration. The shared store is a
 * stand-in here; the cluster module runs the same over Infinispan.
 */
class ClusterRoutingTest {

    private final TestPki nodesPki = new TestPki();
    private final InMemorySharedState.Store store = new InMemorySharedState.Store();
    private Fixture fixture;
    private KeyServer b;
    private InMemorySharedState stateA;

    @BeforeEach
    void start() throws Exception {
        stateA = store.node("a");
        fixture = new Fixture(c -> c.cluster(stateA, links("a")));
        b = KeyServer.start(KeyServerConfig.builder().identity(fixture.pki.keyServer()).port(0).name("node-b")
                .relayTimeout(Duration.ofSeconds(2)).cluster(store.node("b"), links("b")).build());
    }

    private NodeLinks links(String node) {
        return new NodeLinks(nodesPki.identity("node-" + node, List.of("127.0.0.1")), "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        fixture.close();
        b.close();
    }

    @Test
    void anAgentOnOneNodeGetsAnSaForAnAgentOnTheOther() throws Exception {
        HostPort www = new HostPort("www.example.com", 8443);
        TestAgent bob = TestAgent.connect(b, fixture.pki.agent("sip:bob@example.com"), "sip:bob@example.com");
        assertEquals(200, bob.register(600).getStatusCode());
        assertEquals(200, fixture.publishServerPolicy(bob, www).getStatusCode());
        TestAgent alice = fixture.client("sip:alice@example.com");

        Response ok = alice.invite("sips:bob@example.com");

        assertEquals(200, ok.getStatusCode(), ok.getReasonPhrase());
        Request toServer = bob.nextInvite();
        assertNotNull(toServer);
        SecurityAssociation atClient = alice.association(ok);
        SecurityAssociation atServer = bob.association(toServer);
        assertEquals(atClient.sessionIdHex(), atServer.sessionIdHex());
        assertArrayEquals(atClient.masterSecret(), atServer.masterSecret());
        assertEquals("sip:alice@example.com", atServer.client().identity());
        assertEquals(1, fixture.server.statistics().getRelayedToNodes());
        assertEquals(1, b.statistics().getRelayedFromNodes());
        assertEquals(1, fixture.server.statistics().getSecurityAssociationsIssued());
        assertEquals(0, b.statistics().getSecurityAssociationsIssued(), "the SA is made once, by the client's node");

        Response byAddress = alice.invite("sips:www.example.com:8443");
        assertEquals(200, byAddress.getStatusCode(), "a binding published on the other node is found");
        // Each node publishes its totals at its next sweep: A has issued both SAs, each node registered one agent.
        Polling.until(() -> Long.valueOf(2).equals(b.statistics().getClusterTotals()
                .get("SecurityAssociationsIssued")) && Long.valueOf(2).equals(b.statistics().getClusterTotals()
                .get("TotalRegistrations")));
        bob.close();
    }

    /** A query (REGISTER without Contact) on one node finds a registration on the other, and names that node. */
    @Test
    void aQueryOnOneNodeNamesTheNodeTheAorIsRegisteredOnAndMovesNothing() throws Exception {
        var bobs = fixture.pki.agent("sip:bob@example.com");
        TestAgent bob = TestAgent.connect(b, bobs, "sip:bob@example.com");
        assertEquals(200, bob.register(600).getStatusCode());
        TestAgent check = fixture.agent(bobs, "sip:bob@example.com");

        Response elsewhere = check.query(-1);

        assertEquals(200, elsewhere.getStatusCode(), elsewhere.getReasonPhrase());
        String contact = RawPeer.header(elsewhere.toString(), "Contact");
        assertTrue(contact.matches("<sip:bob@example\\.com>;expires=\\d+;node=\"b\""), contact);
        assertEquals("b", AgentRecord.fromBytes(store.registrations.get("sip:bob@example.com")).nodeId(),
                "still registered on b");
        TestAgent alice = fixture.client("sip:alice@example.com");
        Response here = alice.query(-1);
        assertTrue(RawPeer.header(here.toString(), "Contact").matches(
                "<sip:alice@127\\.0\\.0\\.1:\\d+;transport=tls>;expires=\\d+;node=\"a\""), here.toString());
        bob.close();
    }

    @Test
    void anInviteFromANodeIsPassedOnOnlyWithATokenMintedForThatAgentAndFlow() throws Exception {
        TestAgent bob = TestAgent.connect(b, fixture.pki.agent("sip:bob@example.com"), "sip:bob@example.com");
        assertEquals(200, bob.register(600).getStatusCode());
        TestAgent carol = TestAgent.connect(b, fixture.pki.agent("sip:carol@example.com"), "sip:carol@example.com");
        assertEquals(200, carol.register(600).getStatusCode());
        String bobsToken = AgentRecord.fromBytes(store.registrations.get("sip:bob@example.com")).flowToken();
        java.net.InetSocketAddress links = b.nodeLinksAddress().orElseThrow();
        try (RawPeer node = RawPeer.connect(links, nodesPki.identity("node-x", List.of("127.0.0.1")))) {
            assertEquals(403, node.call(node.nodeInvite("sip:alice@example.com", "sips:bob@example.com",
                    "AAAAAAAAAAFvcmdlZC1tYWMtYnl0ZXM", links)), "a forged token");
            assertEquals(403, node.call(node.nodeInvite("sip:alice@example.com", "sips:carol@example.com",
                    bobsToken, links)), "bob's token used for carol");
            bob.close();
            TestAgent bobAgain = TestAgent.connect(b, fixture.pki.agent("sip:bob@example.com"),
                    "sip:bob@example.com");
            assertEquals(200, bobAgain.register(600).getStatusCode());
            assertEquals(480, node.call(node.nodeInvite("sip:alice@example.com", "sips:bob@example.com",
                    bobsToken, links)), "the token of a flow bob has left");
            bobAgain.close();
        }
        assertEquals(null, carol.nextInviteWithin(Duration.ofMillis(200)), "nothing was passed on");
        carol.close();
    }

    @Test
    void onlyTheClustersCertificatesReachTheLinksBetweenNodes() {
        java.net.InetSocketAddress links = b.nodeLinksAddress().orElseThrow();
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> {
            try (RawPeer agent = RawPeer.connect(links, fixture.pki.agent("sip:mallory@example.com"))) {
                agent.call(agent.options("sip:mallory@example.com", 0));
            }
        }, "an agent's certificate, from the agents' CA, is refused at the handshake");
    }

    @Test
    void anInviteAnsweredOnOneNodeIsAReplayOnAnother() throws Exception {
        HostPort www = new HostPort("www.example.com", 8443);
        TestAgent bob = TestAgent.connect(b, fixture.pki.agent("sip:bob@example.com"), "sip:bob@example.com");
        assertEquals(200, bob.register(600).getStatusCode());
        assertEquals(200, fixture.publishServerPolicy(bob, www).getStatusCode());
        TestAgent alice = fixture.client("sip:alice@example.com");
        Request invite = alice.inviteRequest("sips:bob@example.com");
        assertEquals(200, alice.send(invite).getStatusCode());
        alice.close();
        TestAgent aliceOnB = TestAgent.connect(b, fixture.pki.agent("sip:alice@example.com"),
                "sip:alice@example.com");
        assertEquals(200, aliceOnB.register(600).getStatusCode());
        assertEquals(200, aliceOnB.publish(fixture.clientPolicy(Fixture.SUITE_128)).getStatusCode());
        assertEquals(482, aliceOnB.send(aliceOnB.replay(invite)).getStatusCode());
        assertEquals(1, fixture.server.statistics().getSecurityAssociationsIssued()
                + b.statistics().getSecurityAssociationsIssued());
        aliceOnB.close();
        bob.close();
    }

    @Test
    void aBindingWhoseHolderIsRegisteredNowhereIsFreeAgain() throws Exception {
        HostPort www = new HostPort("www.example.com", 8443);
        TestAgent bob = TestAgent.connect(b, fixture.pki.agent("sip:bob@example.com"), "sip:bob@example.com");
        assertEquals(200, bob.register(600).getStatusCode());
        assertEquals(200, fixture.publishServerPolicy(bob, www).getStatusCode());
        TestAgent carol = fixture.agent("sip:carol@example.com");
        assertEquals(200, carol.register(600).getStatusCode());
        assertEquals(409, fixture.publishServerPolicy(carol, www).getStatusCode(), "held by bob, registered");
        // bob's node dies without a word: its record is gone from the shared state, its binding is not.
        store.registrations.remove("sip:bob@example.com");
        assertEquals(200, fixture.publishServerPolicy(carol, www).getStatusCode());
        assertEquals("sip:carol@example.com", store.bindings.get(www));
        bob.close();
        carol.close();
    }

    @Test
    void aNodeAnnouncesItsLinksAgainWhenTheSharedEntryIsNotItsOwn() throws Exception {
        java.net.InetSocketAddress own = b.nodeLinksAddress().orElseThrow();
        // What a merge can leave: the links address of an earlier process under this node's name.
        store.nodes.put("b", new java.net.InetSocketAddress("127.0.0.1", 9));
        Polling.until(() -> own.equals(store.nodes.get("b")));
    }

    @Test
    void aNodeOnTheMinoritySideRefusesWith503() throws Exception {
        TestAgent alice = fixture.client("sip:alice@example.com");
        stateA.available = false;
        Response refused = alice.invite("sips:bob@example.com");
        assertEquals(503, refused.getStatusCode());
        assertNotNull(refused.getHeader("Retry-After"));
        assertEquals(503, alice.register(600).getStatusCode());
        assertEquals(503, alice.send(alice.request("OPTIONS", "sips:example.com", "sip:alice@example.com"))
                .getStatusCode(), "keep-alives are answered 503 too, so that agents move to another node");
        stateA.available = true;
        assertTrue(fixture.server.statistics().getRefusals().containsKey("503 cluster-unavailable"));
    }
}
