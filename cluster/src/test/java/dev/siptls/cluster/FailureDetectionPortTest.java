package dev.siptls.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * JGroups' failure-detection port (FD_SOCK2, the node's port + 100) is plain TCP that answers anyone with the
 * cluster's name and the node's address (docs/CLUSTER.md): it must listen on the node's bind address only, not on
 * every interface of the machine. Found by a red-team run: a node bound to 127.0.0.1 took connections to that port
 * on the machine's network address. On a machine with loopback only there is nothing to reach, and nothing to check.
 */
class FailureDetectionPortTest {

    @Test
    void theFailureDetectionPortListensOnTheBindAddressOnly() throws Exception {
        TestClusters clusters = new TestClusters();
        int port = TestClusters.freePorts(1).get(0);
        List<String> reached = new ArrayList<>();
        try (ClusterNode node = ClusterNode.join(clusters.config("fd-port", "n0", port, List.of(port)).build())) {
            for (InetAddress address : otherAddresses()) {
                for (int fd = port + 100; fd <= port + 103; fd++) {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(address, fd), 1000);
                        reached.add(address.getHostAddress() + ":" + fd);
                    } catch (IOException refused) {
                        // not listening there: as it should be
                    }
                }
            }
        }
        assertEquals(List.of(), reached, "a node bound to 127.0.0.1 listens on other addresses");
    }

    private static List<InetAddress> otherAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        addresses.add(a);
                    }
                }
            }
        }
        return addresses;
    }
}
