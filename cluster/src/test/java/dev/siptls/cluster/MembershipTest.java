package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.server.StateUnavailableException;
import dev.siptls.server.TestRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;

/** Nodes that leave, come back, are cut off, or do not belong: the cluster keeps its state and its trust. */
class MembershipTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final TestClusters clusters = new TestClusters();

    @Test
    void loneNodeWithNoMembersIsAOneNodeCluster() {
        ClusterConfig config = ClusterConfig.builder().clusterName("alone").bindPort(TestClusters.freePorts(1).get(0))
                .identity(clusters.identity("alone")).build();
        long start = System.nanoTime();
        try (ClusterNode node = ClusterNode.join(config)) {
            System.out.printf("FIGURE a lone node up: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertEquals(List.of(config.nodeName()), node.members());
            assertTrue(node.available());
            node.putRegistration(TestRecords.record("sip:solo@example.com", node.nodeId(), "flow",
                    System.currentTimeMillis() + 60_000));
            assertEquals(1, node.registrations());
            assertTrue(node.firstTime("k"));
            assertFalse(node.firstTime("k"));
        }
    }

    @Test
    void othersKeepServingEverythingWhenANodeLeavesAndItCatchesUpWhenItRejoins() {
        List<Integer> ports = TestClusters.freePorts(3);
        List<ClusterConfig> configs = configs("leave", ports);
        List<ClusterNode> nodes = TestClusters.joinAll(configs);
        try {
            long expires = System.currentTimeMillis() + 60_000;
            nodes.get(2).putRegistration(TestRecords.record("sip:before@example.com", "n2", "f", expires));
            nodes.get(2).close();
            assertFalse(nodes.get(2).available());
            assertThrows(StateUnavailableException.class, () -> nodes.get(2).registration("sip:before@example.com"));

            TestClusters.await("the leave", LIMIT, () -> nodes.get(0).members().size() == 2);
            for (ClusterNode node : nodes.subList(0, 2)) {
                assertTrue(node.available(), node.toString());
                assertTrue(node.registration("sip:before@example.com").isPresent());
            }
            nodes.get(0).putRegistration(TestRecords.record("sip:while-away@example.com", "n0", "f", expires));
            assertTrue(nodes.get(1).firstTime("while-away"));

            long start = System.nanoTime();
            nodes.set(2, ClusterNode.join(configs.get(2)));
            System.out.printf("FIGURE a node rejoining two (same JVM): %d ms%n",
                    (System.nanoTime() - start) / 1_000_000);
            ClusterNode back = nodes.get(2);
            assertTrue(back.registration("sip:while-away@example.com").isPresent());
            assertTrue(back.registration("sip:before@example.com").isPresent());
            assertFalse(back.firstTime("while-away"));
        } finally {
            nodes.forEach(ClusterNode::close);
        }
    }

    @Test
    void cutOffNodeRefusesWhileTheOtherTwoServeAndServesAgainAfterTheMerge() throws Exception {
        List<Integer> ports = TestClusters.freePorts(3);
        List<ClusterNode> nodes = TestClusters.joinAll(configs("split", ports));
        try {
            ClusterNode lone = nodes.get(2);
            long expires = System.currentTimeMillis() + 120_000;
            nodes.get(0).putRegistration(TestRecords.record("sip:gone@example.com", "n0", "f", expires));
            assertTrue(lone.registration("sip:gone@example.com").isPresent());

            DISCARD discard = new DISCARD().discardAll(true);
            discard.addr(lone.channel().getAddress());
            lone.channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TCP.class);
            Duration detected = TestClusters.await("the split", LIMIT,
                    () -> nodes.get(0).members().size() == 2 && !lone.available() && nodes.get(0).available());
            System.out.printf("FIGURE a silent (discarding) node excluded and refusing: %d ms (failure detection "
                    + "timeout %d ms)%n", detected.toMillis(), TestClusters.FAILURE_DETECTION.toMillis());

            assertThrows(StateUnavailableException.class, () -> lone.registration("sip:gone@example.com"));
            assertThrows(StateUnavailableException.class, () -> lone.firstTime("during-split"));
            assertThrows(StateUnavailableException.class, () -> lone.putRegistration(
                    TestRecords.record("sip:minority@example.com", "n2", "f", expires)));
            for (ClusterNode node : nodes.subList(0, 2)) {
                assertTrue(node.available(), node.toString());
            }
            nodes.get(1).putRegistration(TestRecords.record("sip:during@example.com", "n1", "f", expires));
            assertTrue(nodes.get(0).removeRegistration("sip:gone@example.com", "n0", "f"));
            assertTrue(nodes.get(0).firstTime("during-split"));

            discard.discardAll(false);
            Duration merged = TestClusters.await("the merge", LIMIT,
                    () -> lone.members().size() == 3 && lone.available() && nodes.get(0).available());
            System.out.printf("FIGURE the cut-off node serving again after the link healed: %d ms%n",
                    merged.toMillis());
            assertTrue(lone.registration("sip:during@example.com").isPresent());
            assertFalse(lone.registration("sip:gone@example.com").isPresent(), "removed on the serving side");
            assertFalse(lone.firstTime("during-split"));
            assertTrue(lone.registration("sip:minority@example.com").isEmpty());
        } finally {
            nodes.forEach(ClusterNode::close);
        }
    }

    @Test
    void nodeWithACertificateFromAnotherCaCannotJoinNorReadState() {
        List<Integer> ports = TestClusters.freePorts(3);
        List<ClusterNode> nodes = TestClusters.joinAll(configs("trusted", ports.subList(0, 2)));
        try {
            nodes.get(0).putRegistration(TestRecords.record("sip:secret@example.com", "n0", "f",
                    System.currentTimeMillis() + 60_000));
            TestClusters stranger = new TestClusters(TestClusters.newCa("Another CA"));

            ClusterConfig strict = stranger.config("trusted", "intruder", ports.get(2), ports)
                    .joinTimeout(Duration.ofSeconds(6)).build();
            StateUnavailableException refused = assertThrows(StateUnavailableException.class,
                    () -> ClusterNode.join(strict));
            assertTrue(refused.getMessage().contains("cluster CA"), refused.getMessage());

            // Even told to start alone, it founds a cluster of its own and sees none of the state.
            ClusterConfig alone = stranger.config("trusted", "intruder", ports.get(2), ports)
                    .initialClusterSize(1).joinTimeout(Duration.ofSeconds(6)).build();
            try (ClusterNode intruder = ClusterNode.join(alone)) {
                assertEquals(List.of("intruder"), intruder.members());
                assertTrue(intruder.registration("sip:secret@example.com").isEmpty());
                assertEquals(0, intruder.registrations());
            }
            for (ClusterNode node : nodes) {
                assertEquals(Set.of("n0", "n1"), Set.copyOf(node.members()));
            }
        } finally {
            nodes.forEach(ClusterNode::close);
        }
    }

    @Test
    void closedNodeLeavesNoThreadBehind() throws Exception {
        ClusterConfig config = ClusterConfig.builder().clusterName("threads").nodeName("t")
                .bindPort(TestClusters.freePorts(1).get(0)).identity(clusters.identity("t")).build();
        // One node first, so that the JVM-wide threads of the libraries (class loading, RxJava's evictor) exist.
        ClusterNode.join(config).close();
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        ClusterNode node = ClusterNode.join(config);
        assertTrue(Thread.getAllStackTraces().size() > before.size(), "the node started threads");
        node.close();
        TestClusters.await("the node's threads to end", Duration.ofSeconds(10), () -> Thread.getAllStackTraces()
                .keySet().stream().allMatch(t -> before.contains(t) || !t.isAlive()));
        Set<String> left = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                .map(Thread::getName).collect(Collectors.toSet());
        assertEquals(Set.of(), left);
    }

    private List<ClusterConfig> configs(String cluster, List<Integer> ports) {
        List<ClusterConfig> configs = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            configs.add(clusters.config(cluster, "n" + i, ports.get(i), ports).build());
        }
        return configs;
    }
}
