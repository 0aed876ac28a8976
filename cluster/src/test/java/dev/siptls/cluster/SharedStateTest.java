package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.server.AgentRecord;
import dev.siptls.server.TestRecords;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The shared state across a running three-node cluster: every node sees every write, first writers win once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedStateTest {

    private List<ClusterNode> nodes;

    @BeforeAll
    void startCluster() {
        TestClusters clusters = new TestClusters();
        List<Integer> ports = TestClusters.freePorts(3);
        List<ClusterConfig> configs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            configs.add(clusters.config("shared-state", "node-" + i, ports.get(i), ports).build());
        }
        long start = System.nanoTime();
        nodes = TestClusters.joinAll(configs);
        System.out.printf("FIGURE three nodes joined together (started in parallel): %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    void stopCluster() {
        if (nodes != null) {
            nodes.forEach(ClusterNode::close);
        }
    }

    @Test
    void everyNodeSeesAllMembersAndServes() {
        for (ClusterNode node : nodes) {
            assertEquals(3, node.members().size(), node.toString());
            assertTrue(node.available(), node.toString());
        }
    }

    @Test
    void countersPublishedByEachNodeAreSummedOnEvery() {
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).publishCounters(java.util.Map.of("SecurityAssociationsIssued", 10L * (i + 1), "Other", 1L));
        }
        for (ClusterNode node : nodes) {
            assertEquals(60L, node.clusterCounters().get("SecurityAssociationsIssued"), node.toString());
            assertEquals(3L, node.clusterCounters().get("Other"), node.toString());
        }
        nodes.get(0).publishCounters(java.util.Map.of("SecurityAssociationsIssued", 11L, "Other", 1L));
        assertEquals(61L, nodes.get(2).clusterCounters().get("SecurityAssociationsIssued"), "a node's last totals count");
    }

    @Test
    void recordPutOnOneNodeIsReadOnTheOthers() {
        byte[] policy = "<TLS><CipherSuite>x</CipherSuite></TLS>".getBytes(StandardCharsets.UTF_8);
        AgentRecord record = TestRecords.withPolicy(TestRecords.record("sip:alice@example.com", "node-0", "flow-1",
                System.currentTimeMillis() + 60_000), policy);
        nodes.get(0).putRegistration(record);
        for (ClusterNode node : nodes) {
            AgentRecord read = node.registration("sip:alice@example.com").orElseThrow();
            assertArrayEquals(record.toBytes(), read.toBytes(), node.nodeId());
            assertTrue(node.known("sip:alice@example.com"));
        }
        assertFalse(nodes.get(2).registration("sip:nobody@example.com").isPresent());
        assertFalse(nodes.get(2).known("sip:nobody@example.com"));
    }

    @Test
    void registrationIsKeptUntilItsExpiryOnly() throws Exception {
        nodes.get(1).putRegistration(TestRecords.record("sip:brief@example.com", "node-1", "flow-b",
                System.currentTimeMillis() + 300));
        assertTrue(nodes.get(2).registration("sip:brief@example.com").isPresent());
        TestClusters.await("the record's expiry", Duration.ofSeconds(5),
                () -> nodes.stream().noneMatch(n -> n.registration("sip:brief@example.com").isPresent()));
    }

    @Test
    void exactlyOneNodeIsFirstForEachReplayKeyWhenAllTryAtOnce() throws Exception {
        int keys = 200;
        CyclicBarrier start = new CyclicBarrier(nodes.size());
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<boolean[]>> results = new ArrayList<>();
            for (ClusterNode node : nodes) {
                Callable<boolean[]> task = () -> {
                    boolean[] first = new boolean[keys];
                    start.await();
                    for (int k = 0; k < keys; k++) {
                        first[k] = node.firstTime("alice|call-" + k + "@host|1 INVITE");
                    }
                    return first;
                };
                results.add(pool.submit(task));
            }
            int[] winners = new int[keys];
            for (Future<boolean[]> f : results) {
                boolean[] first = f.get();
                for (int k = 0; k < keys; k++) {
                    winners[k] += first[k] ? 1 : 0;
                }
            }
            int[] once = new int[keys];
            Arrays.fill(once, 1);
            assertArrayEquals(once, winners, "nodes that were first, per key");
        } finally {
            pool.shutdown();
        }
        for (ClusterNode node : nodes) {
            assertFalse(node.firstTime("alice|call-0@host|1 INVITE"));
        }
    }

    @Test
    void bindingHeldByAnotherAorIsNotClaimedAndPartialClaimsAreRolledBack() {
        HostPort shop = new HostPort("shop.example.com", 443);
        HostPort api = new HostPort("api.example.com", 443);
        HostPort www = new HostPort("www.example.com", 443);
        assertEquals(Optional.empty(), nodes.get(0).claimBindings("sip:shop@example.com", List.of(shop)));

        // api is free, then shop is held: the claim fails on shop and api is released again.
        assertEquals(Optional.of(shop), nodes.get(1).claimBindings("sip:mallory@example.com", List.of(api, shop)));
        for (ClusterNode node : nodes) {
            assertEquals(Optional.of("sip:shop@example.com"), node.bindingOwner(shop));
            assertEquals(Optional.empty(), node.bindingOwner(api), node.nodeId());
        }
        // Claiming again what one holds is no conflict.
        assertEquals(Optional.empty(), nodes.get(2).claimBindings("sip:shop@example.com", List.of(shop, www)));
        assertEquals(Optional.of("sip:shop@example.com"), nodes.get(0).bindingOwner(www));

        // Releasing only frees what the releasing AOR holds.
        nodes.get(1).releaseBindings("sip:mallory@example.com", List.of(shop));
        assertEquals(Optional.of("sip:shop@example.com"), nodes.get(1).bindingOwner(shop));
        nodes.get(1).releaseBindings("sip:shop@example.com", List.of(shop, www));
        assertEquals(Optional.empty(), nodes.get(2).bindingOwner(shop));
        assertEquals(Optional.empty(), nodes.get(2).claimBindings("sip:mallory@example.com", List.of(shop)));
        assertEquals(Optional.of("sip:mallory@example.com"), nodes.get(0).bindingOwner(shop));
    }

    @Test
    void concurrentClaimsOfOneBindingFromThreeNodesLeaveOneOwner() throws Exception {
        HostPort contested = new HostPort("contested.example.com", 8443);
        CyclicBarrier start = new CyclicBarrier(nodes.size());
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<Optional<HostPort>>> claims = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                ClusterNode node = nodes.get(i);
                String aor = "sip:claimant" + i + "@example.com";
                claims.add(pool.submit(() -> {
                    start.await();
                    return node.claimBindings(aor, List.of(new HostPort("own" + aor.length() + node.nodeId()
                            + ".example.com", 443), contested));
                }));
            }
            int won = 0;
            for (Future<Optional<HostPort>> f : claims) {
                won += f.get().isEmpty() ? 1 : 0;
            }
            assertEquals(1, won, "claims that succeeded");
            String owner = nodes.get(0).bindingOwner(contested).orElseThrow();
            for (int i = 0; i < nodes.size(); i++) {
                String aor = "sip:claimant" + i + "@example.com";
                HostPort own = new HostPort("own" + aor.length() + nodes.get(i).nodeId() + ".example.com", 443);
                assertEquals(aor.equals(owner), nodes.get(1).bindingOwner(own).isPresent(), aor);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void registrationIsRemovedOnlyByTheNodeAndFlowThatHoldIt() {
        String aor = "sip:bob@example.com";
        long expires = System.currentTimeMillis() + 60_000;
        nodes.get(0).putRegistration(TestRecords.record(aor, "node-0", "flow-old", expires));

        assertFalse(nodes.get(1).removeRegistration(aor, "node-1", "flow-old"), "another node's flow");
        assertFalse(nodes.get(1).removeRegistration(aor, "node-0", "flow-other"), "another flow of that node");
        assertTrue(nodes.get(2).registration(aor).isPresent());

        // The agent moved to node-2 before node-0 saw its old flow close: node-0's late removal leaves it.
        nodes.get(2).putRegistration(TestRecords.record(aor, "node-2", "flow-new", expires));
        assertFalse(nodes.get(0).removeRegistration(aor, "node-0", "flow-old"));
        assertEquals("node-2", nodes.get(0).registration(aor).orElseThrow().nodeId());

        assertTrue(nodes.get(1).removeRegistration(aor, "node-2", "flow-new"));
        assertFalse(nodes.get(2).removeRegistration(aor, "node-2", "flow-new"), "already removed");
        for (ClusterNode node : nodes) {
            assertFalse(node.registration(aor).isPresent());
            assertTrue(node.known(aor), "an ended AOR stays known (480, not 404)");
        }
    }

    @Test
    void interconnectOfAMemberIsFoundAndOfAStrangerNot() {
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).announce(new InetSocketAddress("127.0.0.1", 15060 + i));
        }
        for (ClusterNode node : nodes) {
            for (int i = 0; i < nodes.size(); i++) {
                assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 15060 + i)),
                        node.interconnect("node-" + i));
            }
            assertEquals(Optional.empty(), node.interconnect("node-9"));
        }
    }

    @Test
    void registrationsAreCountedClusterWide() {
        int before = nodes.get(0).registrations();
        long expires = System.currentTimeMillis() + 60_000;
        for (int i = 0; i < 3; i++) {
            nodes.get(i).putRegistration(TestRecords.record("sip:counted" + i + "@example.com", "node-" + i,
                    "flow", expires));
        }
        for (ClusterNode node : nodes) {
            assertEquals(before + 3, node.registrations(), node.nodeId());
        }
    }

    /** Figures, not a threshold: the median cost of one call on a node of three, each a synchronous round trip. */
    @Test
    void measuresTheCostOfOneCall() {
        ClusterNode node = nodes.get(1);
        int calls = 2_000;
        long[] firstTime = new long[calls];
        long[] put = new long[calls];
        long expires = System.currentTimeMillis() + 600_000;
        for (int i = 0; i < calls / 4; i++) {
            node.firstTime("warm-up-" + i);
            node.putRegistration(TestRecords.record("sip:warm" + i + "@example.com", "node-1", "f", expires));
        }
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            assertTrue(node.firstTime("measured-" + i));
            long t1 = System.nanoTime();
            node.putRegistration(TestRecords.record("sip:m" + (i % 100) + "@example.com", "node-1", "f" + i,
                    expires));
            long t2 = System.nanoTime();
            firstTime[i] = t1 - t0;
            put[i] = t2 - t1;
        }
        System.out.printf("FIGURE firstTime on a node of three: median %d us, p90 %d us over %d calls%n",
                percentile(firstTime, 50) / 1000, percentile(firstTime, 90) / 1000, calls);
        System.out.printf("FIGURE putRegistration on a node of three: median %d us, p90 %d us over %d calls%n",
                percentile(put, 50) / 1000, percentile(put, 90) / 1000, calls);
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }
}
