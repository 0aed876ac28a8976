package dev.siptls.server;

import dev.siptls.protocol.HostPort;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What the key servers of a cluster share (docs/CLUSTER.md): where each AOR is registered and its verified policy,
 * which AOR holds each {@code host:port}, the INVITEs already answered (first writer wins), and where each node
 * takes requests from the others. A key server without one keeps all of this in its own {@link Registry}.
 *
 * <p>Every method may throw {@link StateUnavailableException} when this node may not read or write the shared
 * state now (not joined yet, or on the minority side of a split): the key server then refuses rather than decide
 * on a view other nodes may not share. Implementations are thread-safe; calls may block for a network round trip.
 */
public interface SharedState extends AutoCloseable {

    /** This node's name, unique in the cluster. */
    String nodeId();

    /** Whether reads and writes are allowed now (joined, and in a partition that may decide). */
    boolean available();

    /** Publishes or replaces {@code record} under its AOR; kept until its expiry at most. */
    void putRegistration(AgentRecord record);

    /** The record of {@code aor}, if one is kept (it may have expired: the caller checks). */
    Optional<AgentRecord> registration(String aor);

    /**
     * Removes the record of {@code aor} only if it is still the one made on {@code nodeId}'s flow {@code flowToken}
     * (a registration that moved to another node meanwhile stays), and remembers the AOR as ended.
     *
     * @return whether a record was removed
     */
    boolean removeRegistration(String aor, String nodeId, String flowToken);

    /** Whether {@code aor} has a record, or ended within the retention time (404 against 480). */
    boolean known(String aor);

    /**
     * Claims every binding for {@code aor}, each first-writer-wins. If one is held by another AOR, the ones
     * claimed by this call are released again and that one is returned.
     */
    Optional<HostPort> claimBindings(String aor, List<HostPort> bindings);

    /** Releases those of {@code bindings} that {@code aor} holds. */
    void releaseBindings(String aor, Collection<HostPort> bindings);

    /** The AOR holding {@code binding}. */
    Optional<String> bindingOwner(HostPort binding);

    /**
     * Remembers {@code key} (an INVITE's sender, Call-ID and CSeq) cluster-wide for the replay retention time.
     *
     * @return true for exactly one caller across the cluster, false for every later one
     */
    boolean firstTime(String key);

    /** Tells the other nodes where this node takes their SIP requests (its interconnect listener). */
    void announce(InetSocketAddress interconnect);

    /** Where {@code nodeId} takes requests from other nodes, if it is a member now. */
    Optional<InetSocketAddress> interconnect(String nodeId);

    /** Publishes this node's running totals (counter name to value), so that every node can give the cluster's. */
    void publishCounters(java.util.Map<String, Long> totals);

    /** The totals every node last published, summed by name (a node's own as of its last publication). */
    java.util.Map<String, Long> clusterCounters();

    /** Records kept cluster-wide (registrations of every node). */
    int registrations();

    /** Leaves the cluster; idempotent. */
    @Override
    void close();
}
