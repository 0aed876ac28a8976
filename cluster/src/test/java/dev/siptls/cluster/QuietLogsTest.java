package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.server.TestRecords;
import dev.siptls.sip.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** What Infinispan and JGroups write: nothing on stdout by default, and never a key-store password. */
class QuietLogsTest {

    @Test
    void joiningWritesNothingOnStdoutByDefault() {
        TestClusters clusters = new TestClusters();
        ClusterConfig config = ClusterConfig.builder().clusterName("quiet").nodeName("quiet")
                .bindPort(TestClusters.freePorts(1).get(0)).identity(clusters.identity("quiet")).build();
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try (ClusterNode node = ClusterNode.join(config)) {
            node.putRegistration(TestRecords.record("sip:q@example.com", "quiet", "f",
                    System.currentTimeMillis() + 60_000));
        } finally {
            System.setOut(out);
        }
        assertTrue(captured.toString(StandardCharsets.UTF_8).isEmpty(), captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noPasswordIsLoggedEvenWithEveryLoggerOpen() {
        ClusterLogging.quietByDefault();
        TestClusters clusters = new TestClusters();
        List<Integer> ports = TestClusters.freePorts(2);
        List<ClusterConfig> configs = List.of(clusters.config("secret", "s0", ports.get(0), ports).build(),
                clusters.config("secret", "s1", ports.get(1), ports).build());
        Map<String, Level> before = new HashMap<>();
        for (String name : ClusterLogging.QUIET) {
            before.put(name, Logger.getLogger(name).getLevel());
            Logger.getLogger(name).setLevel(Level.ALL);
        }
        String text;
        try (LogCapture capture = LogCapture.start()) {
            List<ClusterNode> nodes = TestClusters.joinAll(configs);
            nodes.get(0).putRegistration(TestRecords.record("sip:s@example.com", "s0", "f",
                    System.currentTimeMillis() + 60_000));
            nodes.forEach(ClusterNode::close);
            text = capture.text();
        } finally {
            before.forEach((name, level) -> Logger.getLogger(name).setLevel(level));
        }
        // Infinispan's TRACE (through JBoss Logging) and JGroups' trace (FINER) were on.
        assertTrue(text.contains("TRACE: ") && text.contains("FINER: "), "every level was captured");
        assertFalse(text.contains(new String(TestClusters.PASSWORD)), "a key-store password was logged");
    }
}
