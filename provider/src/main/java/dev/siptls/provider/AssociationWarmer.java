package dev.siptls.provider;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Keeps client SAs ready so that a first connection resumes instead of waiting for the key server: the
 * {@code prefetch} peers get an SA once the agent is registered with its policy accepted, and the SA held for a
 * peer the application used within the last SA lifetime is renewed shortly before it stops being
 * {@linkplain SecurityAssociation#offeredUntil() offered}. Bounded: prefetch is the configured list, once; a peer
 * not used for a lifetime is not renewed and is forgotten; at most one request per peer is in flight (shared with
 * the connections'), and at most {@link #RENEWALS_PER_MINUTE} renewals a minute overall (the rest counted).
 * Failures are counted and logged once at WARNING, never fatal: the next connection asks as it would anyway.
 *
 * <p>All decisions run on one timer thread of its own; request completions count, log, and hand each SA obtained
 * on to be prepared for the connections to come ({@link AssociationPreparer}).
 */
final class AssociationWarmer implements AutoCloseable {

    static final Duration TICK = Duration.ofMillis(500);
    static final int RENEWALS_PER_MINUTE = 60;
    /** Peers tracked for renewal; one more is not tracked until some are forgotten. */
    static final int MAX_PEERS = 4096;
    private static final Duration MIN_LEAD = Duration.ofSeconds(2);
    private static final Duration MAX_LEAD = Duration.ofSeconds(60);
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final System.Logger LOG = System.getLogger(AssociationWarmer.class.getName());

    /** The agent as the warmer uses it. */
    interface Agent {
        /** Whether the agent is registered and the key server accepted its current policy. */
        boolean policyAccepted();

        /** The newest SA held as client for {@code peer} and still offered, of one of {@code suites} (null: any). */
        Optional<SecurityAssociation> held(HostPort peer, List<String> suites);

        /** Starts a request for an SA with {@code peer}; empty if one is in flight already. */
        Optional<CompletableFuture<SecurityAssociation>> fetch(HostPort peer, List<String> suites);
    }

    /** The last time an SA was offered for a peer, and the suites that connection offered. */
    private record Use(List<String> suites, Instant at) {
    }

    private final String aor;
    private final Agent agent;
    private final List<HostPort> prefetch;
    private final List<String> policySuites;
    private final ProviderStatistics statistics;
    private final Clock clock;
    private final BiConsumer<HostPort, SecurityAssociation> obtained;
    private final Map<HostPort, Use> used = new ConcurrentHashMap<>();
    private final Set<HostPort> renewing = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor timer;
    /** Timer thread only. */
    private boolean prefetched;
    /** When the renewals of the last minute started (nanoTime), oldest first; timer thread only. */
    private final ArrayDeque<Long> recentRenewals = new ArrayDeque<>();
    /** The SA whose renewal was last refused by the bound, per peer, so that each is counted once; timer only. */
    private final Map<HostPort, String> limited = new ConcurrentHashMap<>();

    /**
     * @param policySuites the suites of the provider's policy: what a prefetch asks for, the offer of a real
     *                     connection being unknown yet
     * @param obtained     told of each SA obtained ahead of a connection; must not block
     */
    AssociationWarmer(String aor, Agent agent, List<HostPort> prefetch, List<String> policySuites,
                      ProviderStatistics statistics, Clock clock, BiConsumer<HostPort, SecurityAssociation> obtained) {
        this.aor = aor;
        this.agent = agent;
        this.prefetch = List.copyOf(prefetch);
        this.policySuites = List.copyOf(policySuites);
        this.statistics = statistics;
        this.clock = clock;
        this.obtained = obtained;
        this.prefetched = prefetch.isEmpty();
        this.timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "sip-tls-warmer-" + aor);
            t.setDaemon(true);
            return t;
        });
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A client connection to {@code peer} was offered an SA; {@code suites} what it offers (null: any). */
    void offered(HostPort peer, List<String> suites) {
        if (used.size() >= MAX_PEERS && !used.containsKey(peer)) {
            return;
        }
        used.put(peer, new Use(suites == null ? null : List.copyOf(suites), clock.instant()));
    }

    /** One round: prefetch once registered, renew what is due. Package-private for tests. */
    void tick() {
        try {
            if (!prefetched && agent.policyAccepted()) {
                prefetched = true;
                prefetchAll();
            }
            renewDue(clock.instant());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, aor + ": keeping SAs ready failed; trying again", e);
        }
    }

    private void prefetchAll() {
        LOG.log(Level.DEBUG, "{0}: prefetching SAs for {1}", aor, prefetch);
        for (HostPort peer : prefetch) {
            if (agent.held(peer, policySuites).isPresent()) {
                continue;
            }
            request(peer, policySuites, true);
        }
    }

    private void renewDue(Instant now) {
        if (used.isEmpty() || !agent.policyAccepted()) {
            return; // a request now would only fail: the connections fall back or wait as they would anyway
        }
        for (Map.Entry<HostPort, Use> entry : used.entrySet()) {
            HostPort peer = entry.getKey();
            Use use = entry.getValue();
            Optional<SecurityAssociation> held = agent.held(peer, use.suites());
            if (held.isEmpty()) {
                // nothing to renew (expired, declined, or a renewal failed): the next connection asks and is seen
                used.remove(peer, use);
                limited.remove(peer);
                continue;
            }
            SecurityAssociation sa = held.get();
            if (use.at().isBefore(now.minus(sa.lifetime()))) {
                used.remove(peer, use);
                limited.remove(peer);
                continue;
            }
            if (now.isBefore(sa.offeredUntil().minus(lead(sa))) || renewing.contains(peer)) {
                continue;
            }
            if (!renewalSlot()) {
                if (!sa.sessionIdHex().equals(limited.put(peer, sa.sessionIdHex()))) {
                    statistics.renewalLimited();
                }
                continue;
            }
            limited.remove(peer);
            request(peer, use.suites(), false);
        }
    }

    /** How long before an SA stops being offered it is renewed: a tenth of that span, 2 s..60 s, at most half. */
    static Duration lead(SecurityAssociation sa) {
        Duration offered = Duration.between(sa.creationTime(), sa.offeredUntil());
        Duration lead = offered.dividedBy(10);
        lead = lead.compareTo(MIN_LEAD) < 0 ? MIN_LEAD : lead.compareTo(MAX_LEAD) > 0 ? MAX_LEAD : lead;
        Duration half = offered.dividedBy(2);
        return lead.compareTo(half) > 0 ? half : lead;
    }

    /** Takes one of the minute's renewals if any is left. */
    private boolean renewalSlot() {
        long now = System.nanoTime();
        while (!recentRenewals.isEmpty() && now - recentRenewals.peekFirst() >= MINUTE_NANOS) {
            recentRenewals.pollFirst();
        }
        if (recentRenewals.size() >= RENEWALS_PER_MINUTE) {
            return false;
        }
        recentRenewals.addLast(now);
        return true;
    }

    private void request(HostPort peer, List<String> suites, boolean prefetching) {
        Optional<CompletableFuture<SecurityAssociation>> request = agent.fetch(peer, suites);
        if (request.isEmpty()) {
            return; // a connection's request is in flight: it brings the SA
        }
        if (!prefetching) {
            renewing.add(peer);
        }
        request.get().whenComplete((sa, error) -> {
            if (!prefetching) {
                renewing.remove(peer);
                if (error != null) {
                    used.remove(peer); // not tried again for this SA; the next use tracks the peer again
                }
            }
            if (prefetching) {
                statistics.prefetch(error == null);
            } else {
                statistics.renewal(error == null);
            }
            if (error == null) {
                obtained.accept(peer, sa);
            } else {
                Level level = warned.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG;
                LOG.log(level, "{0}: {1} an SA for {2} failed (the next connection asks the key server itself;"
                        + " further such failures are only counted): {3}", aor,
                        prefetching ? "prefetching" : "renewing", peer, String.valueOf(error));
            }
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
