package dev.siptls.server;

import dev.siptls.protocol.HostPort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the cluster's shared store, for tests of the key server's routing between nodes in one JVM.
 * The real store (Infinispan) is tested, and the nodes over it, in the cluster module.
 */
final class InMemorySharedState implements SharedState {

    /** What the nodes of one test cluster share. */
    static final class Store {
        final Map<String, byte[]> registrations = new ConcurrentHashMap<>();
        final Map<String, Long> ended = new ConcurrentHashMap<>();
        final Map<HostPort, String> bindings = new ConcurrentHashMap<>();
        final Map<String, Boolean> replays = new ConcurrentHashMap<>();
        final Map<String, InetSocketAddress> nodes = new ConcurrentHashMap<>();
        final Map<String, Map<String, Long>> counters = new ConcurrentHashMap<>();

        InMemorySharedState node(String id) {
            return new InMemorySharedState(this, id);
        }
    }

    private final Store store;
    private final String nodeId;
    volatile boolean available = true;

    private InMemorySharedState(Store store, String nodeId) {
        this.store = store;
        this.nodeId = nodeId;
    }

    private void check() {
        if (!available) {
            throw new StateUnavailableException("test: split");
        }
    }

    @Override public String nodeId() { return nodeId; }
    @Override public boolean available() { return available; }

    @Override
    public void putRegistration(AgentRecord record) {
        check();
        store.registrations.put(record.aor(), record.toBytes());
        store.ended.remove(record.aor());
    }

    @Override
    public Optional<AgentRecord> registration(String aor) {
        check();
        return Optional.ofNullable(store.registrations.get(aor)).map(AgentRecord::fromBytes);
    }

    @Override
    public boolean removeRegistration(String aor, String node, String flowToken) {
        check();
        byte[] now = store.registrations.get(aor);
        if (now == null) {
            return false;
        }
        AgentRecord r = AgentRecord.fromBytes(now);
        if (!r.nodeId().equals(node) || !r.flowToken().equals(flowToken)) {
            return false;
        }
        boolean removed = store.registrations.remove(aor, now);
        if (removed) {
            store.ended.put(aor, System.currentTimeMillis());
        }
        return removed;
    }

    @Override
    public boolean known(String aor) {
        check();
        return store.registrations.containsKey(aor) || store.ended.containsKey(aor);
    }

    @Override
    public Optional<HostPort> claimBindings(String aor, List<HostPort> bindings) {
        check();
        List<HostPort> claimed = new ArrayList<>();
        for (HostPort b : bindings) {
            String owner = store.bindings.putIfAbsent(b, aor);
            if (owner != null && !owner.equals(aor)) {
                claimed.forEach(c -> store.bindings.remove(c, aor));
                return Optional.of(b);
            }
            if (owner == null) {
                claimed.add(b);
            }
        }
        return Optional.empty();
    }

    @Override
    public void releaseBindings(String aor, Collection<HostPort> bindings) {
        check();
        bindings.forEach(b -> store.bindings.remove(b, aor));
    }

    @Override
    public Optional<String> bindingOwner(HostPort binding) {
        check();
        return Optional.ofNullable(store.bindings.get(binding));
    }

    @Override
    public boolean firstTime(String key) {
        check();
        return store.replays.putIfAbsent(key, Boolean.TRUE) == null;
    }

    @Override
    public void announce(InetSocketAddress interconnect) {
        store.nodes.put(nodeId, interconnect);
    }

    @Override
    public Optional<InetSocketAddress> interconnect(String node) {
        check();
        return Optional.ofNullable(store.nodes.get(node));
    }

    @Override
    public void publishCounters(Map<String, Long> totals) {
        store.counters.put(nodeId, Map.copyOf(totals));
    }

    @Override
    public Map<String, Long> clusterCounters() {
        Map<String, Long> sums = new java.util.TreeMap<>();
        store.counters.values().forEach(m -> m.forEach((k, v) -> sums.merge(k, v, Long::sum)));
        return sums;
    }

    @Override
    public int registrations() {
        return store.registrations.size();
    }

    @Override
    public void close() {
        store.nodes.remove(nodeId);
    }

    @Override
    public String toString() {
        return "InMemorySharedState[" + nodeId + ", " + Arrays.toString(store.nodes.keySet().toArray()) + "]";
    }
}
