package dev.siptls.cluster;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/** Nodes of test clusters on loopback, their identities issued by one throw-away cluster CA. */
final class TestClusters {

    static final char[] PASSWORD = "cluster-test-secret".toCharArray();
    static final Duration FAILURE_DETECTION = Duration.ofSeconds(2);

    private final CertificateAuthority ca;

    TestClusters() {
        this(newCa("SIP-TLS Test Cluster CA"));
    }

    TestClusters(CertificateAuthority ca) {
        this.ca = ca;
    }

    static CertificateAuthority newCa(String name) {
        try {
            return CertificateAuthority.create(name);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    CertificateAuthority ca() {
        return ca;
    }

    TlsIdentity identity(String nodeName) {
        try {
            return TlsIdentity.of(ca.issue(nodeName, List.of("127.0.0.1"), KeyType.EC_P256, PASSWORD), PASSWORD,
                    ca.trustStore());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Free loopback ports, spaced so that FD_SOCK2's port (the transport's plus 100) stays clear. */
    static List<Integer> freePorts(int n) {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < n) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (port + 110 < 65536 && ports.stream().noneMatch(p -> Math.abs(p - port) < 110)) {
                    ports.add(port);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ports;
    }

    /** A node named {@code name} on {@code port}, listing every other of {@code ports}. */
    ClusterConfig.Builder config(String cluster, String name, int port, List<Integer> ports) {
        List<HostPort> members = new ArrayList<>();
        for (int p : ports) {
            if (p != port) {
                members.add(new HostPort("127.0.0.1", p));
            }
        }
        return ClusterConfig.builder().clusterName(cluster).nodeName(name).bindAddress("127.0.0.1").bindPort(port)
                .members(members).identity(identity(name)).failureDetectionTimeout(FAILURE_DETECTION)
                .joinTimeout(Duration.ofSeconds(40));
    }

    /** Joins every config at once (a cluster's nodes start together), in the order given. */
    static List<ClusterNode> joinAll(List<ClusterConfig> configs) {
        ExecutorService pool = Executors.newFixedThreadPool(configs.size());
        try {
            List<Future<ClusterNode>> joins = new ArrayList<>();
            for (ClusterConfig c : configs) {
                joins.add(pool.submit(() -> ClusterNode.join(c)));
            }
            List<ClusterNode> nodes = new ArrayList<>();
            for (Future<ClusterNode> f : joins) {
                nodes.add(f.get());
            }
            return nodes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a node did not join", e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    /** Waits up to {@code limit} for {@code condition}; returns the time it took, or throws. */
    static Duration await(String what, Duration limit, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
