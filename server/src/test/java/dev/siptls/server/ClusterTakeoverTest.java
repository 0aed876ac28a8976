package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.testing.TestPki;
import java.time.Duration;
import java.util.List;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An AOR that registers on one node and then on another (a moved agent, or a second process with its credentials):
 * the cluster holds one registration per AOR, the newest, as a lone key server does (docs/CLUSTER.md "Agents and a
 * node's failure"). Found by a red-team run against three CLI nodes; both tests fail on the code they were written
 * against.
 */
class ClusterTakeoverTest {

    private static final HostPort WWW = new HostPort("www.example.com", 8443);

    private final TestPki nodesPki = new TestPki();
    private final InMemorySharedState.Store store = new InMemorySharedState.Store();
    private Fixture fixture;
    private KeyServer b;

    @BeforeEach
    void start() throws Exception {
        fixture = new Fixture(c -> c.cluster(store.node("a"), links("a")));
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

    private TestAgent bobOn(KeyServer node) throws Exception {
        TestAgent bob = TestAgent.connect(node, fixture.pki.agent("sip:bob@example.com"), "sip:bob@example.com");
        assertEquals(200, bob.register(600).getStatusCode());
        assertEquals(200, fixture.publishServerPolicy(bob, WWW).getStatusCode());
        return bob;
    }

    @Test
    void aNodeWhoseRegistrationMovedToAnotherNodeNoLongerSendsSasOverTheOldFlow() throws Exception {
        TestAgent oldBob = bobOn(fixture.server);
        TestAgent newBob = bobOn(b);
        TestAgent alice = fixture.client("sip:alice@example.com");

        Response ok = alice.invite("sips:bob@example.com");

        assertEquals(200, ok.getStatusCode(), ok.getReasonPhrase());
        assertNull(oldBob.nextInviteWithin(Duration.ofMillis(500)),
                "node a sent bob's SA over the flow bob registered on before he registered on node b");
        assertNotNull(newBob.nextInviteWithin(Duration.ofSeconds(2)), "the SA goes to bob's newest registration");
        oldBob.close();
        newBob.close();
    }

    @Test
    void theLateCloseOfAMovedAgentsOldFlowLeavesItsBindingsToItsNewRegistration() throws Exception {
        TestAgent oldBob = bobOn(fixture.server);
        TestAgent newBob = bobOn(b);
        oldBob.close();
        // node a learns of the close at its flow check; wait until it has dropped the old registration
        Polling.until(() -> fixture.server.statistics().getCurrentRegistrations() == 0);
        TestAgent alice = fixture.client("sip:alice@example.com");

        Response byAddress = alice.invite("sips:www.example.com:8443");

        assertEquals(200, byAddress.getStatusCode(), "bob, registered on node b with the binding, still serves "
                + "www.example.com:8443: " + byAddress.getReasonPhrase());
        newBob.close();
    }
}
