package dev.siptls.cluster;

import java.time.Duration;
import java.util.List;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;

/**
 * The caches the nodes share, and how they behave when the cluster splits. All are replicated and synchronous:
 * a write returns once every member holds it. Keys and values are strings, bytes and longs, which Infinispan
 * marshals itself, so no marshaller of ours is needed; conditional writes compare byte arrays by content.
 *
 * <p><b>A split cluster refuses rather than issues inconsistent SAs.</b> Registrations, bindings and replay
 * records deny reads and writes ({@link PartitionHandling#DENY_READ_WRITES}) on any side that lost half or more of
 * the members it last had in a stable topology: with three nodes, the side with two keeps serving and a lone node
 * answers {@code StateUnavailableException} (the key server then says 503). An even split (two of four, one of
 * two) leaves no side serving; so run an odd number of nodes. A side that refused accepted no writes, so at the
 * merge the serving side's entries win ({@link MergePolicy#PREFERRED_ALWAYS}, and {@link MinorityRepair} for
 * what that leaves behind): what it wrote or removed while split holds everywhere, and the nodes that refused
 * serve again once they hold the same. Ended AORs and the nodes'
 * interconnect addresses only tell a 404 from a 480 and where to route, so they stay readable everywhere and keep
 * any entry at the merge.
 *
 * <p>Two nodes lost at once out of three leave the last one refusing; nodes started anew get new identities and
 * do not make it serve again: restart it too (or start the cluster afresh).
 */
final class StateCaches {

    static final String REGISTRATIONS = "siptls-registrations";
    static final String ENDED = "siptls-ended-aors";
    static final String BINDINGS = "siptls-bindings";
    static final String REPLAYS = "siptls-replays";
    static final String NODES = "siptls-nodes";
    /** Each node's running totals, for the cluster's sums: informative, so readable on every side of a split. */
    static final String COUNTERS = "siptls-counters";

    /** The caches whose consistency matters: refused on a minority side. */
    static final List<String> CONSISTENT = List.of(REGISTRATIONS, BINDINGS, REPLAYS);
    static final List<String> ALL = List.of(REGISTRATIONS, ENDED, BINDINGS, REPLAYS, NODES, COUNTERS);

    private StateCaches() {
    }

    /** The cache manager's configuration over {@code channel}, not started. */
    static ConfigurationBuilderHolder configuration(ClusterConfig config, JChannel channel) {
        ConfigurationBuilderHolder holder = new ConfigurationBuilderHolder(StateCaches.class.getClassLoader());
        GlobalConfigurationBuilder global = holder.getGlobalConfigurationBuilder();
        global.transport().clusterName(config.clusterName()).nodeName(config.nodeName())
                .transport(new JGroupsTransport(channel))
                .initialClusterSize(config.initialClusterSize())
                .initialClusterTimeout(config.joinTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        global.jmx().enabled(false);
        global.metrics().gauges(false).histograms(false);
        // The key server leaves its cluster in its own shutdown; a hook per node would outlive closed nodes.
        global.shutdown().hookBehavior(ShutdownHookBehavior.DONT_REGISTER);
        long remote = remoteTimeout(config).toMillis();
        long join = Math.max(config.joinTimeout().toMillis(), remote);
        for (String name : ALL) {
            ConfigurationBuilder cache = holder.newConfigurationBuilder(name);
            cache.clustering().cacheMode(CacheMode.REPL_SYNC).remoteTimeout(remote)
                    .stateTransfer().awaitInitialTransfer(true).timeout(join);
            boolean consistent = CONSISTENT.contains(name);
            cache.clustering().partitionHandling()
                    .whenSplit(consistent ? PartitionHandling.DENY_READ_WRITES : PartitionHandling.ALLOW_READ_WRITES)
                    .mergePolicy(consistent ? MergePolicy.PREFERRED_ALWAYS : MergePolicy.PREFERRED_NON_NULL);
            cache.locking().lockAcquisitionTimeout(remote);
            cache.statistics().enabled(false);
        }
        return holder;
    }

    /**
     * How long a synchronous write waits for the other nodes: past the failure detection of a hung node, so that
     * a write caught by one completes on the new view rather than fails.
     */
    static Duration remoteTimeout(ClusterConfig config) {
        Duration fd = config.failureDetectionTimeout();
        return fd.multipliedBy(2).plusSeconds(2).compareTo(Duration.ofSeconds(5)) < 0
                ? Duration.ofSeconds(5) : fd.multipliedBy(2).plusSeconds(2);
    }
}
