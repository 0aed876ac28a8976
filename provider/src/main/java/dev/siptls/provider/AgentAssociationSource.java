package dev.siptls.provider;

import dev.siptls.agent.AssociationRefusedException;
import dev.siptls.agent.AssociationStore.Role;
import dev.siptls.agent.RegistrationState;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The SAs of a {@link SipTlsAgent}, as the session bridge reads them: a server looks its SAs up by session id
 * among those the agent received as the TLS server; a client takes a live SA for {@code host:port} from the
 * store, or asks the key server for one and waits for it at most {@code requestTimeout} (the wait holds
 * BCJSSE's session-cache lock of that context). Concurrent requests for one peer share one SIP request; a failed request is not repeated for
 * that peer for {@link #RETRY_AFTER}, so that a slow key server cannot make every handshake wait. An agent
 * that is not registered is not asked at all. Each miss is explained ({@link ExplainsMisses}) for the
 * fallback counters.
 */
final class AgentAssociationSource implements AssociationSource, ExplainsMisses {

    /** How long a failed SA request for a peer is remembered (the handshakes meanwhile fall back at once). */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger(AgentAssociationSource.class.getName());
    private static final int MAX_FAILURES = 1024;

    /** The agent as this source uses it; a seam so that waits and failures can be tested without SIP. */
    interface Agent {
        /** The newest live SA held as client for {@code server} of one of {@code suites} (null: any suite). */
        Optional<SecurityAssociation> held(HostPort server, List<String> suites);

        /** The live SA with this session id if the agent holds it in {@code role}. */
        Optional<SecurityAssociation> bySessionId(byte[] sessionId, Role role);

        /** The live SAs the agent holds in {@code role}. */
        List<SecurityAssociation> held(Role role);

        /** Empty when registered, else what the agent is doing and why. */
        Optional<String> notRegistered();

        CompletableFuture<SecurityAssociation> request(String target);

        /**
         * An SA for a client connection that offers {@code suites} (its enabled suites; null: no list), so that
         * the SA's suite is one it offers. Sources that cannot pass the list on ask without it.
         */
        default CompletableFuture<SecurityAssociation> request(String target, List<String> suites) {
            return request(target);
        }

        /** Drops a held SA. */
        void forget(String sessionIdHex);

        static Agent of(SipTlsAgent agent) {
            return new Agent() {
                @Override
                public Optional<SecurityAssociation> held(HostPort server, List<String> suites) {
                    return suites == null ? agent.associations().byPeer(server)
                            : agent.associations().byPeer(server, suites);
                }

                @Override
                public Optional<SecurityAssociation> bySessionId(byte[] sessionId, Role role) {
                    return agent.associations().bySessionId(sessionId, role);
                }

                @Override
                public List<SecurityAssociation> held(Role role) {
                    return agent.associations().held(role);
                }

                @Override
                public Optional<String> notRegistered() {
                    RegistrationState state = agent.state();
                    if (state == RegistrationState.REGISTERED) {
                        return Optional.empty();
                    }
                    return Optional.of(agent.aor() + " is " + state
                            + agent.lastError().map(e -> " (" + e + ")").orElse(""));
                }

                @Override
                public CompletableFuture<SecurityAssociation> request(String target) {
                    return agent.requestAssociation(target);
                }

                @Override
                public CompletableFuture<SecurityAssociation> request(String target, List<String> suites) {
                    return agent.requestAssociation(target, suites);
                }

                @Override
                public void forget(String sessionIdHex) {
                    agent.associations().remove(sessionIdHex);
                }
            };
        }
    }

    private record Failure(HandshakeLedger.Miss miss, long at) {
    }

    private final Agent agent;
    private final Duration timeout;
    private final ProviderStatistics statistics;
    private final Map<HostPort, CompletableFuture<SecurityAssociation>> inFlight = new ConcurrentHashMap<>();
    private final Map<HostPort, Failure> recentFailures = new ConcurrentHashMap<>();
    private final ThreadLocal<HandshakeLedger.Miss> lastMiss = new ThreadLocal<>();
    /** Told of each SA offered to a client connection: the peer and the suites that connection offers. */
    private final BiConsumer<HostPort, List<String>> offered;

    AgentAssociationSource(Agent agent, Duration timeout, ProviderStatistics statistics) {
        this(agent, timeout, statistics, (peer, suites) -> { });
    }

    AgentAssociationSource(Agent agent, Duration timeout, ProviderStatistics statistics,
                           BiConsumer<HostPort, List<String>> offered) {
        this.agent = agent;
        this.timeout = timeout;
        this.statistics = statistics;
        this.offered = offered;
    }

    /**
     * Asks the key server for an SA with {@code peer} of one of {@code suites} ahead of any connection; empty if a
     * request for it is in flight already: prefetch and renewal share the one request per peer that connections do.
     */
    Optional<CompletableFuture<SecurityAssociation>> fetch(HostPort peer, List<String> suites) {
        CompletableFuture<SecurityAssociation> mine = new CompletableFuture<>();
        if (inFlight.putIfAbsent(peer, mine) != null) {
            return Optional.empty();
        }
        start(peer, mine, suites);
        return Optional.of(mine);
    }

    @Override
    public Optional<SecurityAssociation> bySessionId(byte[] sessionId) {
        return agent.bySessionId(sessionId, Role.SERVER);
    }

    @Override
    public Optional<SecurityAssociation> clientBySessionId(byte[] sessionId) {
        return agent.bySessionId(sessionId, Role.CLIENT);
    }

    @Override
    public List<byte[]> sessionIds(boolean client) {
        // a TLS 1.3 SA makes no BCJSSE session, so a session context can neither list nor find it
        return agent.held(client ? Role.CLIENT : Role.SERVER).stream().filter(sa -> !sa.isTls13())
                .map(SecurityAssociation::sessionId).toList();
    }

    @Override
    public void invalidated(String sessionIdHex) {
        LOG.log(Level.DEBUG, "SA {0}: its session was invalidated: forgotten", sessionIdHex);
        agent.forget(sessionIdHex);
    }

    /** True where {@link #forPeer(String, int, List)} would ask the key server or wait for a request in flight. */
    @Override
    public boolean mayWait(String host, int port, List<String> offeredSuites) {
        HostPort peer;
        try {
            peer = new HostPort(host, port);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (agent.held(peer, offeredSuites).isPresent()) {
            return false;
        }
        Failure failure = recentFailures.get(peer);
        if (failure != null && System.nanoTime() - failure.at() < RETRY_AFTER.toNanos()) {
            return false;
        }
        return agent.notRegistered().isEmpty();
    }

    @Override
    public Optional<SecurityAssociation> forPeer(String host, int port) {
        return forPeer(host, port, null);
    }

    /** As {@link AssociationSource#forPeer(String, int, List)}; {@code offeredSuites} null for any suite. */
    @Override
    public Optional<SecurityAssociation> forPeer(String host, int port, List<String> offeredSuites) {
        lastMiss.remove();
        HostPort peer;
        try {
            peer = new HostPort(host, port);
        } catch (IllegalArgumentException e) {
            return miss(FallbackReason.REQUEST_FAILED, "cannot name " + host + ":" + port + " to the key server: "
                    + e.getMessage());
        }
        Optional<SecurityAssociation> held = agent.held(peer, offeredSuites);
        if (held.isPresent()) {
            offered.accept(peer, offeredSuites);
            return held;
        }
        Failure failure = recentFailures.get(peer);
        if (failure != null) {
            if (System.nanoTime() - failure.at() < RETRY_AFTER.toNanos()) {
                return miss(failure.miss().reason(), failure.miss().detail() + " (less than "
                        + RETRY_AFTER.toMillis() + " ms ago; not asked again yet)");
            }
            recentFailures.remove(peer, failure);
        }
        Optional<String> notRegistered = agent.notRegistered();
        if (notRegistered.isPresent()) {
            return miss(FallbackReason.KEY_SERVER_UNAVAILABLE, "no security association for " + peer
                    + ": the SIP agent is not registered with its key server: " + notRegistered.get());
        }
        CompletableFuture<SecurityAssociation> request = inFlight.get(peer);
        if (request == null) {
            CompletableFuture<SecurityAssociation> mine = new CompletableFuture<>();
            request = inFlight.putIfAbsent(peer, mine);
            if (request == null) {
                request = mine;
                start(peer, mine, offeredSuites);
            }
        }
        try {
            SecurityAssociation sa = request.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            offered.accept(peer, offeredSuites);
            return Optional.of(sa);
        } catch (TimeoutException e) {
            return failed(peer, new HandshakeLedger.Miss(FallbackReason.REQUEST_TIMEOUT, "the key server gave no"
                    + " security association for " + peer + " within " + timeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
            return failed(peer, explain(peer, e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return miss(FallbackReason.REQUEST_FAILED, "interrupted while waiting for a security association for "
                    + peer);
        }
    }

    @Override
    public void declined(String sessionIdHex) {
        LOG.log(Level.DEBUG, "SA {0} not resumed by its server: forgotten", sessionIdHex);
        agent.forget(sessionIdHex);
    }

    @Override
    public void notUsed(SecurityAssociation association, String reason) {
        LOG.log(Level.DEBUG, "SA {0} not used: {1}", association.sessionIdHex(), reason);
    }

    @Override
    public Optional<HandshakeLedger.Miss> lastMiss() {
        return Optional.ofNullable(lastMiss.get());
    }

    /** Asks the agent for an SA with {@code peer}, completing {@code result} (shared by concurrent lookups). */
    private void start(HostPort peer, CompletableFuture<SecurityAssociation> result, List<String> suites) {
        statistics.requested();
        long started = System.nanoTime();
        CompletableFuture<SecurityAssociation> request;
        try {
            request = agent.request(peer.toString(), suites);
        } catch (RuntimeException e) {
            request = CompletableFuture.failedFuture(e);
        }
        request.whenComplete((sa, error) -> {
            inFlight.remove(peer, result);
            if (error == null) {
                statistics.requestSucceeded(System.nanoTime() - started);
                result.complete(sa);
            } else {
                statistics.requestFailed();
                result.completeExceptionally(error);
            }
        });
    }

    private Optional<SecurityAssociation> failed(HostPort peer, HandshakeLedger.Miss miss) {
        if (recentFailures.size() >= MAX_FAILURES) {
            recentFailures.clear();
        }
        recentFailures.put(peer, new Failure(miss, System.nanoTime()));
        return miss(miss.reason(), miss.detail());
    }

    private Optional<SecurityAssociation> miss(FallbackReason reason, String detail) {
        lastMiss.set(new HandshakeLedger.Miss(reason, detail));
        return Optional.empty();
    }

    private static HandshakeLedger.Miss explain(HostPort peer, Throwable cause) {
        if (cause instanceof AssociationRefusedException refused) {
            return new HandshakeLedger.Miss(FallbackReason.REQUEST_REFUSED, "the key server refused a security"
                    + " association for " + peer + ": " + refused.statusCode() + " " + refused.reason());
        }
        if (cause instanceof TimeoutException) {
            return new HandshakeLedger.Miss(FallbackReason.REQUEST_TIMEOUT, "no security association for " + peer
                    + ": " + cause.getMessage());
        }
        return new HandshakeLedger.Miss(FallbackReason.REQUEST_FAILED, "requesting a security association for "
                + peer + " failed: " + cause);
    }
}
