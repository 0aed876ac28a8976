package dev.siptls.server;

import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.Flow;
import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.SipEndpointConfig;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The SIP-TLS key server (docs/PROTOCOL.md): a registrar that binds agents' AORs to their mutual-TLS flows,
 * a store of their security policies, and a back-to-back UA that answers a client agent's INVITE with a
 * fresh security association after handing the same SA to the server agent over its own flow.
 *
 * <p>{@link #start} binds and returns a running server; {@link #close} stops it and every thread it started.
 * All state is in memory: a restart loses registrations, and agents register again. In a cluster
 * ({@link KeyServerConfig.Builder#cluster}) the nodes share it, and a node passes SAs for agents registered on
 * another node to that node (docs/CLUSTER.md).
 */
public final class KeyServer implements AutoCloseable {

    private static final AtomicInteger BEANS = new AtomicInteger();
    /** Requests waiting for a worker in a cluster; beyond, 503. */
    private static final int WORK_QUEUE = 10_000;

    private final KeyServerConfig config;
    private final SipEndpoint endpoint;
    private final Counters counters;
    private final InviteRelay relay;
    private final Registry registry;
    private final ObjectName beanName;
    private final Cluster cluster;
    private final SipEndpoint nodes;
    private final EdgeRelay edge;
    private final ThreadPoolExecutor workers;
    private volatile boolean closed;

    private KeyServer(KeyServerConfig config, SipEndpoint endpoint, Counters counters, InviteRelay relay,
            Registry registry, ObjectName beanName, Cluster cluster, SipEndpoint nodes, EdgeRelay edge,
            ThreadPoolExecutor workers) {
        this.registry = registry;
        this.cluster = cluster;
        this.nodes = nodes;
        this.edge = edge;
        this.workers = workers;
        this.config = config;
        this.endpoint = endpoint;
        this.counters = counters;
        this.relay = relay;
        this.beanName = beanName;
    }

    /** Binds the listeners and starts serving; {@code IOException} if the port is taken or the identity unusable. */
    public static KeyServer start(KeyServerConfig config) throws IOException {
        Registry registry = new Registry();
        Cluster cluster = config.sharedState().map(Cluster::of).orElseGet(() -> Cluster.alone(config.replayCacheSize()));
        Counters counters = new Counters(registry::registrations, registry::policies);
        Answers answers = new Answers(new SipMessages(), counters);
        XmlCodec codec = new XmlCodec();
        PolicyVerifier verifier;
        SipEndpointConfig.Builder sip = SipEndpointConfig.builder()
                .name(config.name())
                .bindAddress(config.bindAddress())
                .port(config.port())
                .listening(true)
                .handshakeTimeout(config.handshakeTimeout())
                .maxMessageSize(config.maxMessageSize())
                .plainTcpPort(config.plainTcpPort().orElse(0))
                .writeTimeout(config.writeTimeout())
                .keepAlive(config.keepAlive())
                .eventLoops(config.eventLoops())
                .handshakeThreads(config.handshakeThreads())
                .maxQueuedBytes(config.maxQueuedBytes())
                // An SA exchange needs no dialog (it carries nothing after the ACK), and its messages are handled
                // on the thread that read them: no hand-off per message.
                .automaticDialogs(false)
                .reentrantListener(true);
        try {
            verifier = new PolicyVerifier(config.policyTrustStore(), config.serving());
            sip.sslContext(config.identity().serverContext());
        } catch (GeneralSecurityException e) {
            throw new IOException("key server identity or trust store unusable: " + e.getMessage(), e);
        }
        InviteRelay relay = new InviteRelay(registry, cluster, new AssociationFactory(new SecureRandom(),
                config.maxLifetime(), new SuiteChoice(config.allowLegacySuites())),
                codec, answers, counters, config);
        EdgeRelay edge = cluster.shared() ? new EdgeRelay(registry, cluster, answers, counters, config) : null;
        ThreadPoolExecutor workers = cluster.shared() ? workers(config) : null;
        KeyServerListener listener = new KeyServerListener(new Registrar(registry, cluster, answers, counters, config),
                new PolicyDesk(registry, cluster, verifier, codec, answers, counters), relay, answers, edge, workers,
                () -> config.sharedState().map(SharedState::available).orElse(true));
        SipEndpoint endpoint;
        SipEndpoint nodes = null;
        try {
            endpoint = SipEndpoint.start(sip.flows(relay::route).build(), listener);
            if (cluster.shared()) {
                nodes = startLinks(config, config.nodeLinks().orElseThrow(), new NodeLinksListener(edge, relay, answers));
            }
        } catch (IOException | RuntimeException e) {
            if (workers != null) {
                workers.shutdownNow();
            }
            cluster.close();
            throw e;
        }
        relay.attach(endpoint);
        listener.attach(endpoint);
        if (nodes != null) {
            relay.attachNodes(nodes, workers);
            edge.attach(endpoint, nodes, workers);
            cluster.announce(nodes.tlsAddress());
            counters.attachCluster(cluster::sharedRegistrations, cluster::clusterCounters);
        }
        counters.attach(endpoint::transportStatistics);
        long relayMillis = relay.sweepInterval().toMillis();
        endpoint.timers().scheduleWithFixedDelay(() -> expireRelays(relay, edge), relayMillis, relayMillis,
                TimeUnit.MILLISECONDS);
        long sweepMillis = config.sweepInterval().toMillis();
        endpoint.scheduler().scheduleWithFixedDelay(() -> sweep(registry, cluster, counters, relay, endpoint, config), sweepMillis,
                sweepMillis, TimeUnit.MILLISECONDS);
        ObjectName bean = config.registerMBean() ? registerBean(config.name(), counters) : null;
        KeyServer server = new KeyServer(config, endpoint, counters, relay, registry, bean, cluster, nodes, edge,
                workers);
        Answers.info(() -> "key server " + config.name() + " listening on tls:" + hostPort(server.address())
                + server.plainTcpAddress().map(a -> " and tcp:" + hostPort(a)).orElse("")
                + server.nodeLinksAddress().map(a -> ", for other nodes on tls:" + hostPort(a)).orElse(""));
        return server;
    }

    /** The links to the other nodes: mutual TLS with the cluster's identity, blocking transport that dials too. */
    private static SipEndpoint startLinks(KeyServerConfig config, NodeLinks links, NodeLinksListener listener)
            throws IOException {
        try {
            return SipEndpoint.start(SipEndpointConfig.builder()
                    .name(config.name() + "-nodes")
                    .bindAddress(links.bindAddress())
                    .port(links.port())
                    .listening(true)
                    .interconnect(true)
                    .sslContext(links.identity().serverContext())
                    .handshakeTimeout(config.handshakeTimeout())
                    .maxMessageSize(config.maxMessageSize())
                    .automaticDialogs(false)
                    .reentrantListener(true)
                    .build(), listener);
        } catch (GeneralSecurityException e) {
            throw new IOException("cluster identity or trust store unusable: " + e.getMessage(), e);
        }
    }

    private static ThreadPoolExecutor workers(KeyServerConfig config) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.workers(), config.workers(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(WORK_QUEUE), task -> {
                    Thread t = new Thread(task, config.name() + "-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static void expireRelays(InviteRelay relay, EdgeRelay edge) {
        try {
            relay.expire();
            if (edge != null) {
                edge.expire();
            }
        } catch (RuntimeException e) {
            Answers.warn("expiring SA relays failed", e);
        }
    }

    /** Ends expired registrations and those whose connection closed, then closes idle unregistered connections. */
    private static void sweep(Registry registry, Cluster cluster, Counters counters, InviteRelay relay,
            SipEndpoint endpoint, KeyServerConfig config) {
        try {
            long now = System.currentTimeMillis();
            List<Registration> expired = registry.sweep(now, now - config.forgetAfter().toMillis());
            if (!expired.isEmpty()) {
                Answers.debug(() -> "registrations ended: " + expired.stream().map(Registration::aor).toList());
                expired.forEach(cluster::withdrawn);
            }
            relay.forgetSealingKeys();
            cluster.refresh(counters.totals());
            Set<Flow> held = registry.heldFlows(now);
            endpoint.closeUnclaimedFlows(config.idleTimeout(), held::contains);
        } catch (RuntimeException e) {
            Answers.warn("sweeping registrations failed", e);
        }
    }

    /** Registers the statistics as {@code dev.siptls:type=KeyServer,name=<name>}, made unique if taken. */
    private static ObjectName registerBean(String name, Counters counters) {
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        String unique = name;
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                ObjectName objectName = new ObjectName("dev.siptls:type=KeyServer,name=" + unique);
                platform.registerMBean(counters, objectName);
                return objectName;
            } catch (InstanceAlreadyExistsException taken) {
                unique = name + "-" + BEANS.incrementAndGet();
            } catch (JMException e) {
                Answers.warn("statistics not registered with JMX", e);
                return null;
            }
        }
        return null;
    }

    /** The accepted TLS connections open now and the bytes they keep between events, for tests. */
    long[] tlsConnectionState() {
        try {
            return endpoint.tlsConnectionState();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The TLS listener. */
    public InetSocketAddress address() {
        return endpoint.tlsAddress();
    }

    /** The transaction the key server's SIP stack still keeps under {@code branch}, for tests; null if none. */
    gov.nist.javax.sip.stack.SIPTransaction keptTransaction(String branch, boolean server) {
        return endpoint.keptTransaction(branch, server);
    }

    /** Dialogs the key server's SIP stack holds, in any state, for tests: an SA exchange makes none. */
    int dialogs() {
        return ((gov.nist.javax.sip.SipStackExt) endpoint.stack()).getDialogs().size();
    }

    /** The connection {@code aor} is registered on, for tests; empty if none. */
    Optional<Flow> flowOf(String aor) {
        return registry.flowOf(aor, System.currentTimeMillis());
    }

    /** Where this node takes requests from the other nodes of its cluster; empty alone. */
    public Optional<InetSocketAddress> nodeLinksAddress() {
        return Optional.ofNullable(nodes).map(SipEndpoint::tlsAddress);
    }

    /** The plain-TCP listener for conformance tools, if configured. */
    public Optional<InetSocketAddress> plainTcpAddress() {
        return endpoint.plainTcpAddress();
    }

    public KeyServerStatistics statistics() {
        return counters;
    }

    /**
     * The statistics as Micrometer meters ({@code siptls.keyserver.*}, tagged {@code keyserver=<name>}), plus
     * latency timers with histogram buckets; bind it to a registry, e.g. Prometheus's. JMX is unaffected.
     */
    public MeterBinder metrics() {
        return new KeyServerMetrics(config.name(), counters, cluster.shared());
    }

    /** Whether the key server still runs: up until it is closed or its TLS listener or an event loop stopped. */
    public Health liveness() {
        if (closed) {
            return Health.down("key server closed");
        }
        if (!endpoint.running()) {
            return Health.down("key server's TLS listener or an event loop stopped (see the log)");
        }
        return Health.up("running");
    }

    /**
     * Whether agents may register here now: the key server runs and, in a cluster, its node links run and this node
     * may read and write the shared state (not while cut off from the majority, or while the cluster forms).
     */
    public Health readiness() {
        Health live = liveness();
        if (!live.up()) {
            return live;
        }
        if (nodes != null && !nodes.running()) {
            return Health.down("links to the other nodes closed");
        }
        if (!config.sharedState().map(SharedState::available).orElse(true)) {
            return Health.down("cluster state not available on this node: agents are sent to another node");
        }
        return Health.up("accepting agents on tls:" + hostPort(address()));
    }

    /** {@code 127.0.0.1:5061}, not InetSocketAddress's {@code /127.0.0.1:5061}. */
    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** The JMX name the statistics are registered under, if they are. */
    public Optional<ObjectName> statisticsName() {
        return Optional.ofNullable(beanName);
    }

    public KeyServerConfig config() {
        return config;
    }

    /** Stops listening, zeroes SAs in flight and ends every thread the server started; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (beanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(beanName);
            } catch (JMException e) {
                Answers.debug(() -> "statistics bean already gone: " + e);
            }
        }
        if (edge != null) {
            edge.closeAll();
        }
        endpoint.close();
        if (nodes != null) {
            nodes.close();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        relay.wipeAll();
        cluster.close();
        Answers.info(() -> "key server " + config.name() + " closed");
    }

    @Override
    public String toString() {
        return "KeyServer[" + config.name() + " at " + address() + "]";
    }
}
