package dev.siptls.agent;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.CertificateNames;
import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.SipEndpointConfig;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The SIP user agent of one TLS peer (the paper's "SIP UA" beside each TLS client or server). In the
 * background it registers with its key server over mutual TLS and publishes its security policy (phase 1),
 * keeps that registration alive and recovers it after losing the key server; on request it obtains SAs as
 * TLS client, and it accepts SAs the key server offers it as TLS server (phase 2). The SAs end up in
 * {@link #associations()}, which the JSSE provider reads on every handshake. It knows SIP, not JSSE.
 *
 * <p>Threads: SA exchanges are handled on the stack's thread that read them (its re-entrant listener); the
 * rest of the SIP work (registration, keep-alive, sending SA requests) runs on the endpoint's worker thread;
 * request futures complete and time out on a notifier thread of the agent. {@link #close()} stops all of
 * them.
 */
public final class SipTlsAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SipTlsAgent.class.getName());
    private static final Duration SWEEP = Duration.ofSeconds(1);
    private static final Duration MAX_UNREGISTER_WAIT = Duration.ofSeconds(1);
    /**
     * Keep-alive defaults: a hung key server is noticed within about 20 s, while 10,000 idle agents cost a key
     * server at most about 670 OPTIONS/s (a busy agent sends none), a small share of what it registers.
     */
    public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(5);

    private final Aor aor;
    private final TlsIdentity identity;
    private final InetSocketAddress keyServer;
    private final String keyServerName;
    private final Duration registrationExpiry;
    private final Duration requestTimeout;
    private final AssociationAcceptor acceptor;
    private final Clock clock;
    private final String bindAddress;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Duration keepAliveInterval;
    private final Duration keepAliveTimeout;
    private final AssociationStore store;
    private final AgentStatistics statistics = new AgentStatistics();
    private final XmlCodec codec = new XmlCodec();
    private volatile ProvablePolicy policy;

    private final Object lifecycle = new Object();
    private volatile boolean started;
    private volatile boolean closed;
    private SipEndpoint endpoint;
    private ScheduledThreadPoolExecutor notifier;
    private volatile Registration registration;
    private volatile AssociationRequests requests;
    private volatile KeepAlive keepAlive;
    /** Why the endpoint has not started yet (the key server's name does not resolve); null once it has. */
    private volatile String startError;
    private volatile Thread notifierThread;

    private SipTlsAgent(Builder b) {
        this.aor = Aor.parse(Objects.requireNonNull(b.aor, "aor"));
        this.identity = Objects.requireNonNull(b.identity, "identity");
        this.keyServer = Objects.requireNonNull(b.keyServer, "keyServer");
        this.keyServerName = b.keyServerName != null ? b.keyServerName : keyServer.getHostString();
        this.policy = ProvablePolicy.of(Objects.requireNonNull(b.policy, "policy"), b.chainKey,
                identity.certificate());
        this.registrationExpiry = positive(b.registrationExpiry, "registrationExpiry");
        if (registrationExpiry.toSeconds() < 1) {
            throw new IllegalArgumentException("registrationExpiry must be at least 1 s");
        }
        this.requestTimeout = positive(b.requestTimeout, "requestTimeout");
        this.acceptor = Objects.requireNonNull(b.acceptor, "acceptor");
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.bindAddress = b.bindAddress;
        this.minBackoff = positive(b.minBackoff, "retryBackoff min");
        this.maxBackoff = positive(b.maxBackoff, "retryBackoff max");
        new Backoff(minBackoff, maxBackoff, () -> 0); // validates the pair now rather than at start
        this.keepAliveInterval = positive(b.keepAliveInterval, "keepAliveInterval");
        this.keepAliveTimeout = positive(b.keepAliveTimeout, "keepAliveTimeout");
        if (!CertificateNames.provesAor(identity.certificate(), aor.toString())) {
            throw new IllegalArgumentException("the identity's certificate ("
                    + identity.certificate().getSubjectX500Principal().getName() + ") does not prove " + aor
                    + ": it needs a subjectAltName URI " + aor + "; the key server would refuse it (403)");
        }
        this.store = new AssociationStore(clock, b.maxAssociations);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the SIP endpoint and registration in the background and returns without waiting for it; see
     * {@link #awaitRegistered} and {@link #state()}. A key server whose host name does not resolve yet is like
     * one that does not answer: the agent starts, says why in {@link #lastError()}, and tries to resolve it
     * again with its backoff until it does.
     *
     * @throws IOException if the SIP endpoint cannot start (the key server being down is not an error here)
     * @throws IllegalStateException if started before or closed
     */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (closed || started) {
                throw new IllegalStateException(closed ? "agent closed" : "agent already started");
            }
            SSLContext tls;
            try {
                tls = identity.clientContext(keyServerName);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS for " + aor + ": " + e.getMessage(), e);
            }
            ScheduledThreadPoolExecutor notify = new ScheduledThreadPoolExecutor(1, task -> {
                Thread t = new Thread(task, "agent-" + aor + "-notifier");
                t.setDaemon(true);
                notifierThread = t;
                return t;
            });
            notify.setRemoveOnCancelPolicy(true);
            notify.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            notify.scheduleWithFixedDelay(store::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
            this.notifier = notify;
            started = true;
            Optional<InetSocketAddress> resolved = resolveKeyServer();
            if (resolved.isPresent()) {
                launch(tls, resolved.get());
            } else {
                retryResolving(tls, new Backoff(minBackoff, maxBackoff, () -> ThreadLocalRandom.current().nextDouble()));
            }
        }
    }

    /** The key server's address, resolved now if given by name; empty (saying why) if the name does not resolve. */
    private Optional<InetSocketAddress> resolveKeyServer() {
        if (!keyServer.isUnresolved()) {
            return Optional.of(keyServer);
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByName(keyServer.getHostString()),
                    keyServer.getPort()));
        } catch (UnknownHostException | SecurityException e) {
            String reason = "cannot resolve the key server host " + keyServer.getHostString();
            LOG.log(reason.equals(startError) ? Level.DEBUG : Level.WARNING, "{0}: {1}; trying again", aor, reason);
            startError = reason;
            return Optional.empty();
        }
    }

    /** Lifecycle lock held. Tries the name again after the backoff, until it resolves or the agent closes. */
    private void retryResolving(SSLContext tls, Backoff backoff) {
        notifier.schedule(() -> {
            synchronized (lifecycle) {
                if (closed) {
                    return;
                }
                Optional<InetSocketAddress> resolved = resolveKeyServer();
                if (resolved.isEmpty()) {
                    retryResolving(tls, backoff);
                    return;
                }
                try {
                    launch(tls, resolved.get());
                } catch (IOException | RuntimeException e) {
                    startError = "cannot start the SIP endpoint: " + e.getMessage();
                    LOG.log(Level.WARNING, "{0}: {1}; trying again", aor, startError);
                    retryResolving(tls, backoff);
                }
            }
        }, backoff.next().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lifecycle lock held: starts the SIP endpoint towards {@code keyServerAddress} and registration. */
    private void launch(SSLContext tls, InetSocketAddress keyServerAddress) throws IOException {
        DeferredListener listener = new DeferredListener();
        SipEndpointConfig config = SipEndpointConfig.builder()
                .name("agent-" + (aor.user().isEmpty() ? aor.host() : aor.user()).replaceAll("[^A-Za-z0-9._-]", "_"))
                .bindAddress(bindAddress != null ? bindAddress : localAddressTowards(keyServerAddress))
                .listening(false)
                .sslContext(tls)
                .outboundProxy(keyServerAddress)
                // SA dialogs end with their ACK (PROTOCOL.md) and the agent needs no other: the stack makes
                // none, neither for offered SAs nor for the 2xx to its own INVITEs (AssociationRequests#ack).
                .automaticDialogs(false)
                // SA exchanges are handled on the thread that read them: no hand-off to an event thread.
                .reentrantListener(true)
                .build();
        SipEndpoint sip = SipEndpoint.start(config, listener);
        // The finished INVITE transactions are dropped within the stack's next tick (half a second), yet their
        // messages are garbage only then: SA bodies are wiped as soon as they are decoded.
        ScheduledThreadPoolExecutor notify = notifier;
        ScheduledExecutorService worker = sip.scheduler();
        SharedCertificates certificates = new SharedCertificates();
        SipMessages messages = new SipMessages(sip, aor);
        AssociationBodies bodies = new AssociationBodies(codec, identity);
        AssociationRequests req = new AssociationRequests(aor, sip.provider(), worker, notify, messages, bodies,
                store, statistics, clock, requestTimeout, () -> notRegistered(registration, keepAlive),
                certificates, () -> {
                    KeepAlive k = keepAlive;
                    if (k != null) {
                        k.requestTimedOut();
                    }
                });
        // SA requests waiting on a lost connection fail now rather than at their timeout, so a provider
        // falls back (or refuses) at once instead of holding its handshake for the request timeout.
        Registration reg = new Registration(aor, sip.provider(), worker, messages,
                new KeyServerFlow(sip, keyServerAddress), codec, statistics,
                new Backoff(minBackoff, maxBackoff, () -> ThreadLocalRandom.current().nextDouble()),
                policy, registrationExpiry, requestTimeout, reason -> req.failAll(new IOException(reason)));
        KeepAlive alive = new KeepAlive(aor.toString(), sip.provider(), worker, sip.timers(), messages, reg,
                keepAliveInterval, keepAliveTimeout, () -> ThreadLocalRandom.current().nextDouble());
        AssociationOffers offers = new AssociationOffers(aor, messages, bodies, store, statistics, acceptor,
                clock, keyServerAddress, keyServerName, certificates);
        listener.delegate = new AgentSipListener(aor.toString(), sip.provider(), worker, messages, reg, alive,
                req, offers, keyServerAddress);
        this.endpoint = sip;
        this.registration = reg;
        this.requests = req;
        this.keepAlive = alive;
        startError = null;
        LOG.log(Level.INFO, "{0}: started, key server {1} ({2}) from {3}", aor,
                keyServerAddress.getAddress().getHostAddress() + ":" + keyServerAddress.getPort(), keyServerName,
                sip.tlsAddress().getAddress().getHostAddress());
        reg.start();
        alive.start();
        lifecycle.notifyAll();
    }

    private static Optional<String> notRegistered(Registration reg, KeepAlive alive) {
        if (reg == null) {
            return Optional.of("agent not started");
        }
        RegistrationState state = reg.state();
        if (state == RegistrationState.REGISTERED) {
            return alive == null ? Optional.empty() : alive.suspicion();
        }
        return Optional.of("agent is " + state + reg.lastError().map(e -> " (" + e + ")").orElse(""));
    }

    /** Waits until the agent is registered (REGISTER and policy MESSAGE accepted); false on timeout. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Registration reg = awaitLaunched(deadline);
        return reg != null && reg.awaitRegistered(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** The registration once the endpoint runs (the key server's name may not have resolved yet); null on timeout. */
    private Registration awaitLaunched(long deadline) throws InterruptedException {
        synchronized (lifecycle) {
            while (registration == null && started && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(lifecycle, left);
            }
            return registration;
        }
    }

    /**
     * Waits until the agent is registered and the key server accepted the policy last given (at start or by
     * {@link #publish}), e.g. a TLS server's certificate chain; false on timeout.
     */
    public boolean awaitPolicyAccepted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Registration reg = awaitLaunched(deadline);
        return reg != null && reg.awaitPolicyAccepted(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    public RegistrationState state() {
        Registration reg = registration;
        if (closed || !started) {
            return RegistrationState.STOPPED;
        }
        if (reg == null) {
            return startError == null ? RegistrationState.CONNECTING : RegistrationState.RETRYING;
        }
        return reg.state();
    }

    /** Why the last registration attempt failed (or the key server's name did not resolve); empty once registered. */
    public Optional<String> lastError() {
        Registration reg = registration;
        return reg == null ? Optional.ofNullable(startError) : reg.lastError();
    }

    /**
     * Replaces the policy, keeping the chain key; it is sent at once if registered, else with the next
     * registration.
     *
     * @throws IllegalArgumentException if the new chain needs a proof the chain key cannot give
     */
    public void publish(SecurityPolicy newPolicy) {
        publish(newPolicy, policy.chainKey());
    }

    /**
     * Replaces the policy and the private key of its certificate chain (see {@link Builder#chainKey}); it is
     * sent at once if registered, else with the next registration.
     *
     * @throws IllegalArgumentException if the chain needs a proof and {@code chainKey} is null or not its key
     */
    public void publish(SecurityPolicy newPolicy, PrivateKey chainKey) {
        ProvablePolicy next = ProvablePolicy.of(Objects.requireNonNull(newPolicy, "policy"), chainKey,
                identity.certificate());
        synchronized (lifecycle) {
            this.policy = next;
            Registration reg = registration;
            if (reg != null) {
                reg.publish(next);
            }
        }
    }

    /**
     * Asks the key server for an SA with {@code target}: an AOR ({@code "sip:bob@example.com"}) or a
     * {@code "host:port"} a TLS server's policy binds. The future completes, on the agent's notifier
     * thread, with the SA (already in {@link #associations()}), or exceptionally with an
     * {@link AssociationRefusedException} when refused (4xx-6xx), a {@link java.util.concurrent.TimeoutException}
     * after the request timeout, an {@link IOException} when not registered or closed (a
     * {@link java.net.ProtocolException} when the answer was not a valid SA for this request), or an
     * {@link IllegalArgumentException} for a malformed target. Never blocks. The SA's suite is any this agent's
     * policy and the server's share; {@link #requestAssociation(String, List)} names the connection's suites.
     */
    public CompletableFuture<SecurityAssociation> requestAssociation(String target) {
        return requestAssociation(target, null);
    }

    /**
     * As {@link #requestAssociation(String)}, for a client connection that offers {@code offeredSuites} (its
     * enabled suites, most preferred first; null: no list): the key server then picks the SA's suite among those
     * (in the server's order), or refuses with {@code 488} if the connection offers none that both policies list.
     * Suites an SA cannot have (signalling values, unknown names) are left out of the request; an
     * {@link IllegalArgumentException} completes the future if that leaves none. A newly obtained SA replaces a
     * held one for the same server and suite ({@link AssociationStore#put}), and one of another suite stays for
     * the connections that offer that one.
     */
    public CompletableFuture<SecurityAssociation> requestAssociation(String target, List<String> offeredSuites) {
        AssociationRequests req = requests;
        if (req == null || closed) {
            statistics.requested();
            statistics.failed();
            String why = closed ? "agent closed" : !started ? "agent not started" : "agent not registered: "
                    + lastError().orElse("starting");
            return CompletableFuture.failedFuture(new IOException(why));
        }
        return req.request(target, offeredSuites);
    }

    public AssociationStore associations() {
        return store;
    }

    public AgentStatistics statistics() {
        return statistics;
    }

    /** The address of record, as configured. */
    public String aor() {
        return aor.toString();
    }

    /**
     * Unregisters ({@code Expires: 0}, best effort, waiting at most a second), fails pending requests,
     * stops the SIP endpoint and every thread of the agent, and destroys all SAs. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Registration reg = registration;
        if (reg != null) {
            try {
                Duration wait = requestTimeout.compareTo(MAX_UNREGISTER_WAIT) < 0 ? requestTimeout : MAX_UNREGISTER_WAIT;
                reg.stop(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        AssociationRequests req = requests;
        if (req != null) {
            req.failAll(new IOException("agent closed"));
        }
        if (endpoint != null) {
            endpoint.close();
        }
        if (notifier != null) {
            notifier.shutdown();
            if (!isNotifierThread()) {
                try {
                    if (!notifier.awaitTermination(1, TimeUnit.SECONDS)) {
                        notifier.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    notifier.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            }
        }
        store.clear();
        LOG.log(Level.INFO, "{0}: closed", aor);
    }

    /**
     * SIP dialogs of the stack not yet terminated, for tests: SA dialogs must not outlive their ACK (a
     * terminated one lingers in the stack's table a few seconds more, JAIN-SIP's linger timer).
     */
    /** The transaction the agent's SIP stack still keeps under {@code branch}, for tests; null if none. */
    gov.nist.javax.sip.stack.SIPTransaction keptTransaction(String branch, boolean server) {
        SipEndpoint sip = endpoint;
        return sip == null ? null : sip.keptTransaction(branch, server);
    }

    int openDialogs() {
        SipEndpoint sip = endpoint;
        if (sip == null) {
            return 0;
        }
        return (int) ((gov.nist.javax.sip.SipStackExt) sip.stack()).getDialogs().stream()
                .filter(d -> d.getState() != javax.sip.DialogState.TERMINATED).count();
    }

    private boolean isNotifierThread() {
        return Thread.currentThread() == notifierThread;
    }

    /** The local address the OS would use to reach {@code target}; no packet is sent. */
    static String localAddressTowards(InetSocketAddress target) {
        if (target.getAddress().isLoopbackAddress()) {
            return target.getAddress().getHostAddress();
        }
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(target);
            InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "no route to {0}: {1}", target, e.getMessage());
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "SipTlsAgent[" + aor + ", " + state() + "]";
    }

    /** Builds an agent; {@code aor}, {@code identity}, {@code keyServer} and {@code policy} are required. */
    public static final class Builder {
        private String aor;
        private TlsIdentity identity;
        private InetSocketAddress keyServer;
        private String keyServerName;
        private SecurityPolicy policy;
        private PrivateKey chainKey;
        private Duration registrationExpiry = Duration.ofMinutes(10);
        private Duration requestTimeout = Duration.ofSeconds(2);
        private int maxAssociations = 10_000;
        private AssociationAcceptor acceptor = AssociationAcceptor.ACCEPT_ALL;
        private Clock clock = Clock.systemUTC();
        private String bindAddress;
        private Duration minBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE_INTERVAL;
        private Duration keepAliveTimeout = DEFAULT_KEEP_ALIVE_TIMEOUT;

        private Builder() {
        }

        /** This agent's address of record, e.g. {@code sip:alice@example.com}; its certificate must prove it. */
        public Builder aor(String aor) { this.aor = aor; return this; }
        /** The TLS identity presented to the key server (a certificate proving the AOR) and its trust anchors. */
        public Builder identity(TlsIdentity identity) { this.identity = identity; return this; }
        /**
         * Where the key server listens for SIP over TLS. An unresolved address (a host name that does not resolve
         * yet) is resolved when the agent starts and, until it resolves, again with the registration backoff.
         */
        public Builder keyServer(InetSocketAddress keyServer) { this.keyServer = keyServer; return this; }
        /** The dNSName or IP address the key server's certificate must carry; default the address's host string. */
        public Builder keyServerName(String name) { this.keyServerName = name; return this; }
        /** The security policy published after registering. */
        public Builder policy(SecurityPolicy policy) { this.policy = policy; return this; }
        /**
         * The private key of the policy's certificate chain, when that chain is not the identity's own (say, a
         * TLS server's certificate): the agent signs the key server's nonce with it to prove it holds the key
         * (docs/PROTOCOL.md, "Proof of possession"). Not needed for the identity's own chain, which the
         * mutual-TLS connection proves. Kept in memory only, never logged.
         */
        public Builder chainKey(PrivateKey key) { this.chainKey = key; return this; }
        /** The registration expiry asked for (default 10 min); refreshed at half what the key server grants. */
        public Builder registrationExpiry(Duration expiry) { this.registrationExpiry = expiry; return this; }
        /** How long an SA request may take (default 2 s). */
        public Builder requestTimeout(Duration timeout) { this.requestTimeout = timeout; return this; }
        /** How many SAs are held at most (default 10,000); the soonest-expiring are evicted first. */
        public Builder maxAssociations(int max) { this.maxAssociations = max; return this; }
        /** Decides on SAs offered as TLS server (default: accept all). */
        public Builder acceptor(AssociationAcceptor acceptor) { this.acceptor = acceptor; return this; }
        /** The clock SA lifetimes are checked against (default UTC system clock). */
        public Builder clock(Clock clock) { this.clock = clock; return this; }
        /** Local address for the connection to the key server; default the one the OS routes through. */
        public Builder bindAddress(String address) { this.bindAddress = address; return this; }
        /** Bounds of the exponential, jittered delay between registration attempts (default 200 ms, 5 s). */
        public Builder retryBackoff(Duration min, Duration max) {
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /**
         * How long the flow to the key server may stay silent before the agent probes it with a keep-alive
         * (default 15 s; each probe after 80-100% of it). Only an idle agent probes: any message from the key
         * server counts as an answer.
         */
        public Builder keepAliveInterval(Duration interval) { this.keepAliveInterval = interval; return this; }
        /**
         * How long a keep-alive may go unanswered before the flow counts as lost (default 5 s): the agent then
         * leaves REGISTERED, closes the connection and registers again. A hung key server is so noticed
         * within {@code keepAliveInterval + keepAliveTimeout}.
         */
        public Builder keepAliveTimeout(Duration timeout) { this.keepAliveTimeout = timeout; return this; }

        public SipTlsAgent build() {
            return new SipTlsAgent(this);
        }
    }

    /** Lets the listener exist before the endpoint whose provider its parts need; no event comes before. */
    private static final class DeferredListener implements javax.sip.SipListener {
        volatile javax.sip.SipListener delegate;

        @Override public void processRequest(javax.sip.RequestEvent e) { if (delegate != null) delegate.processRequest(e); }
        @Override public void processResponse(javax.sip.ResponseEvent e) { if (delegate != null) delegate.processResponse(e); }
        @Override public void processTimeout(javax.sip.TimeoutEvent e) { if (delegate != null) delegate.processTimeout(e); }
        @Override public void processIOException(javax.sip.IOExceptionEvent e) { if (delegate != null) delegate.processIOException(e); }
        @Override public void processTransactionTerminated(javax.sip.TransactionTerminatedEvent e) {
            if (delegate != null) delegate.processTransactionTerminated(e);
        }
        @Override public void processDialogTerminated(javax.sip.DialogTerminatedEvent e) {
            if (delegate != null) delegate.processDialogTerminated(e);
        }
    }
}
