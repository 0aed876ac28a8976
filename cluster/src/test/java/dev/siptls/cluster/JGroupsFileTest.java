package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.server.TestRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deployer's own JGroups file: its discovery is used, and mutual TLS between nodes is imposed on it. */
class JGroupsFileTest {

    @TempDir
    Path dir;

    @Test
    void nodeFromAFileWithoutTlsSettingsJoinsTheTlsCluster() throws Exception {
        TestClusters clusters = new TestClusters();
        List<Integer> ports = TestClusters.freePorts(2);
        // The file says nothing of TLS: the other node accepts only TLS with a cluster certificate, so joining
        // it proves that the file's node speaks TLS with its configured identity.
        Path file = dir.resolve("jgroups.xml");
        Files.writeString(file, ClusterStack.xml(clusters.config("file", "generated", ports.get(1), ports).build())
                .replace("bind_port=\"" + ports.get(1) + "\"", "bind_port=\"" + ports.get(0) + "\""));
        ClusterConfig fromFile = ClusterConfig.builder().clusterName("file").nodeName("from-file").jgroupsFile(file)
                .identity(clusters.identity("from-file")).build();
        ClusterConfig generated = clusters.config("file", "generated", ports.get(1), ports).build();
        List<ClusterNode> nodes = TestClusters.joinAll(List.of(generated, ClusterConfig.builder().clusterName("file")
                .nodeName("from-file").jgroupsFile(file).identity(clusters.identity("from-file"))
                .initialClusterSize(2).build()));
        try {
            assertEquals(0, fromFile.bindPort());
            for (ClusterNode node : nodes) {
                assertEquals(Set.of("generated", "from-file"), Set.copyOf(node.members()));
            }
            nodes.get(1).putRegistration(TestRecords.record("sip:filed@example.com", "from-file", "f",
                    System.currentTimeMillis() + 60_000));
            assertTrue(nodes.get(0).registration("sip:filed@example.com").isPresent());
        } finally {
            nodes.forEach(ClusterNode::close);
        }
    }

    @Test
    void fileWhoseTransportIsNotTcpIsRefused() throws Exception {
        Path file = dir.resolve("udp.xml");
        Files.writeString(file, "<config xmlns=\"urn:org:jgroups\"><UDP bind_addr=\"127.0.0.1\" bind_port=\"0\"/>"
                + "<PING/><pbcast.NAKACK2/><UNICAST3/><pbcast.GMS/></config>");
        ClusterConfig config = ClusterConfig.builder().nodeName("udp").jgroupsFile(file)
                .identity(new TestClusters().identity("udp")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterNode.join(config));
        assertTrue(e.getMessage().contains("must be TCP"), e.getMessage());
    }
}
