package dev.siptls.cluster;

import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.server.KeyServerStatistics;
import dev.siptls.server.NodeLinks;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Real key servers, each a node of one cluster with its own {@link ClusterNode} over loopback TLS: the nodes'
 * certificates (JGroups and the SIP links between nodes) come from the cluster's own CA, the key servers' from
 * the agents' CA ({@code keyServer}, one identity all agents check).
 */
final class KeyServerNodes implements AutoCloseable {

    /** The key servers sweep often, so that a closed connection's cleanup comes soon after the close. */
    static final Duration SWEEP = Duration.ofMillis(200);

    private final List<ClusterNode> nodes;
    private final List<KeyServer> servers = new ArrayList<>();

    private KeyServerNodes(List<ClusterNode> nodes) {
        this.nodes = nodes;
    }

    /** {@code size} nodes of cluster {@code name}, joined together, each then serving as a key server. */
    static KeyServerNodes start(String name, int size, TestClusters clusters, TlsIdentity keyServer,
            Consumer<KeyServerConfig.Builder> tune) throws IOException {
        List<Integer> ports = TestClusters.freePorts(size);
        List<ClusterConfig> configs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            configs.add(clusters.config(name, "n" + i, ports.get(i), ports).build());
        }
        KeyServerNodes started = new KeyServerNodes(TestClusters.joinAll(configs));
        try {
            for (int i = 0; i < size; i++) {
                KeyServerConfig.Builder config = KeyServerConfig.builder().identity(keyServer)
                        .bindAddress("127.0.0.1").port(0).name(name + "-n" + i).registerMBean(false)
                        .relayTimeout(Duration.ofSeconds(3)).sweepInterval(SWEEP)
                        .cluster(started.nodes.get(i), new NodeLinks(clusters.identity("n" + i), "127.0.0.1", 0));
                tune.accept(config);
                started.servers.add(KeyServer.start(config.build()));
            }
        } catch (IOException | RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    int size() {
        return servers.size();
    }

    ClusterNode node(int i) {
        return nodes.get(i);
    }

    KeyServer server(int i) {
        return servers.get(i);
    }

    /** Where agents reach node {@code i}. */
    InetSocketAddress address(int i) {
        return new InetSocketAddress("127.0.0.1", servers.get(i).address().getPort());
    }

    /** Every node's agent address, starting with node {@code first} (the list wraps around). */
    List<InetSocketAddress> addressesFrom(int first) {
        List<InetSocketAddress> list = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            list.add(address((first + i) % size()));
        }
        return list;
    }

    /** The index of the node whose agent address is {@code address}, or -1. */
    int indexOf(InetSocketAddress address) {
        for (int i = 0; i < size(); i++) {
            if (address(i).equals(address)) {
                return i;
            }
        }
        return -1;
    }

    /** A counter summed over the nodes. */
    long sum(ToLongFunction<KeyServerStatistics> counter) {
        return servers.stream().mapToLong(s -> counter.applyAsLong(s.statistics())).sum();
    }

    /** Closes key server {@code i}, which leaves the cluster with it. */
    void close(int i) {
        servers.get(i).close();
        nodes.get(i).close();
    }

    @Override
    public void close() {
        servers.forEach(KeyServer::close);
        nodes.forEach(ClusterNode::close);
    }
}
