package dev.siptls.agent;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.CertificateNames;
import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The SIP user agent of one TLS peer (the paper's "SIP UA" beside each TLS client or server). In the
 * background it registers with one of its key servers over mutual TLS and publishes its security policy (phase 1),
 * keeps that registration alive and, on losing that key server, registers with another ({@link Failover}); on
 * request it obtains SAs as TLS client, and it accepts SAs the key server offers it as TLS server (phase 2). The
 * SAs end up in {@link #associations()}, which the JSSE provider reads on every handshake, and stay there when the
 * agent moves to another key server. It knows SIP, not JSSE.
 *
 * <p>Threads: SA exchanges are handled on the stack's thread that read them (its re-entrant listener); the
 * rest of the SIP work (registration, keep-alive, sending SA requests) runs on the endpoint's worker thread;
 * request futures complete and time out on a notifier thread of the agent; choosing and changing key servers
 * runs on a failover thread of the agent. {@link #close()} stops all of them.
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
    private final KeyServerList keyServers;
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
    private ScheduledThreadPoolExecutor notifier;
    /** Runs {@link #failover} and opens and closes links; no other thread touches those. */
    private ScheduledThreadPoolExecutor mover;
    private Failover failover;
    private KeyServerLink.Settings settings;
    /** The link to the key server in use; null before the first and while moving to another. */
    private volatile KeyServerLink link;
    /** Why there is no link now (the last attempt failed, or the agent is moving); null once one is open. */
    private volatile String linkError;
    private volatile Thread notifierThread;

    private SipTlsAgent(Builder b) {
        this.aor = Aor.parse(Objects.requireNonNull(b.aor, "aor"));
        this.identity = Objects.requireNonNull(b.identity, "identity");
        if (b.srvName != null) {
            if (b.keyServers != null) {
                throw new IllegalArgumentException("give key servers as addresses or as an SRV name, not both");
            }
            this.keyServers = new SrvKeyServers(b.srvName, b.dnsResolver, b.keyServerName,
                    () -> ThreadLocalRandom.current().nextDouble());
        } else {
            if (b.dnsResolver != null) {
                throw new IllegalArgumentException("a DNS resolver applies to an SRV name (keyServerSrv) only");
            }
            this.keyServers = new FixedKeyServers(Objects.requireNonNull(b.keyServers, "keyServer"), b.keyServerName);
        }
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
     * Starts registering with the first key server in the background and returns without waiting for it; see
     * {@link #awaitRegistered} and {@link #state()}. A key server that is down, refuses, or whose host name does
     * not resolve yet is not an error here: the agent tries the next one, and the whole list again with its
     * backoff, saying why in {@link #lastError()}.
     *
     * @throws IOException kept for callers of earlier versions; nothing about a key server throws it now
     * @throws IllegalStateException if started before or closed
     */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (closed || started) {
                throw new IllegalStateException(closed ? "agent closed" : "agent already started");
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
            ScheduledThreadPoolExecutor move = new ScheduledThreadPoolExecutor(1, task -> {
                Thread t = new Thread(task, "agent-" + aor + "-failover");
                t.setDaemon(true);
                return t;
            });
            move.setRemoveOnCancelPolicy(true);
            move.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            this.mover = move;
            this.settings = new KeyServerLink.Settings(aor, identity, bindAddress, store, statistics, codec, acceptor,
                    clock, registrationExpiry, requestTimeout, keepAliveInterval, keepAliveTimeout, notify);
            this.failover = new Failover(aor.toString(), keyServers,
                    new Backoff(minBackoff, maxBackoff, () -> ThreadLocalRandom.current().nextDouble()), statistics);
            started = true;
            LOG.log(Level.INFO, "{0}: started, key servers {1}", aor, keyServers.describe());
            onMover(this::attempt, Duration.ZERO);
        }
    }

    /**
     * Failover thread: tries the key server {@link Failover} names, over the current link if it is that key
     * server's (a single key server is retried in place), else over a new link, closing the old one first.
     */
    private void attempt() {
        if (closed) {
            return;
        }
        KeyServerTarget target;
        try {
            target = failover.next();
        } catch (IOException e) {
            failed(null, e.getMessage());
            return;
        }
        KeyServerLink old = link;
        if (old != null && old.target.equals(target)) {
            old.registration.retry();
            return;
        }
        if (old != null) {
            leave(old, "left key server " + old.target.describe() + " for " + target.describe());
        }
        LinkEvents events = new LinkEvents();
        KeyServerLink next;
        ProvablePolicy given = policy;
        try {
            next = KeyServerLink.open(settings, target, given, events);
        } catch (IOException | RuntimeException e) {
            failed(null, e.getMessage());
            return;
        }
        events.link = next;
        LOG.log(Level.DEBUG, "{0}: registering with key server {1} from {2}", aor, target,
                next.localAddress().getAddress().getHostAddress());
        next.start();
        synchronized (lifecycle) {
            if (!closed) {
                link = next;
                linkError = null;
                if (policy != given) {
                    next.registration.publish(policy);
                }
                lifecycle.notifyAll();
                return;
            }
        }
        leave(next, "agent closed");
    }

    /** Failover thread: the attempt over {@code failed} (null: none was opened) failed; when to try which next. */
    private void failed(KeyServerLink failed, String reason) {
        if (closed || (failed != null && failed != link)) {
            return; // a link already left
        }
        if (failed == null) {
            linkError = reason;
        }
        onMover(this::attempt, failover.failed(reason));
    }

    /** Failover thread: stops using {@code old} at once; SA requests fail at once until the next link registers. */
    private void leave(KeyServerLink old, String why) {
        synchronized (lifecycle) {
            if (link == old) {
                link = null;
                linkError = why;
                lifecycle.notifyAll();
            }
        }
        try {
            old.close(why, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onMover(Runnable task, Duration delay) {
        try {
            mover.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // the agent must keep trying whatever one attempt threw
                    LOG.log(Level.WARNING, aor + ": choosing a key server failed", e);
                    onMover(task, Duration.ofMillis(maxBackoff.toMillis()));
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** What one link's registration tells the agent: failures are handled on the failover thread, stale links ignored. */
    private final class LinkEvents implements Registration.Events {
        volatile KeyServerLink link;

        @Override
        public void registered() {
            KeyServerLink l = link;
            if (l != null && !closed) {
                failover.registered(l.target);
            }
        }

        @Override
        public void failed(String reason) {
            onMover(() -> {
                if (link != null) {
                    SipTlsAgent.this.failed(link, reason);
                }
            }, Duration.ZERO);
        }

        @Override
        public void stateChanged() {
            synchronized (lifecycle) {
                lifecycle.notifyAll();
            }
        }
    }

    /** Waits until the agent is registered (REGISTER and policy MESSAGE accepted); false on timeout. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        return await(timeout, reg -> reg.state() == RegistrationState.REGISTERED);
    }

    /**
     * Waits until the agent is registered and the key server accepted the policy last given (at start or by
     * {@link #publish}), e.g. a TLS server's certificate chain; false on timeout.
     */
    public boolean awaitPolicyAccepted(Duration timeout) throws InterruptedException {
        return await(timeout, Registration::policyAccepted);
    }

    private boolean await(Duration timeout, java.util.function.Predicate<Registration> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lifecycle) {
            while (started && !closed) {
                KeyServerLink l = link;
                if (l != null && done.test(l.registration)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lifecycle, left);
            }
            return false;
        }
    }

    public RegistrationState state() {
        KeyServerLink l = link;
        if (closed || !started) {
            return RegistrationState.STOPPED;
        }
        if (l == null) {
            return linkError == null ? RegistrationState.CONNECTING : RegistrationState.RETRYING;
        }
        return l.registration.state();
    }

    /** Why the last registration attempt failed (or the agent is between key servers); empty once registered. */
    public Optional<String> lastError() {
        KeyServerLink l = link;
        return l == null ? Optional.ofNullable(linkError) : l.registration.lastError();
    }

    /** The key server the agent is registered with now; empty while it is not registered. */
    public Optional<InetSocketAddress> keyServer() {
        KeyServerLink l = link;
        return l != null && l.registration.state() == RegistrationState.REGISTERED
                ? Optional.of(l.target.address()) : Optional.empty();
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
            KeyServerLink l = link;
            if (l != null) {
                l.registration.publish(next);
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
        KeyServerLink l = link;
        if (l == null || closed) {
            // between key servers: fail now, so that a handshake falls back (or is refused) without waiting
            statistics.requested();
            statistics.failed();
            String why = closed ? "agent closed" : !started ? "agent not started" : "agent not registered: "
                    + lastError().orElse("starting");
            return CompletableFuture.failedFuture(new IOException(why));
        }
        return l.requests.request(target, offeredSuites);
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
            lifecycle.notifyAll();
        }
        if (mover != null) {
            mover.shutdownNow();
            try {
                // an attempt under way finishes (it closes a link it opened once it sees the agent closed)
                mover.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        KeyServerLink l = link;
        if (l != null) {
            try {
                Duration wait = requestTimeout.compareTo(MAX_UNREGISTER_WAIT) < 0 ? requestTimeout : MAX_UNREGISTER_WAIT;
                l.close("agent closed", wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
        KeyServerLink l = link;
        SipEndpoint sip = l == null ? null : l.endpoint();
        return sip == null ? null : sip.keptTransaction(branch, server);
    }

    int openDialogs() {
        KeyServerLink l = link;
        SipEndpoint sip = l == null ? null : l.endpoint();
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

    /**
     * Builds an agent; {@code aor}, {@code identity}, {@code policy} and its key servers ({@code keyServer},
     * {@code keyServers} or {@code keyServerSrv}) are required.
     */
    public static final class Builder {
        private String aor;
        private TlsIdentity identity;
        private List<InetSocketAddress> keyServers;
        private String srvName;
        private String dnsResolver;
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
         * Where the key server listens for SIP over TLS: {@link #keyServers} with a list of one. An unresolved
         * address (a host name that does not resolve yet) is resolved at each attempt.
         */
        public Builder keyServer(InetSocketAddress keyServer) {
            this.keyServers = keyServer == null ? null : List.of(keyServer);
            return this;
        }

        /**
         * The key servers, in the order the agent tries them: it registers with one at a time and, when that one
         * is lost, hangs or refuses, registers with the next at once (the list wraps around); after a whole round
         * failed it waits with the {@link #retryBackoff} before the next round. Host names are resolved at each
         * round. Not with {@link #keyServerSrv}.
         */
        public Builder keyServers(List<InetSocketAddress> keyServers) {
            this.keyServers = keyServers == null ? null : List.copyOf(keyServers);
            return this;
        }

        /**
         * The key servers as DNS SRV records (RFC 3263, RFC 2782), e.g. {@code _sips._tcp.example.com}, looked up
         * at start and again at each round after a failure: by priority, then weighted random within a priority.
         * Not with {@link #keyServers}.
         *
         * @throws IllegalArgumentException if it is not an SRV name ({@code _service._proto.domain})
         */
        public Builder keyServerSrv(String srvName) {
            this.srvName = srvName == null ? null : SrvKeyServers.checkedName(srvName);
            return this;
        }
        /**
         * The DNS server SRV names and their targets are looked up at, as {@code dns://host[:port]}; default the
         * system's (JNDI's DNS provider reads the system configuration).
         *
         * @throws IllegalArgumentException if it is not such a URL
         */
        public Builder dnsResolver(String url) {
            this.dnsResolver = url == null ? null : SrvKeyServers.checkedResolver(url);
            return this;
        }
        /**
         * The dNSName or IP address every key server's certificate must carry; default each address's host
         * string, or for SRV the target's host name.
         */
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
}
