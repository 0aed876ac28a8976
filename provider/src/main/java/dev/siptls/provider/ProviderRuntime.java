package dev.siptls.provider;

import dev.siptls.agent.AgentStatistics;
import dev.siptls.agent.AssociationStore;
import dev.siptls.agent.RegistrationState;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.security.KeyManagementException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.net.ssl.KeyManager;

/**
 * Everything a configured {@link SipTlsProvider} runs: its SIP agent (started by {@link #start()} or the
 * first {@code init} of one of its contexts, stopped by {@link #close()}), the association source its
 * contexts read, the fallback ledger and counters, and the JMX bean.
 */
final class ProviderRuntime implements ContextSupport, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProviderRuntime.class.getName());

    private final SipTlsConfiguration config;
    private final ProviderStatistics statistics = new ProviderStatistics();
    private final HandshakeLedger ledger;
    private final AgentAssociationSource source;
    private final AssociationWarmer warmer;
    private final AssociationPreparer preparer;
    private final ProviderBean bean;
    private final Object lifecycle = new Object();
    /** What stops this runtime once the application has ended without closing it ({@link ApplicationExit}). */
    private final Runnable closeAtApplicationEnd = this::close;
    private volatile SipTlsAgent agent;
    private volatile boolean closed;
    private List<X509Certificate> publishedChain = List.of();
    /** The policy last given to the agent; guarded by {@code lifecycle}. */
    private SecurityPolicy publishedPolicy;
    /** Whether the "no suite left" warning was logged; guarded by {@code lifecycle}. */
    private boolean warnedNoServerSuite;
    private final ServerSuites serverSuites = new ServerSuites();
    private final AtomicBoolean republishQueued = new AtomicBoolean();
    private ObjectName beanName;

    ProviderRuntime(SipTlsConfiguration config) {
        this.config = config;
        this.ledger = new HandshakeLedger(config.aor(), config.fallback(), statistics);
        this.preparer = new AssociationPreparer(config.aor());
        this.warmer = new AssociationWarmer(config.aor(), new WarmedAgent(), config.prefetch(),
                Policies.policy(config, List.of()).cipherSuites(), statistics, java.time.Clock.systemUTC(),
                preparer::client);
        this.source = new AgentAssociationSource(new CurrentAgent(), config.requestTimeout(), statistics,
                warmer::offered);
        this.bean = new ProviderBean(this);
    }

    SipTlsConfiguration config() {
        return config;
    }

    ProviderStatistics statistics() {
        return statistics;
    }

    SipTlsProviderMXBean bean() {
        return bean;
    }

    @Override
    public AssociationSource source() {
        return source;
    }

    @Override
    public HandshakeLedger ledger() {
        return ledger;
    }

    /** Starts the agent with a client policy (a server policy follows at the first init); idempotent. */
    void start() throws IOException {
        synchronized (lifecycle) {
            checkOpen();
            if (agent == null) {
                startAgent(Policies.policy(config, List.of()), null);
            }
        }
    }

    /**
     * At every {@code init}: starts the agent if not yet started, with a policy that carries the certificate
     * chain of {@code keyManagers} (and, if this application serves {@code host:port}s, binds those it names);
     * otherwise publishes such a policy when the chain is new. A chain that is not the agent's own SIP identity
     * goes with its private key, with which the agent proves possession to the key server; without that key
     * the chain is not published (the key server would refuse it).
     */
    @Override
    public List<HostPort> servedBindings() {
        return config.serve();
    }

    @Override
    public List<String> protocols() {
        return config.protocols();
    }

    @Override
    public Duration sessionLifetimeBound() {
        return config.maxLifetime().orElse(DEFAULT_LIFETIME_BOUND);
    }

    @Override
    public void initializing(KeyManager[] keyManagers) throws KeyManagementException {
        KeyedChain found = Policies.chain(keyManagers, config.serve());
        List<X509Certificate> chain = found.chain();
        PrivateKey chainKey = null;
        if (!chain.isEmpty() && !chain.get(0).equals(config.identity().certificate())) {
            chainKey = found.privateKey();
            if (chainKey == null) {
                LOG.log(Level.WARNING, "{0}: the key manager gives no private key for {1}, so the agent cannot prove"
                        + " it holds it; not publishing that chain", config.aor(),
                        chain.get(0).getSubjectX500Principal().getName());
                chain = List.of();
            }
        }
        if (!config.serve().isEmpty() && chain.isEmpty() && keyManagers != null) {
            LOG.log(Level.WARNING, "{0}: ''serve'' lists {1} but the key managers given to SSLContext.init hold no"
                    + " usable certificate chain; no server policy published by this init", config.aor(),
                    config.serve());
        }
        synchronized (lifecycle) {
            if (closed) {
                throw new KeyManagementException("the SipTls provider for " + config.aor() + " is closed");
            }
            try {
                if (agent == null) {
                    SecurityPolicy policy = Policies.policy(config, chain, serverSuites);
                    startAgent(policy, chainKey);
                    publishedChain = chain;
                    publishedPolicy = policy;
                } else if (!chain.isEmpty() && !chain.equals(publishedChain)) {
                    SecurityPolicy policy = Policies.policy(config, chain, serverSuites);
                    agent.publish(policy, chainKey);
                    publishedChain = chain;
                    publishedPolicy = policy;
                }
            } catch (IOException | RuntimeException e) {
                throw new KeyManagementException("cannot start the SIP-TLS agent " + config.aor() + ": "
                        + e.getMessage(), e);
            }
        }
        awaitRegistration();
    }

    @Override
    public void initialized(AssociationSessions sessions) {
        preparer.add(sessions);
    }

    /**
     * With {@code awaitRegistration} set, init returns once the agent is registered with this policy accepted,
     * so that a plain-JSSE application's first connections need not fall back; on timeout it returns anyway.
     */
    private void awaitRegistration() {
        Duration wait = config.awaitRegistration();
        SipTlsAgent a = agent;
        if (wait.isZero() || a == null) {
            return;
        }
        try {
            if (!a.awaitPolicyAccepted(wait)) {
                LOG.log(Level.WARNING, "{0}: not registered with the key server within awaitRegistration={1} ms ({2});"
                        + " SSLContext.init returns anyway, handshakes without an SA follow fallback={3}", config.aor(),
                        wait.toMillis(), a.lastError().orElse(a.state().toString()),
                        config.fallback().name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The server policy follows the suites its connections enable: each narrowing (a connection that enables
     * fewer of the policy's suites than those before it) republishes, from a thread of its own and once for any
     * number of narrowings that come meanwhile. A {@code suites} setting is published as written.
     */
    @Override
    public void serverConnectionSuites(String[] enabledSuites) {
        if (closed || enabledSuites == null || !config.suites().isEmpty()) {
            return;
        }
        if (serverSuites.accept(enabledSuites) && republishQueued.compareAndSet(false, true)) {
            Thread republisher = new Thread(this::republishServerPolicy, "sip-tls-policy-" + config.aor());
            republisher.setDaemon(true);
            republisher.start();
        }
    }

    private void republishServerPolicy() {
        republishQueued.set(false); // a narrowing from now on queues another run, which reads it
        synchronized (lifecycle) {
            SipTlsAgent a = agent;
            if (closed || a == null) {
                return; // the first init publishes with what is known by then
            }
            List<String> suites = Policies.serverSuites(config, publishedChain, serverSuites);
            if (suites == null) {
                return;
            }
            if (suites.isEmpty()) {
                if (!warnedNoServerSuite) {
                    warnedNoServerSuite = true;
                    LOG.log(Level.WARNING, "{0}: no SA can be issued for this server: its connections together enable"
                            + " {1}, and none of the suites its key serves and a key server issues by default ({2});"
                            + " enable one of those on every server connection, or set ''suites''", config.aor(),
                            serverSuites.describe(), String.join(", ", Policies.defaultSuites(publishedChain.get(0))));
                }
                return;
            }
            SecurityPolicy next = Policies.policy(config, publishedChain, serverSuites);
            if (next.equals(publishedPolicy)) {
                return;
            }
            a.publish(next);
            publishedPolicy = next;
            LOG.log(Level.DEBUG, "{0}: server policy republished with the suites its connections enable: {1}",
                    config.aor(), next.cipherSuites());
        }
    }

    private void startAgent(SecurityPolicy policy, PrivateKey chainKey) throws IOException {
        SipTlsAgent.Builder builder = SipTlsAgent.builder()
                .aor(config.aor())
                .identity(config.identity())
                .keyServerName(config.keyServerName().orElse(null))
                .policy(policy)
                .chainKey(chainKey)
                .registrationExpiry(config.registrationExpiry())
                .requestTimeout(config.requestTimeout())
                .keepAliveInterval(config.keepAliveInterval())
                .keepAliveTimeout(config.keepAliveTimeout())
                .acceptor(sa -> {
                    preparer.server(sa); // off the agent's worker thread, which must answer from memory
                    return Optional.empty();
                });
        config.bindAddress().ifPresent(builder::bindAddress);
        if (config.keyServerSrv().isPresent()) {
            builder.keyServerSrv(config.keyServerSrv().get()).dnsResolver(config.keyServerResolver().orElse(null));
        } else {
            // A name that does not resolve is a key server out of reach: the agent resolves it at each round.
            builder.keyServers(config.keyServers().stream()
                    .map(k -> InetSocketAddress.createUnresolved(k.host(), k.port())).toList());
        }
        SipTlsAgent started = builder.build();
        started.start();
        this.agent = started;
        warmer.start();
        ApplicationExit.closeAtEnd(closeAtApplicationEnd);
        this.beanName = register();
        LOG.log(Level.INFO, "{0}: SIP-TLS agent started (key server {1}, serving {2}, fallback={3})", config.aor(),
                config.describeKeyServers(), policy.bindings(), config.fallback().name().toLowerCase(java.util.Locale.ROOT));
    }

    boolean awaitRegistered(Duration timeout) throws InterruptedException {
        SipTlsAgent a = agent;
        return a != null && a.awaitRegistered(timeout);
    }

    SipTlsHealth health() {
        SipTlsAgent a = agent;
        RegistrationState state = a == null ? RegistrationState.STOPPED : a.state();
        String lastError;
        if (closed) {
            lastError = "the provider is closed";
        } else if (a == null) {
            lastError = "not started: call SipTlsProvider.start() or init a SIP-TLS SSLContext of this provider";
        } else {
            lastError = a.lastError().orElse(null);
        }
        BridgeCheck bridge = BridgeCheck.get();
        return new SipTlsHealth(true, config.aor(), bridge.bctlsVersion(), bridge.compatible(), bridge.message(),
                state, lastError, a == null ? 0 : a.associations().size());
    }

    /** The agent's SA store, once started. */
    Optional<AssociationStore> associations() {
        SipTlsAgent a = agent;
        return a == null ? Optional.empty() : Optional.of(a.associations());
    }

    Optional<AgentStatistics> agentStatistics() {
        SipTlsAgent a = agent;
        return a == null ? Optional.empty() : Optional.of(a.statistics());
    }

    /** Stops the agent (unregistering, destroying its SAs) and removes the JMX bean; idempotent. */
    @Override
    public void close() {
        SipTlsAgent stopping;
        ObjectName name;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            ApplicationExit.forget(closeAtApplicationEnd);
            stopping = agent;
            name = beanName;
            beanName = null;
        }
        warmer.close();
        preparer.close();
        if (stopping != null) {
            stopping.close();
        }
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                LOG.log(Level.DEBUG, "JMX bean {0} already gone", name);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the SipTls provider for " + config.aor() + " is closed");
        }
    }

    /** Registers the bean as {@code dev.siptls:type=Provider,name="<AOR>"}, with an instance key if taken. */
    private ObjectName register() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String base = "dev.siptls:type=Provider,name=" + ObjectName.quote(config.aor());
        for (int instance = 1; instance < 100; instance++) {
            try {
                ObjectName name = new ObjectName(instance == 1 ? base : base + ",instance=" + instance);
                server.registerMBean(bean, name);
                return name;
            } catch (InstanceAlreadyExistsException taken) {
                // another provider instance with this AOR in the JVM
            } catch (JMException e) {
                LOG.log(Level.WARNING, "SIP-TLS statistics not registered with JMX", e);
                return null;
            }
        }
        return null;
    }

    /** The agent as the association source sees it: the running one, or none before start and after close. */
    private final class CurrentAgent implements AgentAssociationSource.Agent {

        @Override
        public Optional<SecurityAssociation> held(HostPort server, List<String> suites) {
            SipTlsAgent a = agent;
            if (a == null || closed) {
                return Optional.empty();
            }
            return suites == null ? a.associations().byPeer(server) : a.associations().byPeer(server, suites);
        }

        @Override
        public Optional<SecurityAssociation> bySessionId(byte[] sessionId, AssociationStore.Role role) {
            SipTlsAgent a = agent;
            return a == null || closed ? Optional.empty() : a.associations().bySessionId(sessionId, role);
        }

        @Override
        public List<SecurityAssociation> held(AssociationStore.Role role) {
            SipTlsAgent a = agent;
            return a == null || closed ? List.of() : a.associations().held(role);
        }

        @Override
        public Optional<String> notRegistered() {
            SipTlsAgent a = agent;
            if (closed) {
                return Optional.of(config.aor() + " is closed");
            }
            return a == null ? Optional.of(config.aor() + " is not started") : AgentAssociationSource.Agent.of(a)
                    .notRegistered();
        }

        @Override
        public CompletableFuture<SecurityAssociation> request(String target) {
            return request(target, null);
        }

        @Override
        public CompletableFuture<SecurityAssociation> request(String target, List<String> suites) {
            SipTlsAgent a = agent;
            return a == null ? CompletableFuture.failedFuture(new IOException("agent not started"))
                    : a.requestAssociation(target, suites);
        }

        @Override
        public void forget(String sessionIdHex) {
            SipTlsAgent a = agent;
            if (a != null) {
                a.associations().remove(sessionIdHex);
            }
        }
    }

    /** The agent as the warmer sees it: the running one, registered with its policy accepted, or none. */
    private final class WarmedAgent implements AssociationWarmer.Agent {

        private final CurrentAgent current = new CurrentAgent();

        @Override
        public boolean policyAccepted() {
            SipTlsAgent a = agent;
            if (a == null || closed) {
                return false;
            }
            try {
                return a.awaitPolicyAccepted(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public Optional<SecurityAssociation> held(HostPort peer, List<String> suites) {
            return current.held(peer, suites);
        }

        @Override
        public Optional<CompletableFuture<SecurityAssociation>> fetch(HostPort peer, List<String> suites) {
            return closed ? Optional.empty() : source.fetch(peer, suites);
        }
    }
}
