package dev.siptls.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.infinispan.AdvancedCache;
import org.infinispan.commons.CacheException;
import org.infinispan.conflict.ConflictManager;
import org.infinispan.conflict.ConflictManagerFactory;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.context.Flag;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.PartitionStatusChanged;
import org.infinispan.notifications.cachelistener.event.PartitionStatusChangedEvent;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.remoting.transport.Address;

/**
 * Makes a node that refused on the minority side of a split hold exactly what the serving side holds before it
 * serves again. At the merge Infinispan takes the serving side's topology and sends its entries to the others, but
 * an entry the serving side removed while split stays on a node that was cut off (measured: a registration removed
 * on the two serving nodes was still read on the third after the merge). So from the moment a consistent cache
 * enters degraded mode this node counts as stale; once all are available again, each entry on which this node
 * differs from the other members, when they agree, is replaced or removed on this node only; then it serves.
 */
@Listener(observation = Listener.Observation.POST)
final class MinorityRepair implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MinorityRepair.class.getName());

    private final String nodeId;
    private final List<AdvancedCache<String, Object>> caches;
    private final AtomicBoolean stale = new AtomicBoolean();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService worker;

    MinorityRepair(String nodeId, List<AdvancedCache<String, Object>> caches) {
        this.nodeId = nodeId;
        this.caches = List.copyOf(caches);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "siptls-cluster-repair-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Listens to the consistent caches' availability. */
    void watch() {
        caches.forEach(c -> c.addListener(this));
    }

    /** Whether this node was on a minority side and has not caught up yet. */
    boolean stale() {
        return stale.get();
    }

    @PartitionStatusChanged
    public void changed(PartitionStatusChangedEvent<?, ?> event) {
        if (event.getAvailabilityMode() != AvailabilityMode.AVAILABLE) {
            stale.set(true);
        } else if (stale.get() && scheduled.compareAndSet(false, true)) {
            worker.execute(this::repair);
        }
    }

    private void repair() {
        try {
            while (stale.get() && !worker.isShutdown()) {
                if (caches.stream().allMatch(c -> c.getAvailability() == AvailabilityMode.AVAILABLE)) {
                    try {
                        int fixed = 0;
                        for (AdvancedCache<String, Object> cache : caches) {
                            fixed += repair(cache);
                        }
                        stale.set(false);
                        LOG.log(System.Logger.Level.INFO, "node {0} caught up after a split: {1} entries "
                                + "replaced or removed", nodeId, fixed);
                        return;
                    } catch (CacheException | IllegalStateException e) {
                        LOG.log(System.Logger.Level.DEBUG, "node {0}: catching up after a split, retrying: {1}",
                                nodeId, e.toString());
                    }
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            scheduled.set(false);
        }
    }

    private int repair(AdvancedCache<String, Object> cache) throws InterruptedException {
        ConflictManager<String, Object> conflicts = ConflictManagerFactory.get(cache);
        while (conflicts.isStateTransferInProgress() || conflicts.isConflictResolutionInProgress()) {
            Thread.sleep(100);
        }
        Address self = cache.getCacheManager().getAddress();
        AdvancedCache<String, Object> local = cache.withFlags(Flag.CACHE_MODE_LOCAL, Flag.IGNORE_RETURN_VALUES);
        List<Map<Address, CacheEntry<String, Object>>> found = new ArrayList<>();
        conflicts.getConflicts().forEach(found::add);
        int fixed = 0;
        for (Map<Address, CacheEntry<String, Object>> versions : found) {
            if (!versions.containsKey(self)) {
                continue;
            }
            Agreement others = agreed(versions, self);
            if (!others.agreed()) {
                continue;
            }
            CacheEntry<String, Object> theirs = others.entry();
            String key = keyOf(versions);
            if (theirs == null) {
                local.remove(key);
            } else {
                long remaining = theirs.getLifespan() < 0 ? -1
                        : Math.max(1, theirs.getCreated() + theirs.getLifespan() - System.currentTimeMillis());
                local.put(key, theirs.getValue(), remaining, TimeUnit.MILLISECONDS);
            }
            fixed++;
        }
        return fixed;
    }

    /** Whether the other members agree, and on which entry (null: on holding none). */
    private record Agreement(boolean agreed, CacheEntry<String, Object> entry) {
    }

    private static Agreement agreed(Map<Address, CacheEntry<String, Object>> versions, Address self) {
        CacheEntry<String, Object> first = null;
        boolean any = false;
        for (Map.Entry<Address, CacheEntry<String, Object>> e : versions.entrySet()) {
            if (e.getKey().equals(self)) {
                continue;
            }
            CacheEntry<String, Object> entry = present(e.getValue());
            if (!any) {
                first = entry;
                any = true;
            } else if (!sameValue(first, entry)) {
                return new Agreement(false, null);
            }
        }
        return new Agreement(any, first);
    }

    private static CacheEntry<String, Object> present(CacheEntry<String, Object> entry) {
        return entry == null || entry.isNull() || entry.getValue() == null ? null : entry;
    }

    private static boolean sameValue(CacheEntry<String, Object> a, CacheEntry<String, Object> b) {
        return a == null ? b == null : b != null && Objects.deepEquals(a.getValue(), b.getValue());
    }

    private static String keyOf(Map<Address, CacheEntry<String, Object>> versions) {
        for (CacheEntry<String, Object> entry : versions.values()) {
            if (entry != null && entry.getKey() != null) {
                return entry.getKey();
            }
        }
        throw new IllegalStateException("conflict without a key");
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
