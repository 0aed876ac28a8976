package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.server.StateUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node in its own JVM stopped (SIGSTOP) and left stopped: once the two others have excluded it they must keep
 * serving for as long as it hangs (README: "Three nodes survive the loss of one"). Found by a red-team run against
 * three CLI nodes, where the two others split from each other about ten seconds after the stop and refused (503)
 * until the stopped node was continued: JGroups' sending thread was blocked in the TLS handshake of a new
 * connection to the stopped node, which accepts TCP connections (the kernel does) but never answers the handshake.
 * Fails on the code it was written against.
 */
class HungNodeTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** How long the two are watched while the third hangs: well past what failure detection and a merge take. */
    private static final Duration WATCHED = Duration.ofSeconds(25);

    @TempDir
    Path dir;

    @Test
    void twoNodesKeepServingForAsLongAsTheThirdHangs() throws Exception {
        TestClusters clusters = new TestClusters();
        List<Integer> ports = TestClusters.freePorts(3);
        List<ClusterConfig> configs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            configs.add(clusters.config("hung", "n" + i, ports.get(i), ports).build());
        }

        List<ClusterNode> nodes = TestClusters.joinAll(configs);
        ChildNode.Handle child = ChildNode.start(clusters, "hung", ports, dir);
        try {
            TestClusters.await("three members", LIMIT, () -> nodes.get(0).members().size() == 3);
            child.signal("STOP");
            // writes while the third hangs, as agents' REGISTERs and INVITEs make them
            nodes.get(0).firstTime("at-the-stop");
            TestClusters.await("the hung node's exclusion", LIMIT,
                    () -> nodes.stream().allMatch(n -> n.members().size() == 2 && n.available()));

            int calls = 0;
            List<String> refused = new ArrayList<>();
            long end = System.nanoTime() + WATCHED.toNanos();
            while (System.nanoTime() - end < 0) {
                ClusterNode node = nodes.get(calls % 2);
                try {
                    node.firstTime("while-hung-" + calls);
                } catch (StateUnavailableException e) {
                    refused.add("n" + (calls % 2) + " after " + (WATCHED.toMillis()
                            - (end - System.nanoTime()) / 1_000_000) + " ms");
                }
                calls++;
                Thread.sleep(200);
            }
            System.out.printf("FIGURE while a third node hung %d s: %d of %d calls on the two others refused%n",
                    WATCHED.toSeconds(), refused.size(), calls);
            assertEquals(List.of(), refused.stream().limit(5).collect(Collectors.toList()),
                    "the two nodes left serving refused calls while the third was still stopped");
        } finally {
            child.signal("CONT");
            child.close();
            nodes.forEach(ClusterNode::close);
        }
    }
}
