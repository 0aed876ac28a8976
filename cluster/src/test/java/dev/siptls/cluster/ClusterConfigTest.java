package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {

    private static final TestClusters CLUSTERS = new TestClusters();
    private static final TlsIdentity IDENTITY = CLUSTERS.identity("node");

    @TempDir
    Path dir;

    @Test
    void defaultsMakeAOneNodeClusterOnLoopbackNamedAfterItsAddress() {
        ClusterConfig config = ClusterConfig.builder().identity(IDENTITY).build();
        assertEquals("sip-tls", config.clusterName());
        assertEquals("127.0.0.1", config.bindAddress());
        assertEquals(ClusterConfig.DEFAULT_PORT, config.bindPort());
        assertEquals("127.0.0.1:7800", config.nodeName());
        assertEquals(List.of(), config.members());
        assertEquals(1, config.initialClusterSize());
        assertEquals(Duration.ofSeconds(3), config.failureDetectionTimeout());
    }

    @Test
    void startsOnlyWithAMajorityOfTheListedClusterAndSkipsItselfInTheList() {
        ClusterConfig three = ClusterConfig.builder().identity(IDENTITY).bindAddress("10.0.0.1")
                .members("10.0.0.1:7800, 10.0.0.2:7800,10.0.0.3:7800").build();
        assertEquals(List.of(HostPort.parse("10.0.0.2:7800"), HostPort.parse("10.0.0.3:7800")), three.members());
        assertEquals(2, three.initialClusterSize());
        ClusterConfig byName = ClusterConfig.builder().identity(IDENTITY).bindAddress("127.0.0.1")
                .members("localhost:7800,10.0.0.2:7800,10.0.0.3:7800").build();
        assertEquals(List.of(HostPort.parse("10.0.0.2:7800"), HostPort.parse("10.0.0.3:7800")), byName.members());
        assertEquals(2, byName.initialClusterSize());
        ClusterConfig five = ClusterConfig.builder().identity(IDENTITY).bindAddress("10.0.0.1")
                .members("10.0.0.2:7800,10.0.0.3:7800,10.0.0.4:7800,10.0.0.5:7800").build();
        assertEquals(3, five.initialClusterSize());
        assertEquals(1, ClusterConfig.builder().identity(IDENTITY).bindAddress("10.0.0.1")
                .members("10.0.0.2:7800").initialClusterSize(1).build().initialClusterSize());
    }

    @Test
    void refusesWhatCannotWorkSayingWhatToChange() {
        assertMessage("no TLS identity", ClusterConfig.builder());
        assertMessage("no bind address", ClusterConfig.builder().identity(IDENTITY).members("10.0.0.2:7800"));
        assertMessage("give a fixed port", ClusterConfig.builder().identity(IDENTITY).bindAddress("10.0.0.1")
                .bindPort(0).members("10.0.0.2:7800"));
        assertMessage("give the node a name", ClusterConfig.builder().identity(IDENTITY).bindPort(0));
        assertMessage("500 ms to 1 min", ClusterConfig.builder().identity(IDENTITY)
                .failureDetectionTimeout(Duration.ofMillis(100)));
        assertMessage("replay retention must be positive", ClusterConfig.builder().identity(IDENTITY)
                .replayRetention(Duration.ZERO));
        assertMessage("cluster name is empty", ClusterConfig.builder().identity(IDENTITY).clusterName(" "));
        assertMessage("either members or a JGroups file", ClusterConfig.builder().identity(IDENTITY)
                .bindAddress("10.0.0.1").members("10.0.0.2:7800").jgroupsFile(Path.of("pom.xml")));
        assertMessage("not readable", ClusterConfig.builder().identity(IDENTITY).nodeName("a")
                .jgroupsFile(dir.resolve("missing.xml")));
        assertThrows(IllegalArgumentException.class, () -> ClusterConfig.builder().members("10.0.0.2"));
    }

    @Test
    void readsItsIdentityFromPkcs12FilesAndNamesNoPasswordWhenOneIsWrong() throws Exception {
        Path keyStore = dir.resolve("node.p12");
        Path trustStore = dir.resolve("ca.p12");
        CertificateAuthority.write(IDENTITY.keyStore(), keyStore, TestClusters.PASSWORD);
        CertificateAuthority.write(CLUSTERS.ca().trustStore(), trustStore, TestClusters.PASSWORD);
        ClusterConfig config = ClusterConfig.builder().identity(keyStore, TestClusters.PASSWORD, trustStore,
                TestClusters.PASSWORD).build();
        assertEquals(IDENTITY.certificate(), config.identity().certificate());

        char[] wrong = "not-the-password".toCharArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.builder().identity(keyStore, wrong, trustStore, wrong));
        assertTrue(e.getMessage().contains("node.p12"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"));
        assertFalse(String.valueOf(config).contains(new String(TestClusters.PASSWORD)));
    }

    @Test
    void generatedStackHasTheProtocolsTheClusterNeeds() {
        String xml = ClusterStack.xml(ClusterConfig.builder().identity(IDENTITY).bindAddress("10.0.0.1")
                .members("10.0.0.2:7800,10.0.0.3:7801").build());
        for (String part : List.of("tcp_nodelay=\"true\"", "initial_hosts=\"10.0.0.2[7800],10.0.0.3[7801]\"",
                "<MERGE3", "<FD_SOCK2", "<FD_ALL3 timeout=\"3000\"", "<VERIFY_SUSPECT2", "<pbcast.NAKACK2",
                "<UNICAST3", "<pbcast.STABLE", "<pbcast.GMS", "<UFC", "<MFC", "<FRAG4", "diag.enabled=\"false\"")) {
            assertTrue(xml.contains(part), part + " in\n" + xml);
        }
        assertFalse(xml.contains(new String(TestClusters.PASSWORD)));
        assertTrue(Files.isDirectory(dir));
    }

    private static void assertMessage(String expected, ClusterConfig.Builder builder) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
