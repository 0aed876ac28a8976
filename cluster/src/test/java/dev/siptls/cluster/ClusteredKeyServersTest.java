package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.siptls.agent.AssociationRefusedException;
import dev.siptls.agent.AssociationStore.Role;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.server.KeyServerStatistics;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real key servers, each a node of one cluster over the real shared state ({@link ClusterNode}, loopback TLS,
 * the cluster's own CA), and real agents (clients and TLS servers with proof of possession, each given all three
 * key servers, spread so that their first key servers differ): SAs between agents on different nodes, a node cut
 * off and healed, an agent moving between nodes, and what the real store keeps that an in-memory stand-in would
 * not show.
 */
@Timeout(240)
class ClusteredKeyServersTest {

    /** Only there to turn a hang into a failure, never a claim about speed. */
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final String SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    /** Short against the defaults (15 s, 5 s), with room for a loaded machine's pauses. */
    private static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(2);
    /** How long an agent waits for each answer to its REGISTER and policy MESSAGE (README "Several key servers"). */
    private static final Duration REGISTRATION_ANSWER_BOUND = Duration.ofSeconds(5);
    private static final int FIRST_BINDING_PORT = 8440;

    private final TestPki pki = new TestPki();
    private final TestClusters clusters = new TestClusters();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private KeyServerNodes nodes;

    @AfterEach
    void closeAll() {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void associationsBetweenAgentsOnDifferentNodesAreMadeOnceByTheClientsNodeAndTravelBetweenNodes()
            throws Exception {
        start("routing", c -> { });
        List<SipTlsAgent> clients = new ArrayList<>();
        List<SipTlsAgent> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(client("client" + i, i));
            servers.add(tlsServer("server" + i, i, FIRST_BINDING_PORT + i));
        }
        for (int i = 0; i < 3; i++) {
            awaitOn(clients.get(i), i);
            awaitOn(servers.get(i), i);
        }

        long delivered = 0;
        long[] madeBy = new long[3];
        long[] relayedTo = new long[3];
        long[] relayedFrom = new long[3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                SipTlsAgent server = servers.get(j);
                // by AOR, and by the address the TLS server published (its binding, claimed on node j)
                for (String target : List.of(server.aor(), "localhost:" + (FIRST_BINDING_PORT + j))) {
                    association(clients.get(i), target, server);
                    delivered++;
                    madeBy[i]++;
                    if (i != j) {
                        relayedTo[i]++;
                        relayedFrom[j]++;
                    }
                }
            }
        }

        assertEquals(delivered, nodes.sum(KeyServerStatistics::getSecurityAssociationsIssued),
                "every SA delivered was issued once, by one node");
        for (int i = 0; i < 3; i++) {
            KeyServerStatistics s = nodes.server(i).statistics();
            assertEquals(madeBy[i], s.getSecurityAssociationsIssued(), "made by the client's node n" + i);
            assertEquals(relayedTo[i], s.getRelayedToNodes(), "server legs n" + i + " sent to other nodes");
            assertEquals(relayedFrom[i], s.getRelayedFromNodes(), "server legs n" + i + " took from other nodes");
            assertEquals(6, s.getClusterRegistrations(), "every node sees the six registrations");
            assertEquals(2, s.getCurrentRegistrations(), "n" + i + " holds the flows of its own two agents");
        }
        System.out.printf("FIGURE clustered key servers: %d SAs delivered between agents on 3 nodes, issued %s by "
                + "n0..n2, %d server legs between nodes%n", delivered, List.of(madeBy[0], madeBy[1], madeBy[2]),
                nodes.sum(KeyServerStatistics::getRelayedToNodes));
    }

    @Test
    void aCutOffNodeRefusesItsAgentsMoveAndItIssuesNothingUntilItServesAgain() throws Exception {
        start("split", c -> { });
        int lone = 2;
        List<SipTlsAgent> clients = new ArrayList<>();
        List<SipTlsAgent> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(client("client" + i, i));
            servers.add(tlsServer("server" + i, i, FIRST_BINDING_PORT + i));
        }
        // Given the cut-off node only, with keep-alives far apart and a long request timeout, so that it stays
        // there and every SA request it makes during the split reaches that node.
        SipTlsAgent stuck = agent("stuck", k -> k.keyServer(nodes.address(lone))
                .keepAliveInterval(Duration.ofMinutes(5)).requestTimeout(Duration.ofSeconds(15)));
        for (int i = 0; i < 3; i++) {
            awaitOn(clients.get(i), i);
            awaitOn(servers.get(i), i);
        }
        awaitOn(stuck, lone);
        SipTlsAgent target = servers.get(0);
        association(stuck, target.aor(), target);

        ClusterNode cut = nodes.node(lone);
        KeyServerStatistics loneStats = nodes.server(lone).statistics();
        long issuedBefore = loneStats.getSecurityAssociationsIssued();
        DISCARD discard = new DISCARD().discardAll(true);
        discard.addr(cut.channel().getAddress());
        cut.channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TCP.class);
        long cutAt = System.nanoTime();
        Asker asker = new Asker(stuck, target.aor());
        asker.start();

        TestClusters.await("the cut-off node refusing, the two others serving", EVENTUALLY, () -> !cut.available()
                && nodes.node(0).members().size() == 2 && nodes.node(0).available() && nodes.node(1).available());
        long refusingAt = System.nanoTime();
        List<SipTlsAgent> leaving = List.of(clients.get(lone), servers.get(lone));
        Duration moved = TestClusters.await("the cut-off node's agents on the others", EVENTUALLY,
                () -> leaving.stream().allMatch(a -> a.keyServer().map(k -> nodes.indexOf(k) != lone).orElse(false)));
        for (SipTlsAgent a : leaving) {
            assertTrue(a.awaitPolicyAccepted(EVENTUALLY), a.aor());
            assertTrue(a.statistics().failovers() >= 1, a.aor() + " moved");
        }
        Duration bound = KEEP_ALIVE_INTERVAL.plus(KEEP_ALIVE_TIMEOUT).plus(REGISTRATION_ANSWER_BOUND.multipliedBy(2));
        assertTrue(moved.compareTo(bound) <= 0, "moved " + moved.toMillis() + " ms after the node refused; "
                + "the agents' own bound is " + bound.toMillis() + " ms");

        long deliveredDuringSplit = 0;
        for (SipTlsAgent c : clients) {
            for (SipTlsAgent s : servers) {
                association(c, s.aor(), s);
                deliveredDuringSplit++;
            }
        }
        TestClusters.await("the cut-off node to refuse the stuck agent's requests", EVENTUALLY,
                () -> asker.refused503After(refusingAt) >= 3);
        asker.stop();
        assertEquals(0, asker.obtained.get(), "an SA obtained through the cut-off node");
        assertEquals(List.of(), asker.otherFailures, "every request to the cut-off node is refused");
        assertEquals(asker.refusedAfter(refusingAt), asker.refused503After(refusingAt),
                "once it refuses, the cut-off node answers 503: " + asker.statuses);
        assertEquals(issuedBefore, loneStats.getSecurityAssociationsIssued(), "SAs issued by the cut-off node");

        discard.discardAll(false);
        long healedAt = System.nanoTime();
        TestClusters.await("the cut-off node serving again", EVENTUALLY,
                () -> cut.members().size() == 3 && cut.available());
        long servingAt = System.nanoTime();
        association(stuck, target.aor(), target);
        SipTlsAgent late = client("late", lone);
        SipTlsAgent lateServer = tlsServer("late-server", lone, FIRST_BINDING_PORT + 9);
        awaitOn(late, lone);
        awaitOn(lateServer, lone);
        for (SipTlsAgent s : servers) {
            association(late, s.aor(), s);
        }
        association(clients.get(0), lateServer.aor(), lateServer);
        association(clients.get(1), "localhost:" + (FIRST_BINDING_PORT + 9), lateServer);
        assertEquals(issuedBefore + 1 + servers.size(), loneStats.getSecurityAssociationsIssued());

        System.out.printf("FIGURE split: the cut-off node refused %d ms after the cut; its %d agents were on the "
                + "others %d ms after it refused (keep-alive %d + %d ms); %d SAs among the majority meanwhile, %d "
                + "requests through the cut-off node refused (status: count %s), 0 issued there; serving again %d "
                + "ms after the link healed%n", millis(refusingAt - cutAt), leaving.size(), moved.toMillis(),
                KEEP_ALIVE_INTERVAL.toMillis(), KEEP_ALIVE_TIMEOUT.toMillis(), deliveredDuringSplit,
                asker.statuses.size(), asker.counts(), millis(servingAt - healedAt));
    }

    @Test
    void anAgentThatMovesIsReachedAtItsNewNodeAndTheOldNodesCleanupLeavesItsRecordAndBindings()
            throws Exception {
        start("move", c -> { });
        CuttableRelay relay = CuttableRelay.to(nodes.address(0));
        closing.add(relay);
        int port = FIRST_BINDING_PORT;
        HostPort binding = new HostPort("localhost", port);
        List<InetSocketAddress> viaRelay = List.of(relay.address(), nodes.address(1), nodes.address(2));
        SipTlsAgent mover = tlsServer("mover", 0, port, k -> k.keyServers(viaRelay));
        SipTlsAgent c0 = client("client0", 0);
        SipTlsAgent c1 = client("client1", 1);
        SipTlsAgent c2 = client("client2", 2);
        awaitOn(c0, 0);
        awaitOn(c1, 1);
        awaitOn(c2, 2);
        awaitOn(mover, relay.address());
        association(c1, mover.aor(), mover);

        // Its connection breaks on its side only: it registers on n1 while n0 still holds the old connection.
        long cutAt = System.nanoTime();
        relay.cutAgentSide();
        awaitOn(mover, 1);
        long movedAfterCut = millis(System.nanoTime() - cutAt);
        assertEquals("n1", nodes.node(2).registration(mover.aor()).orElseThrow().nodeId());
        assertEquals(2, nodes.server(0).statistics().getCurrentRegistrations(),
                "n0 holds client0's and, not having seen the loss yet, the mover's");

        // Now n0 sees its connection close, and cleans up after the agent that has already moved.
        relay.cutServerSide();
        TestClusters.await("n0 to end the registration on its closed connection", EVENTUALLY,
                () -> nodes.server(0).statistics().getCurrentRegistrations() == 1);
        // The sweep that ended it withdraws it from the shared state right after: give it a few sweeps.
        Thread.sleep(KeyServerNodes.SWEEP.multipliedBy(5).toMillis());
        for (int i = 0; i < 3; i++) {
            assertEquals("n1", nodes.node(i).registration(mover.aor()).map(r -> r.nodeId()).orElse("none"),
                    "the record of the moved agent, seen on n" + i);
            assertEquals(Optional.of(mover.aor()), nodes.node(i).bindingOwner(binding),
                    "the moved agent's binding, seen on n" + i);
        }
        association(c0, mover.aor(), mover);
        association(c2, mover.aor(), mover);
        association(c0, binding.toString(), mover);
        association(c2, binding.toString(), mover);
        association(c1, binding.toString(), mover);
        assertEquals(4, nodes.server(1).statistics().getRelayedFromNodes(), "requests from n0 and n2 reached n1");

        // Its node closes: it moves on to n2, and its peers' requests follow it there.
        long closedAt = System.nanoTime();
        nodes.close(1);
        awaitOn(mover, 2);
        long movedAfterClose = millis(System.nanoTime() - closedAt);
        awaitOn(c1, 2);
        assertEquals("n2", nodes.node(0).registration(mover.aor()).orElseThrow().nodeId());
        association(c0, mover.aor(), mover);
        association(c0, binding.toString(), mover);
        association(c1, mover.aor(), mover);
        association(c2, binding.toString(), mover);
        assertEquals(2, nodes.server(2).statistics().getRelayedFromNodes(), "requests from n0 reached n2");
        assertEquals(2, mover.statistics().failovers());
        System.out.printf("FIGURE an agent moving: on n1 %d ms after its connection to n0 broke, on n2 %d ms after "
                + "n1 closed%n", movedAfterCut, movedAfterClose);
    }

    @Test
    void whatTheSharedStoreKeepsBetweenNodesRefreshesBindingsAndEndedAors() throws Exception {
        start("store", c -> c.minExpires(Duration.ofSeconds(1)));
        int port = FIRST_BINDING_PORT + 1;
        String address = "localhost:" + port;
        // Registered for 4 s, refreshed every 2 s on n1: its record must live on every node past its first expiry.
        SipTlsAgent server = tlsServer("server", 1, port, k -> k.registrationExpiry(Duration.ofSeconds(4)));
        SipTlsAgent c0 = client("client0", 0);
        awaitOn(server, 1);
        awaitOn(c0, 0);
        TestClusters.await("two refreshes of a 4 s registration", EVENTUALLY,
                () -> server.statistics().refreshes() >= 2);
        association(c0, server.aor(), server);
        association(c0, address, server);

        // Another agent, certified for the same host, asks for the binding n1 granted: every node refuses it.
        SipTlsAgent rival = tlsServer("rival", 2, port, k -> { });
        TestClusters.await("every node to refuse the rival's policy", EVENTUALLY, () -> {
            for (int i = 0; i < 3; i++) {
                if (nodes.server(i).statistics().getRefusals().getOrDefault("409 binding-conflict", 0L) == 0) {
                    return false;
                }
            }
            return true;
        });
        association(c0, address, server);

        // The server leaves (unregisters on n1): n0 tells an ended AOR (480) from an unknown one (404), and the
        // binding, released on n1, can be claimed through another node.
        server.close();
        TestClusters.await("the ended registration gone from n0", EVENTUALLY,
                () -> nodes.node(0).registration(server.aor()).isEmpty());
        assertEquals(480, refusal(c0, server.aor()));
        assertEquals(404, refusal(c0, "sip:nobody@example.com"));
        assertTrue(rival.awaitPolicyAccepted(EVENTUALLY), "the rival's policy, once the binding was free");
        int rivalsNode = nodes.indexOf(rival.keyServer().orElseThrow());
        assertTrue(rivalsNode >= 0);
        association(c0, address, rival);
        System.out.printf("FIGURE store: the rival's policy refused %d times across the 3 nodes before the binding "
                + "was free; accepted on n%d%n", nodes.sum(s -> s.getRefusals().getOrDefault("409 binding-conflict",
                        0L)), rivalsNode);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void start(String cluster, Consumer<KeyServerConfig.Builder> tune) throws IOException {
        long begin = System.nanoTime();
        nodes = KeyServerNodes.start(cluster, 3, clusters, pki.keyServer(), tune);
        closing.add(nodes);
        System.out.printf("FIGURE three clustered key servers up: %d ms%n", millis(System.nanoTime() - begin));
    }

    private SipTlsAgent client(String name, int first) throws IOException {
        return agent(name, k -> k.keyServers(nodes.addressesFrom(first)));
    }

    private SipTlsAgent tlsServer(String name, int first, int port) throws IOException {
        return tlsServer(name, first, port, k -> { });
    }

    /** A TLS server agent for {@code localhost:port}, proving it holds its certificate's key. */
    private SipTlsAgent tlsServer(String name, int first, int port, Consumer<SipTlsAgent.Builder> more)
            throws IOException {
        TlsIdentity tls = pki.identity("localhost", List.of("localhost", "127.0.0.1"));
        return agent(name, k -> {
            k.keyServers(nodes.addressesFrom(first))
                    .policy(SecurityPolicy.builder().cipherSuite(SUITE).bindings(List.of(new HostPort("localhost",
                            port))).certificateChain(tls.chain()).build())
                    .chainKey(tls.privateKey());
            more.accept(k);
        });
    }

    private SipTlsAgent agent(String name, Consumer<SipTlsAgent.Builder> more) throws IOException {
        String aor = "sip:" + name + "@example.com";
        SipTlsAgent.Builder b = SipTlsAgent.builder().aor(aor).identity(pki.agent(aor))
                .policy(SecurityPolicy.builder().cipherSuite(SUITE).build())
                .keepAliveInterval(KEEP_ALIVE_INTERVAL).keepAliveTimeout(KEEP_ALIVE_TIMEOUT)
                .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                // the default 2 s is short for a machine shared with other builds; no figure depends on it
                .requestTimeout(Duration.ofSeconds(10));
        more.accept(b);
        SipTlsAgent agent = b.build();
        closing.add(agent);
        agent.start();
        return agent;
    }

    /** An SA from {@code client} for {@code target}, which {@code server} must hold too: same id, same secret. */
    private static SecurityAssociation association(SipTlsAgent client, String target, SipTlsAgent server)
            throws Exception {
        SecurityAssociation atClient = null;
        for (int attempt = 1; atClient == null; attempt++) {
            try {
                atClient = client.requestAssociation(target).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // Under load an agent may take a slow node for a lost one and move: its request then fails at
                // once (not refused), and is asked again once it is registered. Refusals are never retried.
                if (!(e.getCause() instanceof IOException) || attempt == 3) {
                    throw new AssertionError(client.aor() + " got no SA for " + target + ": " + e.getCause(),
                            e.getCause());
                }
                System.out.printf("NOTE %s asks again for %s: %s%n", client.aor(), target, e.getCause());
                assertTrue(client.awaitPolicyAccepted(EVENTUALLY), client.aor());
                assertTrue(server.awaitPolicyAccepted(EVENTUALLY), server.aor());
            }
        }
        SecurityAssociation atServer = server.associations().bySessionId(atClient.sessionId(), Role.SERVER)
                .orElseThrow(() -> new AssertionError(server.aor() + " does not hold the SA " + client.aor()
                        + " got for " + target));
        assertArrayEquals(atClient.masterSecret(), atServer.masterSecret(), "the two ends' secrets");
        assertEquals(client.aor(), atServer.client().identity());
        assertTrue(client.associations().bySessionId(atClient.sessionId(), Role.CLIENT).isPresent());
        return atClient;
    }

    /** The status {@code client}'s request for {@code target} is refused with. */
    private static int refusal(SipTlsAgent client, String target) throws Exception {
        try {
            client.requestAssociation(target).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(AssociationRefusedException.class, e.getCause()).statusCode();
        }
        return fail("an SA for " + target);
    }

    private void awaitOn(SipTlsAgent agent, int node) throws InterruptedException {
        awaitOn(agent, nodes.address(node));
    }

    private static void awaitOn(SipTlsAgent agent, InetSocketAddress keyServer) throws InterruptedException {
        TestClusters.await(agent.aor() + " registered with " + keyServer + ", policy accepted", EVENTUALLY,
                () -> keyServer.equals(agent.keyServer().orElse(null)));
        assertTrue(agent.awaitPolicyAccepted(EVENTUALLY), agent.aor() + ": " + agent.lastError().orElse(""));
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** Asks for SAs one after another until stopped, keeping when each was asked and how it was refused. */
    private static final class Asker {
        /** A refused request: when it was sent (System.nanoTime) and the status. */
        record Refused(long sentAt, int status) {}

        final AtomicLong obtained = new AtomicLong();
        final List<Refused> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> otherFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Asker(SipTlsAgent agent, String target) {
            thread = new Thread(() -> {
                while (running.get()) {
                    long sentAt = System.nanoTime();
                    try {
                        agent.requestAssociation(target).get(30, TimeUnit.SECONDS);
                        obtained.incrementAndGet();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof AssociationRefusedException r) {
                            statuses.add(new Refused(sentAt, r.statusCode()));
                        } else {
                            otherFailures.add(String.valueOf(e.getCause()));
                        }
                    } catch (Exception e) {
                        otherFailures.add(e.toString());
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "asker-" + agent.aor());
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        long refusedAfter(long nanos) {
            return statuses.stream().filter(r -> r.sentAt() - nanos > 0).count();
        }

        long refused503After(long nanos) {
            return statuses.stream().filter(r -> r.sentAt() - nanos > 0 && r.status() == 503).count();
        }

        java.util.Map<Integer, Long> counts() {
            return statuses.stream().collect(java.util.stream.Collectors.groupingBy(Refused::status,
                    java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(TimeUnit.SECONDS.toMillis(40));
        }
    }
}
