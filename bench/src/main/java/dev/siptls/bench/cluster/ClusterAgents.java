package dev.siptls.bench.cluster;

import static dev.siptls.bench.DistributionAgents.identity;

import dev.siptls.agent.AssociationAcceptor;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.TlsIdentity;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client and TLS-server agents of a cluster, real {@link SipTlsAgent}s in this JVM, each given every node's key
 * server, in an order that starts at a different node from one agent to the next (agent {@code i} starts at node
 * {@code i mod n}), so that they spread evenly over the nodes. The server agents remember every SA they accept, by
 * session id, to find one accepted twice.
 */
public final class ClusterAgents implements AutoCloseable {

    private static final List<String> SUITES = List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    /**
     * How the agents detect a lost or hung key server and retry.
     *
     * @param requestTimeout an SA request without an answer this long fails
     * @param keepAlive      the interval of the agent's keep-alive pings and how long it waits for each answer
     */
    public record Timing(Duration requestTimeout, Duration keepAlive, Duration minBackoff, Duration maxBackoff) {
    }

    private final ClusterLayout layout;
    private final Timing timing;
    private final KeyStore trust;
    private final List<SipTlsAgent> clients = new ArrayList<>();
    private final List<SipTlsAgent> servers = new ArrayList<>();
    private final List<String> serverAors = new ArrayList<>();
    private final List<SipTlsAgent> extra = new ArrayList<>();
    private final Map<String, Integer> accepted = new ConcurrentHashMap<>();
    private final AssociationAcceptor recording = sa -> {
        accepted.merge(sa.sessionIdHex(), 1, Integer::sum);
        return Optional.empty();
    };

    private ClusterAgents(ClusterLayout layout, Timing timing) throws java.security.GeneralSecurityException {
        this.layout = layout;
        this.timing = timing;
        this.trust = layout.agentsCa().trustStore();
    }

    /**
     * Starts {@code servers} TLS-server agents and {@code clients} client agents (the servers' first nodes after
     * the clients' in turn) and waits until all are registered and the servers' policies accepted.
     */
    public static ClusterAgents start(ClusterLayout layout, int clients, int servers, Timing timing)
            throws Exception {
        ClusterAgents agents = new ClusterAgents(layout, timing);
        try {
            for (int j = 0; j < servers; j++) {
                agents.servers.add(agents.server("server" + j, (clients + j) % layout.nodes()));
                agents.serverAors.add(agents.servers.get(j).aor());
            }
            for (int i = 0; i < clients; i++) {
                agents.clients.add(agents.client("client" + i, i % layout.nodes()));
            }
            agents.awaitRegistered(Duration.ofSeconds(60));
            return agents;
        } catch (Exception | Error e) {
            agents.close();
            throw e;
        }
    }

    /**
     * A further client agent named {@code name}, its key servers starting at node {@code firstNode}; started, not
     * awaited. Closed with the others.
     */
    public synchronized SipTlsAgent extraClient(String name, int firstNode) throws Exception {
        SipTlsAgent agent = client(name, firstNode);
        extra.add(agent);
        return agent;
    }

    /**
     * A further TLS-server agent named {@code name} (serving {@code <name>.example.com}), its key servers starting
     * at node {@code firstNode}; started, not awaited. Closed with the others.
     */
    public synchronized SipTlsAgent extraServer(String name, int firstNode) throws Exception {
        SipTlsAgent agent = server(name, firstNode);
        extra.add(agent);
        return agent;
    }

    private SipTlsAgent server(String name, int firstNode) throws Exception {
        String aor = "sip:" + name + "@example.com";
        String host = name + ".example.com";
        TlsIdentity web = identity(layout.agentsCa(), host, List.of(host), trust);
        return agent(aor, identity(layout.agentsCa(), name, List.of(aor), trust),
                SecurityPolicy.builder().cipherSuites(SUITES).binding(new HostPort(host, 443))
                        .certificateChain(web.chain()).build(), web, firstNode);
    }

    private SipTlsAgent client(String name, int firstNode) throws Exception {
        String aor = "sip:" + name + "@example.com";
        return agent(aor, identity(layout.agentsCa(), name, List.of(aor), trust),
                SecurityPolicy.builder().cipherSuites(SUITES).build(), null, firstNode);
    }

    private SipTlsAgent agent(String aor, TlsIdentity id, SecurityPolicy policy, TlsIdentity chain, int firstNode)
            throws Exception {
        List<InetSocketAddress> order = new ArrayList<>();
        for (int k = 0; k < layout.nodes(); k++) {
            order.add(layout.keyServer((firstNode + k) % layout.nodes()));
        }
        SipTlsAgent agent = SipTlsAgent.builder().aor(aor).identity(id).keyServers(order).keyServerName("127.0.0.1")
                .policy(policy).chainKey(chain == null ? null : chain.privateKey())
                .acceptor(recording).requestTimeout(timing.requestTimeout())
                .keepAliveInterval(timing.keepAlive()).keepAliveTimeout(timing.keepAlive())
                .retryBackoff(timing.minBackoff(), timing.maxBackoff()).maxAssociations(100_000).build();
        agent.start();
        return agent;
    }

    private void awaitRegistered(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (SipTlsAgent agent : all()) {
            if (!agent.awaitRegistered(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                throw new IllegalStateException(agent.aor() + " did not register: " + agent.lastError().orElse("?"));
            }
        }
        for (SipTlsAgent server : servers) {
            if (!server.awaitPolicyAccepted(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                throw new IllegalStateException(server.aor() + "'s policy was not accepted: "
                        + server.lastError().orElse("?"));
            }
        }
    }

    public List<SipTlsAgent> clients() {
        return clients;
    }

    public List<SipTlsAgent> servers() {
        return servers;
    }

    public List<String> serverAors() {
        return serverAors;
    }

    /** The servers and the clients started with the cluster. */
    public List<SipTlsAgent> all() {
        List<SipTlsAgent> all = new ArrayList<>(servers);
        all.addAll(clients);
        return all;
    }

    /** SAs the server agents accepted so far, by session id: how many times each. */
    public Map<String, Integer> accepted() {
        return Map.copyOf(accepted);
    }

    /** Node index of the key server {@code agent} is registered with now, or -1. */
    public int nodeOf(SipTlsAgent agent) {
        Optional<InetSocketAddress> at = agent.keyServer();
        return at.map(a -> layout.keyServers().indexOf(a)).orElse(-1);
    }

    @Override
    public synchronized void close() {
        extra.forEach(SipTlsAgent::close);
        clients.forEach(SipTlsAgent::close);
        servers.forEach(SipTlsAgent::close);
    }
}
