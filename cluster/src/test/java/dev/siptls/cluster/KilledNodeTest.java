package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.server.TestRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node in its own JVM killed with SIGKILL, restarted, then stopped with SIGSTOP: the two others see it go,
 * keep every record and keep serving; the restarted node catches up.
 */
class KilledNodeTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void killedNodeIsExcludedWithoutLossAndCatchesUpWhenRestartedAndAHungOneIsExcludedToo() throws Exception {
        TestClusters clusters = new TestClusters();
        List<Integer> ports = TestClusters.freePorts(3);
        List<ClusterConfig> configs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            configs.add(clusters.config("killed", "n" + i, ports.get(i), ports).build());
        }

        List<ClusterNode> nodes = TestClusters.joinAll(configs);
        ChildNode.Handle child = ChildNode.start(clusters, "killed", ports, dir);
        try {
            System.out.printf("FIGURE a node joining two, from a fresh JVM: %d ms%n", child.joinMillis);
            TestClusters.await("three members", LIMIT, () -> nodes.get(0).members().size() == 3);
            long expires = System.currentTimeMillis() + 120_000;
            nodes.get(0).putRegistration(TestRecords.record("sip:before@example.com", "n0", "f", expires));
            assertTrue(nodes.get(1).firstTime("before-kill"));
            assertEquals("RECORD n0", child.ask("get sip:before@example.com"));
            assertEquals("FALSE", child.ask("first before-kill"));

            child.kill();
            Duration excluded = TestClusters.await("the killed node's exclusion", LIMIT,
                    () -> nodes.stream().allMatch(n -> n.members().size() == 2 && n.available()));
            System.out.printf("FIGURE a killed (SIGKILL) node excluded, the two serving: %d ms%n",
                    excluded.toMillis());
            for (ClusterNode node : nodes) {
                assertTrue(node.registration("sip:before@example.com").isPresent());
                assertFalse(node.firstTime("before-kill"));
            }
            nodes.get(1).putRegistration(TestRecords.record("sip:while-dead@example.com", "n1", "f", expires));
            assertTrue(nodes.get(0).firstTime("while-dead"));

            child = ChildNode.start(clusters, "killed", ports, dir);
            System.out.printf("FIGURE the killed node restarted and joined (fresh JVM): %d ms%n", child.joinMillis);
            assertEquals("RECORD n1", child.ask("get sip:while-dead@example.com"));
            assertEquals("RECORD n0", child.ask("get sip:before@example.com"));
            assertEquals("FALSE", child.ask("first while-dead"));
            assertEquals("TRUE", child.ask("first after-restart"));
            assertFalse(nodes.get(0).firstTime("after-restart"));

            child.signal("STOP");
            long stopped = System.nanoTime();
            nodes.get(0).putRegistration(TestRecords.record("sip:during-hang@example.com", "n0", "f", expires));
            long putMillis = (System.nanoTime() - stopped) / 1_000_000;
            TestClusters.await("the hung node's exclusion", LIMIT,
                    () -> nodes.stream().allMatch(n -> n.members().size() == 2 && n.available()));
            System.out.printf("FIGURE a stopped (SIGSTOP) node excluded, the two serving: %d ms (failure detection "
                    + "timeout %d ms); a write begun at the stop returned after %d ms%n",
                    (System.nanoTime() - stopped) / 1_000_000, TestClusters.FAILURE_DETECTION.toMillis(), putMillis);
            assertTrue(nodes.get(1).registration("sip:during-hang@example.com").isPresent());
        } finally {
            child.close();
            nodes.forEach(ClusterNode::close);
        }
    }
}
