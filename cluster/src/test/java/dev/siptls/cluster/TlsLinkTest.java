package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/** The port a node listens on for the others takes only TLS clients whose certificate the cluster CA issued. */
class TlsLinkTest {

    @Test
    void linkNeedsAClientCertificateFromTheClusterCa() throws Exception {
        TestClusters clusters = new TestClusters();
        int port = TestClusters.freePorts(1).get(0);
        ClusterConfig config = ClusterConfig.builder().clusterName("tls").nodeName("tls").bindPort(port)
                .identity(clusters.identity("tls")).build();
        try (ClusterNode node = ClusterNode.join(config)) {
            TlsIdentity member = clusters.identity("member");
            TlsIdentity stranger = new TestClusters(TestClusters.newCa("Another CA")).identity("stranger");

            // A member's certificate: TLS is accepted (the node then waits for JGroups' preamble, and closes the
            // link when none comes).
            String open = outcome(port, member.serverContext());
            assertTrue(!open.startsWith("refused"), open);

            // Trusting the cluster CA but showing no certificate, or one from another CA: the node refuses.
            SSLContext anonymous = SSLContext.getInstance("TLS");
            anonymous.init(null, new TrustManager[] {member.trustManager()}, null);
            assertRefused(port, anonymous);
            SSLContext foreign = SSLContext.getInstance("TLS");
            foreign.init(keyManagers(stranger), new TrustManager[] {member.trustManager()}, null);
            assertRefused(port, foreign);
            assertEquals(1, node.members().size());
        }
    }

    private static javax.net.ssl.KeyManager[] keyManagers(TlsIdentity identity) throws Exception {
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(identity.keyStore(), TestClusters.PASSWORD);
        return kmf.getKeyManagers();
    }

    private static void assertRefused(int port, SSLContext context) {
        String outcome = outcome(port, context);
        assertTrue(outcome.startsWith("refused: javax.net.ssl.SSL"), outcome);
    }

    /** What a client sees of the node: data, waiting (nothing within a while), closed, or refused (an alert). */
    private static String outcome(int port, SSLContext context) {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                port)) {
            socket.setSoTimeout(1500);
            socket.startHandshake();
            return socket.getInputStream().read() < 0 ? "closed" : "data";
        } catch (SocketTimeoutException e) {
            return "waiting";
        } catch (IOException e) {
            return "refused: " + e;
        }
    }
}
