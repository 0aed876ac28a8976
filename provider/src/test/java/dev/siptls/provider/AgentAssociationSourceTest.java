package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.AssociationRefusedException;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the provider asks its agent for SAs: bounded waits, no asking when the agent cannot, one request per
 * peer at a time, and an explained miss for every failure. The agent is a stand-in here (its futures are
 * what the test makes of them); the real one is exercised by the system tests.
 */
@Timeout(30)
class AgentAssociationSourceTest {

    private static final Duration TIMEOUT = Duration.ofMillis(200);

    /** An agent whose answers the test controls. */
    private static final class StandInAgent implements AgentAssociationSource.Agent {
        volatile Optional<String> notRegistered = Optional.empty();
        volatile CompletableFuture<SecurityAssociation> answer = new CompletableFuture<>();
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> forgotten = new CopyOnWriteArrayList<>();

        @Override
        public Optional<SecurityAssociation> held(HostPort server, List<String> suites) {
            return Optional.empty();
        }

        @Override
        public Optional<SecurityAssociation> bySessionId(byte[] sessionId, dev.siptls.agent.AssociationStore.Role role) {
            return Optional.empty();
        }

        @Override
        public List<SecurityAssociation> held(dev.siptls.agent.AssociationStore.Role role) {
            return List.of();
        }

        @Override
        public Optional<String> notRegistered() {
            return notRegistered;
        }

        @Override
        public CompletableFuture<SecurityAssociation> request(String target) {
            requests.add(target);
            return answer;
        }

        @Override
        public void forget(String sessionIdHex) {
            forgotten.add(sessionIdHex);
        }
    }

    private final StandInAgent agent = new StandInAgent();
    private final ProviderStatistics statistics = new ProviderStatistics();
    private final AgentAssociationSource source = new AgentAssociationSource(agent, TIMEOUT, statistics);

    @Test
    void anAssociationTheServerDidNotResumeIsForgotten() {
        source.declined("ab12");

        assertEquals(List.of("ab12"), agent.forgotten);
    }

    @Test
    void keyServerThatNeverAnswersCostsOneRequestTimeoutThenAMiss() {
        assertTrue(source.forPeer("localhost", 8443).isEmpty());

        assertEquals(FallbackReason.REQUEST_TIMEOUT, source.lastMiss().orElseThrow().reason());
        assertEquals(List.of("localhost:8443"), agent.requests);
    }

    @Test
    void peerWhoseRequestJustFailedIsNotAskedForAgain() {
        source.forPeer("localhost", 8443);

        assertTrue(source.forPeer("localhost", 8443).isEmpty());

        assertEquals(FallbackReason.REQUEST_TIMEOUT, source.lastMiss().orElseThrow().reason());
        assertTrue(source.lastMiss().orElseThrow().detail().contains("not asked again yet"));
        assertEquals(1, agent.requests.size());
    }

    @Test
    void unregisteredAgentIsNotAsked() {
        agent.notRegistered = Optional.of("sip:alice@example.com is RETRYING (connection refused)");

        assertTrue(source.forPeer("localhost", 8443).isEmpty());

        assertEquals(FallbackReason.KEY_SERVER_UNAVAILABLE, source.lastMiss().orElseThrow().reason());
        assertTrue(source.lastMiss().orElseThrow().detail().contains("RETRYING (connection refused)"));
        assertEquals(List.of(), agent.requests);
    }

    @Test
    void refusalIsExplainedWithItsStatusCode() {
        agent.answer = CompletableFuture.failedFuture(new AssociationRefusedException(404, "Not Found"));

        assertTrue(source.forPeer("www.example.com", 443).isEmpty());

        HandshakeLedger.Miss miss = source.lastMiss().orElseThrow();
        assertEquals(FallbackReason.REQUEST_REFUSED, miss.reason());
        assertTrue(miss.detail().contains("404 Not Found"), miss.detail());
        assertEquals(1, statistics.requestFailures());
    }

    @Test
    void concurrentLookupsForOnePeerShareOneRequest() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Optional<SecurityAssociation>>> lookups = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                lookups.add(pool.submit(() -> source.forPeer("localhost", 8443)));
            }
            for (Future<Optional<SecurityAssociation>> lookup : lookups) {
                lookup.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, agent.requests.size());
    }

    @Test
    void associationAnsweredInTimeIsReturned() {
        SecurityAssociation sa = Associations.fresh().forServerAt(8443);
        agent.answer = CompletableFuture.completedFuture(sa);

        assertSame(sa, source.forPeer("localhost", 8443).orElseThrow());
        assertTrue(source.lastMiss().isEmpty());
        assertEquals(1, statistics.requestLatency().count());
    }
}
