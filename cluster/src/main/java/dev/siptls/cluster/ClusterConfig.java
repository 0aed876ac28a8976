package dev.siptls.cluster;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one key server joins its cluster: the cluster's and this node's names, where it listens for the other
 * nodes (JGroups over TCP), how it finds them, the TLS identity every link between nodes is authenticated with,
 * and how long shared records are kept. Immutable; built with {@link #builder()}, validated by
 * {@link Builder#build()} with messages that say what to change.
 *
 * <p><b>Discovery.</b> Either a static list of the other nodes' {@code host:port} ({@link Builder#members},
 * JGroups {@code TCPPING}; an empty list makes a one-node cluster), or, for deployers who cannot list the members
 * (nodes behind DNS, containers), a JGroups XML file of their own ({@link Builder#jgroupsFile}), for instance with
 * {@code dns.DNS_PING} in place of {@code TCPPING}; docs/CLUSTER.md shows one. Its transport must be {@code TCP}:
 * mutual TLS with this config's identity is imposed on it whatever the file says, and {@code tcp_nodelay} set.
 *
 * <p><b>Trust between nodes.</b> {@link Builder#identity} holds this node's key and certificate and, as its trust
 * store, the cluster's own CA (not the one agents are issued by): every TCP link is TLS with the client certificate
 * required, so a node whose certificate that CA did not issue can neither join nor read any state.
 */
public final class ClusterConfig {

    /** JGroups' customary port. */
    public static final int DEFAULT_PORT = 7800;

    private final String clusterName;
    private final String nodeName;
    private final String bindAddress;
    private final int bindPort;
    private final List<HostPort> members;
    private final Path jgroupsFile;
    private final TlsIdentity identity;
    private final Duration failureDetectionTimeout;
    private final Duration replayRetention;
    private final Duration endedRetention;
    private final Duration joinTimeout;
    private final int initialClusterSize;

    private ClusterConfig(Builder b) {
        this.clusterName = b.clusterName;
        this.bindAddress = b.bindAddress;
        this.bindPort = b.bindPort;
        this.members = List.copyOf(b.members);
        this.jgroupsFile = b.jgroupsFile;
        this.identity = b.identity;
        this.failureDetectionTimeout = b.failureDetectionTimeout;
        this.replayRetention = b.replayRetention;
        this.endedRetention = b.endedRetention;
        this.joinTimeout = b.joinTimeout;
        this.nodeName = b.nodeName != null ? b.nodeName : bindAddress + ":" + bindPort;
        this.initialClusterSize = b.initialClusterSize > 0 ? b.initialClusterSize : (members.size() + 1) / 2 + 1;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Nodes join only a cluster of this name. */
    public String clusterName() { return clusterName; }
    /** This node's name, unique in the cluster; by default {@code bindAddress:bindPort}. */
    public String nodeName() { return nodeName; }
    /** The address the other nodes reach this node at, and this node listens on. */
    public String bindAddress() { return bindAddress; }
    /** The JGroups TCP port; with a JGroups file, 0 leaves the file's own. */
    public int bindPort() { return bindPort; }
    /** The other nodes' JGroups {@code host:port} (TCPPING); empty with a JGroups file or for a one-node cluster. */
    public List<HostPort> members() { return members; }
    /** A deployer's own JGroups XML file, instead of the generated stack with {@link #members()}. */
    public Optional<Path> jgroupsFile() { return Optional.ofNullable(jgroupsFile); }
    /** This node's key and certificate, and the cluster CA it checks the other nodes against. */
    public TlsIdentity identity() { return identity; }
    /** How long a silent (hung) node stays a member; a killed one is seen at once through its closed sockets. */
    public Duration failureDetectionTimeout() { return failureDetectionTimeout; }
    /** How long an answered INVITE is remembered cluster-wide. */
    public Duration replayRetention() { return replayRetention; }
    /** How long an AOR whose registration ended stays known (480 rather than 404). */
    public Duration endedRetention() { return endedRetention; }
    /** How long {@link ClusterNode#join} waits for the cluster and its state before it gives up. */
    public Duration joinTimeout() { return joinTimeout; }
    /**
     * How many nodes must be together before this one serves, when it starts. By default a majority of this node
     * and its listed members, so that a node cut off at start-up cannot found a cluster of its own and decide
     * alone; 1 with a JGroups file unless set.
     */
    public int initialClusterSize() { return initialClusterSize; }

    @Override
    public String toString() {
        return "ClusterConfig[cluster=" + clusterName + ", node=" + nodeName + ", bind=" + bindAddress + ":"
                + bindPort + (jgroupsFile != null ? ", jgroups file" : ", members=" + members) + "]";
    }

    /** A builder; every setting but the identity has a default. */
    public static final class Builder {
        private String clusterName = "sip-tls";
        private String nodeName;
        private String bindAddress;
        private int bindPort = DEFAULT_PORT;
        private final List<HostPort> members = new ArrayList<>();
        private Path jgroupsFile;
        private TlsIdentity identity;
        private Duration failureDetectionTimeout = Duration.ofSeconds(3);
        private Duration replayRetention = Duration.ofMinutes(2);
        private Duration endedRetention = Duration.ofDays(1);
        private Duration joinTimeout = Duration.ofSeconds(30);
        private int initialClusterSize;

        private Builder() {
        }

        public Builder clusterName(String name) { this.clusterName = name; return this; }
        public Builder nodeName(String name) { this.nodeName = name; return this; }
        public Builder bindAddress(String address) { this.bindAddress = address; return this; }
        public Builder bindPort(int port) { this.bindPort = port; return this; }

        /** Adds the other nodes' JGroups {@code host:port}; this node's own may be listed too and is skipped. */
        public Builder members(List<HostPort> others) {
            this.members.addAll(others);
            return this;
        }

        /** Adds members from {@code "host:port,host:port"}; blank adds none. */
        public Builder members(String commaSeparated) {
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    this.members.add(HostPort.parse(part.strip()));
                }
            }
            return this;
        }

        public Builder jgroupsFile(Path file) { this.jgroupsFile = file; return this; }
        public Builder identity(TlsIdentity nodeIdentity) { this.identity = nodeIdentity; return this; }

        /**
         * The identity from PKCS#12 files: the node's key store and the cluster CA's trust store. The passwords are
         * used here only and not kept by this config.
         */
        public Builder identity(Path keyStore, char[] password, Path trustStore, char[] trustPassword) {
            try {
                this.identity = TlsIdentity.fromPkcs12(keyStore, password, trustStore, trustPassword);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot read the cluster key store " + keyStore.getFileName()
                        + " or trust store " + trustStore.getFileName() + ": " + e.getMessage(), e);
            }
            return this;
        }

        public Builder failureDetectionTimeout(Duration timeout) { this.failureDetectionTimeout = timeout; return this; }
        public Builder replayRetention(Duration retention) { this.replayRetention = retention; return this; }
        public Builder endedRetention(Duration retention) { this.endedRetention = retention; return this; }
        public Builder joinTimeout(Duration timeout) { this.joinTimeout = timeout; return this; }
        public Builder initialClusterSize(int nodes) { this.initialClusterSize = nodes; return this; }

        /** @throws IllegalArgumentException naming the setting to change */
        public ClusterConfig build() {
            require(clusterName != null && !clusterName.isBlank(), "cluster name is empty");
            require(identity != null, "no TLS identity for the links between nodes: give the node's PKCS#12 key "
                    + "store and a trust store holding the cluster's CA");
            require(bindPort >= 0 && bindPort <= 65535, "bind port out of range 0..65535: " + bindPort);
            if (jgroupsFile != null) {
                require(members.isEmpty(), "give either members or a JGroups file, not both: the file's discovery "
                        + "finds the members");
                require(Files.isReadable(jgroupsFile), "JGroups file not readable: " + jgroupsFile.getFileName());
                if (bindAddress == null) {
                    bindPort = 0;
                }
            } else {
                require(bindAddress != null || members.isEmpty(), "members are listed but no bind address: give "
                        + "the address the other nodes reach this node at");
                if (bindAddress == null) {
                    bindAddress = "127.0.0.1";
                }
                require(bindPort != 0 || members.isEmpty(), "bind port 0 with members listed: the others could "
                        + "not list this node; give a fixed port");
                members.removeIf(m -> m.port() == bindPort && sameHost(m.host(), bindAddress));
            }
            require(nodeName != null || bindPort != 0, "bind port 0 (or a JGroups file's own) makes no unique name: "
                    + "give the node a name");
            require(nodeName == null || !nodeName.isBlank(), "node name is empty");
            positive(failureDetectionTimeout, "failure detection timeout");
            require(failureDetectionTimeout.compareTo(Duration.ofMillis(500)) >= 0
                    && failureDetectionTimeout.compareTo(Duration.ofMinutes(1)) <= 0,
                    "failure detection timeout must be 500 ms to 1 min, not " + failureDetectionTimeout);
            positive(replayRetention, "replay retention");
            positive(endedRetention, "ended-AOR retention");
            positive(joinTimeout, "join timeout");
            require(initialClusterSize >= 0, "initial cluster size is negative: " + initialClusterSize);
            return new ClusterConfig(this);
        }

        /**
         * Whether a listed member is this node: the same name, or one resolving to the same address (a list shared
         * by all nodes names each by its host name, a node binds to its address), since counting itself among the
         * others would raise the majority it waits for at start-up.
         */
        private static boolean sameHost(String member, String bind) {
            if (member.equalsIgnoreCase(bind)) {
                return true;
            }
            try {
                return InetAddress.getByName(member).equals(InetAddress.getByName(bind));
            } catch (UnknownHostException e) {
                return false;
            }
        }

        private static void positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            require(!d.isNegative() && !d.isZero(), what + " must be positive, not " + d);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException("cluster configuration: " + message);
            }
        }
    }
}
