package dev.siptls.bench.cluster;

import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The files of a cluster of {@code sip-tls server} nodes on loopback, as a deployer writes them: the agents' CA
 * (which issues each node's key-server certificate and the agents' identities) and, apart from it, the cluster's
 * CA (which issues each node's certificate for the links between nodes, and which alone the nodes trust there);
 * one properties file per node. Every port is fixed here, so that a node restarted on its file comes back where
 * the agents and the other nodes expect it.
 */
public final class ClusterLayout {

    /** Protects only throw-away test and bench keys in a private temporary directory. */
    private static final String PASSWORD = "cluster-bench";
    /** JGroups' FD_SOCK2 listens on the cluster port plus 100: keep those clear of each other. */
    private static final int PORT_SPACING = 110;

    private final Path directory;
    private final CertificateAuthority agentsCa;
    private final List<Path> configs;
    private final List<String> names;
    private final List<InetSocketAddress> keyServers;
    private final boolean clustered;

    private ClusterLayout(Path directory, CertificateAuthority agentsCa, List<Path> configs, List<String> names,
            List<InetSocketAddress> keyServers, boolean clustered) {
        this.clustered = clustered;
        this.directory = directory;
        this.agentsCa = agentsCa;
        this.configs = configs;
        this.names = names;
        this.keyServers = keyServers;
    }

    /**
     * Writes the PKIs and the properties files of {@code nodes} nodes into {@code directory}.
     *
     * @param cluster the cluster's name, also the prefix of its nodes' names
     */
    public static ClusterLayout write(Path directory, String cluster, int nodes)
            throws IOException, GeneralSecurityException {
        return write(directory, cluster, nodes, true);
    }

    /**
     * The same for one key server without any {@code cluster.*} key, as a key server alone is deployed: the
     * baseline that shows what being a node costs.
     */
    public static ClusterLayout alone(Path directory, String name) throws IOException, GeneralSecurityException {
        return write(directory, name, 1, false);
    }

    private static ClusterLayout write(Path directory, String cluster, int nodes, boolean clustered)
            throws IOException, GeneralSecurityException {
        CertificateAuthority agentsCa = CertificateAuthority.create("SIP-TLS " + cluster + " agents CA");
        CertificateAuthority clusterCa = CertificateAuthority.create("SIP-TLS " + cluster + " cluster CA");
        char[] password = PASSWORD.toCharArray();
        CertificateAuthority.write(agentsCa.trustStore(), directory.resolve("trust.p12"), password);
        CertificateAuthority.write(clusterCa.trustStore(), directory.resolve("cluster-trust.p12"), password);
        List<Integer> clusterPorts = freePorts(nodes, PORT_SPACING);
        List<Integer> sipPorts = freePorts(nodes, 1);
        String members = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        List<Path> configs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<InetSocketAddress> keyServers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            String name = cluster + "-node" + i;
            CertificateAuthority.write(agentsCa.issue(name, List.of("127.0.0.1", "localhost"), KeyType.EC_P256,
                    password), directory.resolve(name + ".p12"), password);
            CertificateAuthority.write(clusterCa.issue(name, List.of("127.0.0.1"), KeyType.EC_P256, password),
                    directory.resolve(name + "-cluster.p12"), password);
            Path config = directory.resolve(name + ".properties");
            List<String> keyServer = List.of(
                    "keystore=" + name + ".p12",
                    "keystore.password=" + PASSWORD,
                    "truststore=trust.p12",
                    "truststore.password=" + PASSWORD,
                    "name=" + name,
                    "bind=127.0.0.1",
                    "port=" + sipPorts.get(i), "");
            List<String> node = List.of(
                    "cluster.members=" + members,
                    "cluster.port=" + clusterPorts.get(i),
                    "cluster.name=" + cluster,
                    "cluster.node=" + name,
                    "cluster.links.port=0",
                    "cluster.keystore=" + name + "-cluster.p12",
                    "cluster.keystore.password=" + PASSWORD,
                    "cluster.truststore=cluster-trust.p12",
                    "cluster.truststore.password=" + PASSWORD, "");
            Files.writeString(config, String.join("\n", keyServer) + (clustered ? String.join("\n", node) : ""),
                    StandardCharsets.UTF_8);
            configs.add(config);
            names.add(name);
            keyServers.add(new InetSocketAddress("127.0.0.1", sipPorts.get(i)));
        }
        return new ClusterLayout(directory, agentsCa, List.copyOf(configs), List.copyOf(names),
                List.copyOf(keyServers), clustered);
    }

    /**
     * Free loopback ports now, each at least {@code spacing} from the others, below the ephemeral range (32768 up
     * on Linux, 49152 up elsewhere): a node killed and restarted binds its port again, and a port the kernel hands
     * out for outgoing connections may have been taken by one meanwhile (seen once in a full run).
     */
    private static List<Integer> freePorts(int n, int spacing) {
        List<Integer> ports = new ArrayList<>();
        Random random = new Random();
        while (ports.size() < n) {
            int port = 20_000 + random.nextInt(12_000 - spacing);
            if (ports.stream().anyMatch(p -> Math.abs(p - port) < spacing)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                ports.add(port);
            } catch (IOException e) {
                // taken: try another
            }
        }
        return ports;
    }

    /** False for a key server alone ({@link #alone}). */
    public boolean clustered() {
        return clustered;
    }

    public int nodes() {
        return configs.size();
    }

    public Path directory() {
        return directory;
    }

    /** The CA of the agents' identities, which the key servers trust. */
    public CertificateAuthority agentsCa() {
        return agentsCa;
    }

    /** Node {@code i}'s properties file. */
    public Path config(int i) {
        return configs.get(i);
    }

    /** Node {@code i}'s name: its key server's {@code name} (JMX) and its {@code cluster.node}. */
    public String name(int i) {
        return names.get(i);
    }

    /** Where node {@code i}'s key server listens for agents. */
    public InetSocketAddress keyServer(int i) {
        return keyServers.get(i);
    }

    /** Every node's key-server address, node 0 first. */
    public List<InetSocketAddress> keyServers() {
        return keyServers;
    }
}
