package dev.siptls.cluster;

import dev.siptls.protocol.HostPort;
import dev.siptls.server.AgentRecord;
import dev.siptls.server.SharedState;
import dev.siptls.server.StateUnavailableException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.commons.CacheException;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.AvailabilityException;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.util.NameCache;

/**
 * One key server's membership of its cluster, and the {@link SharedState} the nodes keep together: embedded
 * Infinispan caches ({@link StateCaches}) over a JGroups TCP channel with mutual TLS between nodes
 * ({@link ClusterStack}). {@link #join} blocks until this node is a member and holds the current state;
 * {@link #close} leaves the cluster and stops every thread it started.
 *
 * <p>Every method of {@link SharedState} throws {@link StateUnavailableException} when this node may not decide:
 * closed, on the minority side of a split (Infinispan's {@code AvailabilityException}), or when the other nodes
 * did not answer in time. {@link #available()} tells the same without throwing.
 */
public final class ClusterNode implements SharedState {

    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());
    /** A removal that keeps losing to concurrent refreshes of the same record gives up after this many reads. */
    private static final int CONDITIONAL_ATTEMPTS = 16;

    private final ClusterConfig config;
    private final JChannel channel;
    private final DefaultCacheManager manager;
    private final Cache<String, byte[]> registrations;
    private final Cache<String, Long> ended;
    private final Cache<String, String> bindings;
    private final Cache<String, String> replays;
    private final Cache<String, String> nodes;
    private final Cache<String, String> counters;
    private final MinorityRepair repair;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Numbers this node's replay claims; a random start, so that a restarted node's claims differ from its last. */
    private final java.util.concurrent.atomic.AtomicLong claims = new java.util.concurrent.atomic.AtomicLong(
            java.util.concurrent.ThreadLocalRandom.current().nextLong());

    private ClusterNode(ClusterConfig config, JChannel channel, DefaultCacheManager manager) {
        this.config = config;
        this.channel = channel;
        this.manager = manager;
        this.registrations = manager.getCache(StateCaches.REGISTRATIONS);
        this.ended = manager.getCache(StateCaches.ENDED);
        this.bindings = manager.getCache(StateCaches.BINDINGS);
        this.replays = manager.getCache(StateCaches.REPLAYS);
        this.nodes = manager.getCache(StateCaches.NODES);
        this.counters = manager.getCache(StateCaches.COUNTERS);
        this.repair = new MinorityRepair(config.nodeName(), List.of(untyped(registrations), untyped(bindings),
                untyped(replays)));
    }

    @SuppressWarnings("unchecked")
    private static AdvancedCache<String, Object> untyped(Cache<String, ?> cache) {
        return (AdvancedCache<String, Object>) (AdvancedCache<String, ?>) cache.getAdvancedCache();
    }

    /**
     * Joins the cluster {@code config} names (or founds it, as the first of {@link ClusterConfig#initialClusterSize}
     * nodes) and waits until this node holds the shared state and may serve.
     *
     * @throws IllegalArgumentException if the JGroups file cannot be used
     * @throws StateUnavailableException if the cluster could not be joined within the join timeout, saying why
     */
    public static ClusterNode join(ClusterConfig config) {
        ClusterLogging.quietByDefault();
        long start = System.nanoTime();
        long deadline = start + config.joinTimeout().toNanos();
        JChannel channel;
        try {
            channel = ClusterStack.channel(config);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cluster configuration: cannot build the JGroups stack: "
                    + e.getMessage(), e);
        }
        DefaultCacheManager manager = null;
        try {
            manager = new DefaultCacheManager(StateCaches.configuration(config, channel), true);
            long connected = System.nanoTime();
            manager.startCaches(StateCaches.ALL.toArray(new String[0]));
            long started = System.nanoTime();
            ClusterNode node = new ClusterNode(config, channel, manager);
            node.repair.watch();
            node.awaitServing(deadline);
            long serving = System.nanoTime();
            LOG.log(System.Logger.Level.INFO, "node {0} joined cluster {1}: {2} member(s), in {3} ms (connected "
                    + "{4} ms, state {5} ms, serving {6} ms)", config.nodeName(), config.clusterName(),
                    String.valueOf(channel.getView().size()), millis(serving - start), millis(connected - start),
                    millis(started - connected), millis(serving - started));
            return node;
        } catch (RuntimeException e) {
            stopQuietly(manager, channel);
            if (e instanceof StateUnavailableException) {
                throw e;
            }
            throw new StateUnavailableException(joinFailure(config, e), e);
        }
    }

    @Override
    public String nodeId() {
        return config.nodeName();
    }

    @Override
    public boolean available() {
        if (closed.get() || manager.getStatus() != ComponentStatus.RUNNING || !channel.isConnected()
                || repair.stale()) {
            return false;
        }
        // Never fewer members than a majority of the cluster as configured: a node that restarted while the others
        // were unreachable founds a view of its own, whose caches Infinispan finds available (nobody was lost), and
        // one cut off sees itself alone a moment before its caches turn read-only.
        View view = channel.getView();
        if (view == null || view.size() < config.initialClusterSize()) {
            return false;
        }
        for (Cache<?, ?> cache : List.of(registrations, bindings, replays)) {
            AdvancedCache<?, ?> advanced = cache.getAdvancedCache();
            if (advanced.getStatus() != ComponentStatus.RUNNING
                    || advanced.getAvailability() != AvailabilityMode.AVAILABLE) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void putRegistration(AgentRecord record) {
        long lifespan = Math.max(1, record.expiresAtMillis() - System.currentTimeMillis());
        guarded("publish a registration", () -> {
            // An older "ended" entry may stay: known() asks the registrations first.
            registrations.put(record.aor(), record.toBytes(), lifespan, TimeUnit.MILLISECONDS);
            return null;
        });
    }

    @Override
    public Optional<AgentRecord> registration(String aor) {
        byte[] bytes = guarded("read a registration", () -> registrations.get(aor));
        return bytes == null ? Optional.empty() : Optional.of(AgentRecord.fromBytes(bytes));
    }

    @Override
    public boolean removeRegistration(String aor, String nodeId, String flowToken) {
        return guarded("remove a registration", () -> {
            for (int i = 0; i < CONDITIONAL_ATTEMPTS; i++) {
                byte[] current = registrations.get(aor);
                if (current == null) {
                    return false;
                }
                AgentRecord record = AgentRecord.fromBytes(current);
                if (!record.nodeId().equals(nodeId) || !record.flowToken().equals(flowToken)) {
                    return false;
                }
                // Removed only if unchanged since read: a refresh or a move in between is read again.
                if (registrations.remove(aor, current)) {
                    ended.put(aor, System.currentTimeMillis(), config.endedRetention().toMillis(),
                            TimeUnit.MILLISECONDS);
                    return true;
                }
            }
            throw new StateUnavailableException("the registration of " + aor + " kept changing during "
                    + CONDITIONAL_ATTEMPTS + " attempts to remove it");
        });
    }

    @Override
    public boolean known(String aor) {
        return guarded("look an AOR up", () -> registrations.containsKey(aor) || ended.containsKey(aor));
    }

    @Override
    public Optional<HostPort> claimBindings(String aor, List<HostPort> wanted) {
        Objects.requireNonNull(aor, "aor");
        return guarded("claim bindings", () -> {
            List<String> claimed = new ArrayList<>();
            for (HostPort binding : wanted) {
                String key = binding.toString();
                String holder = bindings.putIfAbsent(key, aor);
                if (holder == null) {
                    claimed.add(key);
                } else if (!holder.equals(aor)) {
                    for (String mine : claimed) {
                        bindings.remove(mine, aor);
                    }
                    return Optional.of(binding);
                }
            }
            return Optional.empty();
        });
    }

    @Override
    public void releaseBindings(String aor, Collection<HostPort> held) {
        guarded("release bindings", () -> {
            for (HostPort binding : held) {
                bindings.remove(binding.toString(), aor);
            }
            return null;
        });
    }

    @Override
    public Optional<String> bindingOwner(HostPort binding) {
        return Optional.ofNullable(guarded("read a binding", () -> bindings.get(binding.toString())));
    }

    @Override
    public boolean firstTime(String key) {
        // A value of its own per call: Infinispan retries a putIfAbsent cut by a topology change as "absent, or
        // already this value", so with the bare node name a node asked twice for one key during a rebalance was
        // told "first" twice.
        String claim = nodeId() + " " + claims.incrementAndGet();
        return guarded("check a replay", () -> replays.putIfAbsent(key, claim,
                config.replayRetention().toMillis(), TimeUnit.MILLISECONDS) == null);
    }

    @Override
    public void announce(InetSocketAddress interconnect) {
        HostPort where = new HostPort(interconnect.getHostString(), interconnect.getPort());
        guarded("announce this node", () -> nodes.put(nodeId(), where.toString()));
    }

    @Override
    public Optional<InetSocketAddress> interconnect(String nodeId) {
        if (!members().contains(nodeId)) {
            return Optional.empty();
        }
        String where = guarded("look a node up", () -> nodes.get(nodeId));
        if (where == null) {
            return Optional.empty();
        }
        HostPort hostPort = HostPort.parse(where);
        return Optional.of(new InetSocketAddress(hostPort.host(), hostPort.port()));
    }

    @Override
    public void publishCounters(java.util.Map<String, Long> totals) {
        StringBuilder line = new StringBuilder();
        totals.forEach((name, value) -> line.append(name).append('=').append(value).append('\n'));
        guarded("publish counters", () -> counters.put(nodeId(), line.toString()));
    }

    @Override
    public java.util.Map<String, Long> clusterCounters() {
        java.util.Map<String, Long> sums = new java.util.TreeMap<>();
        guarded("read counters", () -> {
            for (String published : counters.values()) {
                for (String entry : published.split("\n")) {
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        try {
                            sums.merge(entry.substring(0, eq), Long.parseLong(entry.substring(eq + 1)), Long::sum);
                        } catch (NumberFormatException skipped) {
                            // another version's entry: not summed
                        }
                    }
                }
            }
            return null;
        });
        return sums;
    }

    @Override
    public int registrations() {
        return guarded("count registrations", registrations::size);
    }

    /** The names of the nodes in this node's current view, itself included. */
    public List<String> members() {
        View view = channel.getView();
        if (view == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Address member : view.getMembers()) {
            names.add(nameOf(member));
        }
        return names;
    }

    /** This node's configuration. */
    public ClusterConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (available()) {
                nodes.remove(nodeId());
            }
        } catch (CacheException e) {
            LOG.log(System.Logger.Level.DEBUG, "node {0} could not withdraw its interconnect: {1}", nodeId(),
                    e.toString());
        }
        repair.close();
        stopQuietly(manager, channel);
        LOG.log(System.Logger.Level.INFO, "node {0} left cluster {1}", nodeId(), config.clusterName());
    }

    /** The channel, for tests that cut this node off. */
    JChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "ClusterNode[" + nodeId() + " in " + config.clusterName() + ", members=" + members()
                + (closed.get() ? ", closed" : "") + "]";
    }

    /** Waits until this node's name is its own in the view (an old incarnation may still be leaving) and it serves. */
    private void awaitServing(long deadline) {
        while (true) {
            boolean unique = members().stream().filter(nodeId()::equals).count() == 1;
            if (unique && available()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new StateUnavailableException(!unique
                        ? "another member of cluster " + config.clusterName() + " is named " + nodeId()
                                + ": node names must be unique"
                        : "node " + nodeId() + " joined cluster " + config.clusterName()
                                + " but its state stays unavailable (a minority side of a split?) after "
                                + config.joinTimeout().toSeconds() + " s");
            }
            sleep(Duration.ofMillis(50));
        }
    }

    private <T> T guarded(String what, Supplier<T> operation) {
        if (closed.get()) {
            throw new StateUnavailableException("cannot " + what + ": node " + nodeId() + " has left cluster "
                    + config.clusterName());
        }
        if (!available()) {
            // One answer for all the consistent caches: they enter degraded mode one after another.
            throw new StateUnavailableException("cannot " + what + ": node " + nodeId() + " of cluster "
                    + config.clusterName() + " is not in a partition that may decide (members now: " + members()
                    + ")");
        }
        try {
            return operation.get();
        } catch (AvailabilityException e) {
            throw new StateUnavailableException("cannot " + what + ": node " + nodeId()
                    + " is on the minority side of a split of cluster " + config.clusterName(), e);
        } catch (CacheException e) {
            throw new StateUnavailableException("cannot " + what + " on node " + nodeId() + " of cluster "
                    + config.clusterName() + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static String joinFailure(ClusterConfig config, RuntimeException e) {
        return "node " + config.nodeName() + " could not join cluster " + config.clusterName() + " within "
                + config.joinTimeout().toSeconds() + " s (" + config.initialClusterSize()
                + " node(s) needed to start; are the members " + (config.jgroupsFile().isPresent() ? "found by the"
                + " JGroups file's discovery" : config.members().toString()) + " up, and are their certificates "
                + "issued by the same cluster CA as this node's?): " + rootMessage(e);
    }

    /** Milliseconds as text: MessageFormat would group a number's digits. */
    private static String millis(long nanos) {
        return String.valueOf(nanos / 1_000_000);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static String nameOf(Address member) {
        String name = NameCache.get(member);
        return name != null ? name : String.valueOf(member);
    }

    private static void stopQuietly(DefaultCacheManager manager, JChannel channel) {
        try {
            if (manager != null) {
                manager.stop();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cache manager stop: {0}", e.toString());
        } finally {
            channel.close();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted while joining", e);
        }
    }
}
