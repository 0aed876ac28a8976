package dev.siptls.cli;

import dev.siptls.cluster.ClusterConfig;
import dev.siptls.server.NodeLinks;
import dev.siptls.sip.TlsIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code cluster.*} keys of {@code sip-tls server --config} (and the flags that win over them): whether and how
 * this key server joins others as one (docs/CLUSTER.md). A key server is a node of a cluster exactly when
 * {@code cluster.members} (or {@code --cluster}) is given.
 */
final class ClusterSettings {

    static final Set<String> KEYS = Set.of("cluster.members", "cluster.port", "cluster.bind", "cluster.name",
            "cluster.node", "cluster.links.port", "cluster.keystore", "cluster.keystore.password",
            "cluster.truststore", "cluster.truststore.password", "cluster.failure-detection", "cluster.jgroups");

    private final Properties properties;

    ClusterSettings(Properties properties) {
        this.properties = properties;
    }

    /** Flags win over the file; a null flag leaves the file's value. */
    ClusterSettings withFlags(String members, Integer port, String node, Integer linksPort) {
        Properties p = new Properties();
        p.putAll(properties);
        if (members != null) {
            p.setProperty("cluster.members", members);
        }
        if (port != null) {
            p.setProperty("cluster.port", Integer.toString(port));
        }
        if (node != null) {
            p.setProperty("cluster.node", node);
        }
        if (linksPort != null) {
            p.setProperty("cluster.links.port", Integer.toString(linksPort));
        }
        return new ClusterSettings(p);
    }

    boolean enabled() {
        return properties.getProperty("cluster.members") != null;
    }

    int port() {
        return integer("cluster.port", properties.getProperty("cluster.port",
                Integer.toString(ClusterConfig.DEFAULT_PORT)));
    }

    String nodeName() {
        return properties.getProperty("cluster.node", "keyserver-" + port()).trim();
    }

    /** Whether the file names the node's own cluster key store (else demo credentials are used). */
    boolean hasIdentity() {
        return properties.containsKey("cluster.keystore");
    }

    TlsIdentity identity(Path base) throws Exception {
        String keyStore = properties.getProperty("cluster.keystore");
        String trustStore = properties.getProperty("cluster.truststore");
        if (trustStore == null) {
            throw new IllegalArgumentException("cluster.keystore is set but cluster.truststore (the cluster's CA) is not");
        }
        char[] password = required("cluster.keystore.password", System.getenv("SIPTLS_CLUSTER_KEYSTORE_PASSWORD"));
        char[] trustPassword = required("cluster.truststore.password", new String(password));
        String passwordFrom = properties.containsKey("cluster.keystore.password") ? "cluster.keystore.password"
                : "SIPTLS_CLUSTER_KEYSTORE_PASSWORD";
        return KeyStoreFiles.identity(base.resolve(keyStore.trim()), password, "cluster.keystore", passwordFrom,
                base.resolve(trustStore.trim()), trustPassword, "cluster.truststore",
                properties.containsKey("cluster.truststore.password") ? "cluster.truststore.password" : passwordFrom,
                "fix the path or the password (relative paths are resolved from the --config file's directory)");
    }

    /** The cluster's configuration for this node, with {@code identity} on its links; {@code bind} is the key server's. */
    ClusterConfig config(TlsIdentity identity, String bind, Path base) {
        ClusterConfig.Builder b = ClusterConfig.builder()
                .clusterName(properties.getProperty("cluster.name", "sip-tls").trim())
                .nodeName(nodeName())
                .bindAddress(properties.getProperty("cluster.bind", bind).trim())
                .bindPort(port())
                .members(properties.getProperty("cluster.members").trim())
                .identity(identity);
        String v;
        if ((v = properties.getProperty("cluster.failure-detection")) != null) {
            b.failureDetectionTimeout(Duration.ofMillis(integer("cluster.failure-detection", v)));
        }
        if ((v = properties.getProperty("cluster.jgroups")) != null) {
            b.jgroupsFile(base.resolve(v.trim()));
        }
        return b.build();
    }

    NodeLinks links(TlsIdentity identity, String bind) {
        return new NodeLinks(identity, properties.getProperty("cluster.bind", bind).trim(),
                integer("cluster.links.port", properties.getProperty("cluster.links.port", "0")));
    }

    private char[] required(String key, String fallback) {
        String value = properties.getProperty(key, fallback);
        if (value == null) {
            throw new IllegalArgumentException(key + " is not set (nor SIPTLS_CLUSTER_KEYSTORE_PASSWORD)");
        }
        return value.toCharArray();
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + value.trim() + "'");
        }
    }
}
