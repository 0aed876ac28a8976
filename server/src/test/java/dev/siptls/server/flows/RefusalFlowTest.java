package dev.siptls.server.flows;

import static dev.siptls.server.flows.Flows.SUITE_128;
import static dev.siptls.server.flows.Flows.SUITE_RSA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.AssociationRefusedException;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a client agent sees when it cannot have an SA: the key server's (or the server agent's) refusal. */
class RefusalFlowTest {

    private static Flows flows;
    private static SipTlsAgent alice;
    private static SipTlsAgent bob;
    private static SipTlsAgent rsaOnly;
    private static SipTlsAgent picky;
    private static SipTlsAgent outsider;

    @BeforeAll
    static void register() throws Exception {
        flows = new Flows();
        alice = flows.client("sip:alice@example.com", SUITE_128);
        bob = flows.serverAgent("sip:bob@example.com", new HostPort("www.example.com", 8443), SUITE_128);
        rsaOnly = flows.serverAgent("sip:dave@example.com", new HostPort("rsa.example.com", 443), SUITE_RSA);
        picky = flows.serverAgent("sip:erin@example.com", new HostPort("picky.example.com", 443),
                sa -> Optional.of("client certificate not trusted here"), SUITE_128);
        outsider = flows.client("sip:mallory@example.org", SUITE_128);
        Flows.awaitRegistered(alice, bob, rsaOnly, picky, outsider);
    }

    @AfterAll
    static void close() {
        flows.close();
    }

    @Test
    void anUnknownTargetIsRefusedWith404() {
        AssociationRefusedException e = refusal(alice.requestAssociation("sip:nobody@example.com"));

        assertEquals(404, e.statusCode());
    }

    @Test
    void anUnboundHostAndPortIsRefusedWith404() {
        assertEquals(404, refusal(alice.requestAssociation("nowhere.example.com:443")).statusCode());
    }

    @Test
    void aClientOfAnotherDomainIsRefusedWith403() {
        assertEquals(403, refusal(outsider.requestAssociation("sip:bob@example.com")).statusCode());
    }

    @Test
    void policiesWithoutACommonSuiteAreRefusedWith488() {
        assertEquals(488, refusal(alice.requestAssociation("sip:dave@example.com")).statusCode());
        assertEquals(0, rsaOnly.associations().size());
    }

    @Test
    void theServerAgentsRefusalReachesTheClientWithItsReason() {
        AssociationRefusedException e = refusal(alice.requestAssociation("picky.example.com:443"));

        assertEquals(488, e.statusCode());
        assertEquals("client certificate not trusted here", e.reason());
        assertEquals(0, picky.associations().size());
        assertTrue(picky.statistics().associationsRefusedAsServer() >= 1);
    }

    @Test
    void refusalsAreCountedByStatusCode() {
        refusal(alice.requestAssociation("sip:nobody2@example.com"));

        Map<Integer, Long> byCode = alice.statistics().associationsRefusedByCode();
        assertTrue(byCode.getOrDefault(404, 0L) >= 1, byCode.toString());
    }

    @Test
    void aMalformedTargetFailsWithoutAskingTheKeyServer() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> alice.requestAssociation("no port here").get(10, TimeUnit.SECONDS));

        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    private static AssociationRefusedException refusal(CompletableFuture<SecurityAssociation> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(AssociationRefusedException.class, e.getCause());
    }
}
