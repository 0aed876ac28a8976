package dev.siptls.server.flows;

import static dev.siptls.server.flows.Flows.SUITE_128;
import static dev.siptls.server.flows.Flows.SUITE_256;
import static dev.siptls.server.flows.Flows.SUITE_RSA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The paper's figure 5: the client agent asks for an SA (INVITE), the key server hands the same SA to the
 * server agent and back to the client; both agents then hold it.
 */
class KeyDistributionFlowTest {

    private static final HostPort WWW = new HostPort("www.example.com", 8443);

    private static Flows flows;
    private static SipTlsAgent alice;
    private static SipTlsAgent bob;

    @BeforeAll
    static void register() throws Exception {
        flows = new Flows();
        alice = flows.client("sip:alice@example.com", SUITE_256, SUITE_128);
        bob = flows.serverAgent("sip:bob@example.com", WWW, SUITE_RSA, SUITE_128);
        Flows.awaitRegistered(alice, bob);
    }

    @AfterAll
    static void close() {
        flows.close();
    }

    @Test
    void bothAgentsHoldTheSameSaAfterARequestByAor() throws Exception {
        SecurityAssociation atClient = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);

        SecurityAssociation atServer = bob.associations().bySessionId(atClient.sessionId()).orElseThrow();
        assertSameAssociation(atClient, atServer);
        assertSame(atClient, alice.associations().bySessionId(atClient.sessionId()).orElseThrow());
    }

    @Test
    void bothAgentsHoldTheSameSaAfterARequestByHostAndPort() throws Exception {
        SecurityAssociation atClient = alice.requestAssociation("www.example.com:8443").get(10, TimeUnit.SECONDS);

        SecurityAssociation atServer = bob.associations().bySessionId(atClient.sessionId()).orElseThrow();
        assertSameAssociation(atClient, atServer);
        assertEquals(WWW, atClient.server().address().orElseThrow());
        assertSame(atClient, alice.associations().byPeer(WWW).orElseThrow());
    }

    @Test
    void theSuiteIsTheOneBothPoliciesAccept() throws Exception {
        SecurityAssociation sa = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);

        assertEquals(SUITE_128, sa.cipherSuite());
    }

    @Test
    void theSaCarriesBothIdentitiesAndTheShorterLifetime() throws Exception {
        SecurityAssociation sa = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);

        assertEquals("sip:alice@example.com", sa.client().identity());
        assertEquals("sip:bob@example.com", sa.server().identity());
        assertEquals(Duration.ofMinutes(30), sa.lifetime());
        assertEquals(2, sa.server().certificateChain().size());
    }

    @Test
    void eachRequestGetsAFreshSa() throws Exception {
        SecurityAssociation first = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);
        SecurityAssociation second = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);

        assertNotSame(first, second);
        assertEquals(false, first.sessionIdHex().equals(second.sessionIdHex()));
        assertSame(second, alice.associations().byPeer(WWW).orElseThrow());
    }

    @Test
    void manyRequestsInFlightAtOnceAllGetTheirOwnSa() throws Exception {
        List<CompletableFuture<SecurityAssociation>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(alice.requestAssociation(i % 2 == 0 ? "sip:bob@example.com" : "www.example.com:8443"));
        }

        Set<String> ids = new HashSet<>();
        for (CompletableFuture<SecurityAssociation> f : futures) {
            SecurityAssociation sa = f.get(30, TimeUnit.SECONDS);
            ids.add(sa.sessionIdHex());
            assertSameAssociation(sa, bob.associations().bySessionId(sa.sessionId()).orElseThrow());
        }
        assertEquals(50, ids.size());
    }

    @Test
    void continuationsRunOnTheAgentsNotifierNeverOnASipThread() throws Exception {
        String caller = Thread.currentThread().getName();
        for (int i = 0; i < 20; i++) {
            String thread = alice.requestAssociation("sip:bob@example.com")
                    .thenApply(sa -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);

            assertTrue(thread.endsWith("-notifier") || thread.equals(caller), thread);
        }
    }

    @Test
    void statisticsCountBothSides() throws Exception {
        long obtained = alice.statistics().associationsObtained();
        long accepted = bob.statistics().associationsAccepted();

        alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);

        assertEquals(obtained + 1, alice.statistics().associationsObtained());
        assertEquals(accepted + 1, bob.statistics().associationsAccepted());
    }

    private static void assertSameAssociation(SecurityAssociation atClient, SecurityAssociation atServer) {
        assertNotSame(atClient, atServer);
        assertEquals(atClient.sessionIdHex(), atServer.sessionIdHex());
        assertEquals(atClient.cipherSuite(), atServer.cipherSuite());
        assertArrayEquals(atClient.masterSecret(), atServer.masterSecret());
        assertEquals(atClient.expiryTime(), atServer.expiryTime());
        assertArrayEquals(atClient.client().random(), atServer.client().random());
        assertArrayEquals(atClient.server().random(), atServer.server().random());
    }
}
