package dev.siptls.server;

import dev.siptls.protocol.HostPort;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The key server's side of a cluster (docs/CLUSTER.md): mirrors this node's registrations into the
 * {@link SharedState}, finds targets registered on other nodes, and keeps replay records cluster-wide. Alone
 * ({@link #alone}) it shares nothing: every target is local and replays are remembered in this process.
 *
 * <p>Its calls may wait for a network round trip: in a cluster the key server runs requests on its workers, not
 * on the transport's event loops. When the shared state is unavailable (a split, or not joined yet) every decision
 * is refused with 503: a node on the minority side issues nothing.
 */
final class Cluster {

    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());
    private static final int CERTIFICATES_KEPT = 4096;

    private final SharedState state;
    private final ReplayGuard localReplays;
    private final FlowTokens tokens;
    private volatile InetSocketAddress links;
    private final Map<String, X509Certificate> certificates = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, X509Certificate> eldest) {
            return size() > CERTIFICATES_KEPT;
        }
    };

    private Cluster(SharedState state, ReplayGuard localReplays) {
        this.state = state;
        this.localReplays = localReplays;
        this.tokens = new FlowTokens(new SecureRandom());
    }

    static Cluster alone(int replayCapacity) {
        return new Cluster(null, new ReplayGuard(replayCapacity));
    }

    static Cluster of(SharedState state) {
        return new Cluster(state, null);
    }

    boolean shared() {
        return state != null;
    }

    Optional<SharedState> state() {
        return Optional.ofNullable(state);
    }

    /** 503 unless this node may decide now. */
    void requireAvailable() throws Refusal {
        if (state != null && !state.available()) {
            throw unavailable(null);
        }
    }

    /**
     * Whether {@code r} is still its AOR's registration: always alone; in a cluster, while the shared record names
     * this node and {@code r}'s flow. Once the AOR registered on another node (or another flow here), a registration
     * left on this node neither receives SAs nor asks for them.
     */
    boolean owns(Registration r) throws Refusal {
        if (state == null) {
            return true;
        }
        try {
            return state.registration(r.aor()).filter(now -> now.nodeId().equals(state.nodeId())
                    && now.flowToken().equals(tokens.mint(r.aor(), r.serial()))).isPresent();
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** This node's name in the cluster; empty alone. */
    Optional<String> nodeId() {
        return state == null ? Optional.empty() : Optional.of(state.nodeId());
    }

    /** The shared record of {@code aor} if it is live and names another node; always empty alone. */
    Optional<AgentRecord> registeredElsewhere(String aor, long nowMillis) throws Refusal {
        if (state == null) {
            return Optional.empty();
        }
        try {
            return state.registration(aor).filter(r -> !r.isExpired(nowMillis) && !r.nodeId().equals(state.nodeId()));
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** Publishes a registration made (or refreshed, or given a policy) on this node. */
    void published(Registration r) throws Refusal {
        if (state == null) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            state.registration(r.aor()).filter(before -> !before.isExpired(now)
                    && !before.nodeId().equals(state.nodeId())).ifPresent(before -> LOG.log(
                    System.Logger.Level.WARNING, "{0} registered here while its registration on node {1} was still"
                    + " live: SAs for it now come here. If this repeats, two processes share this AOR, and each"
                    + " takes the SAs of the other", r.aor(), before.nodeId()));
            byte[] certificate = r.flow().peerCertificate().orElseThrow(() -> new Refusal(403, "connection-gone",
                    "The connection this request came on is closed")).getEncoded();
            state.putRegistration(new AgentRecord(r.aor(), state.nodeId(), tokens.mint(r.aor(), r.serial()),
                    r.fingerprint(), certificate, r.expiresAtMillis(), r.policy() == null ? null
                            : r.policy().encode()));
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** A registration of this node ended: its shared record goes, unless it moved to another node meanwhile. */
    void withdrawn(Registration r) {
        if (state == null) {
            return;
        }
        try {
            boolean removed = state.removeRegistration(r.aor(), state.nodeId(), tokens.mint(r.aor(), r.serial()));
            if (r.policy() != null) {
                state.releaseBindings(r.aor(), removed ? r.policy().bindings() : notHeldElsewhere(r));
            }
        } catch (StateUnavailableException e) {
            // The record expires by itself, and a node taking the AOR overwrites it.
            LOG.log(System.Logger.Level.DEBUG, () -> "could not withdraw " + r.aor() + ": " + e.getMessage());
        }
    }

    /**
     * The bindings of {@code r}'s policy that this node may release when the AOR's record was not its own to
     * remove. A binding names only the AOR: if the agent moved to another flow, releasing one would take it from
     * the new registration. So: those the new registration's policy does not list; none while it has published
     * no policy yet (it claims the same ones at once); all if the AOR is registered nowhere.
     */
    private List<HostPort> notHeldElsewhere(Registration r) {
        Optional<AgentRecord> now = state.registration(r.aor());
        if (now.isEmpty()) {
            return r.policy().bindings();
        }
        if (!now.get().hasPolicy()) {
            return List.of();
        }
        try {
            List<HostPort> held = StoredPolicy.decode(now.get().policy()).bindings();
            return r.policy().bindings().stream().filter(b -> !held.contains(b)).toList();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** Claims the bindings of a policy cluster-wide; the first one another AOR holds, if any. */
    Optional<HostPort> claim(String aor, List<HostPort> bindings) throws Refusal {
        if (state == null || bindings.isEmpty()) {
            return Optional.empty();
        }
        try {
            Optional<HostPort> conflict = state.claimBindings(aor, bindings);
            if (conflict.isEmpty()) {
                return conflict;
            }
            // A binding outlives its holder's record when that holder's node died and the agent never came back:
            // the AOR holding it must still be registered somewhere, or the binding is free again.
            String holder = state.bindingOwner(conflict.get()).orElse(null);
            long now = System.currentTimeMillis();
            if (holder != null && !holder.equals(aor)
                    && state.registration(holder).filter(r -> !r.isExpired(now)).isEmpty()) {
                state.releaseBindings(holder, List.of(conflict.get()));
                LOG.log(System.Logger.Level.INFO, "{0} was held by {1}, registered nowhere now: released", conflict.get(),
                        holder);
                return state.claimBindings(aor, bindings);
            }
            return conflict;
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        }
    }

    void release(String aor, Collection<HostPort> bindings) {
        if (state == null || bindings.isEmpty()) {
            return;
        }
        try {
            state.releaseBindings(aor, bindings);
        } catch (StateUnavailableException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "could not release bindings of " + aor + ": " + e.getMessage());
        }
    }

    Optional<String> bindingOwner(HostPort binding) throws Refusal {
        if (state == null) {
            return Optional.empty();
        }
        try {
            return state.bindingOwner(binding);
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** Whether another node has a record of {@code aor} or ended it recently. */
    boolean known(String aor) throws Refusal {
        if (state == null) {
            return false;
        }
        try {
            return state.known(aor);
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** True exactly once per key, cluster-wide in a cluster. */
    boolean firstTime(String key) throws Refusal {
        if (state == null) {
            return localReplays.firstTime(key);
        }
        try {
            return state.firstTime(key);
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        }
    }

    /**
     * {@code aor} registered on another node that is a member now. Empty if it is registered nowhere else;
     * a 480 if it is, but its node cannot be reached.
     */
    Optional<RemoteTarget> remote(String aor, long nowMillis) throws Refusal {
        if (state == null) {
            return Optional.empty();
        }
        AgentRecord record;
        try {
            record = state.registration(aor).orElse(null);
            if (record == null || record.isExpired(nowMillis) || record.nodeId().equals(state.nodeId())) {
                return Optional.empty();
            }
            InetSocketAddress node = state.interconnect(record.nodeId()).orElseThrow(() -> new Refusal(480,
                    "target-node-gone", aor + " is registered on a key server that is not reachable now"));
            StoredPolicy policy = record.hasPolicy() ? StoredPolicy.decode(record.policy()) : null;
            return Optional.of(new RemoteTarget(record, policy, certificate(record), node));
        } catch (StateUnavailableException e) {
            throw unavailable(e);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "unreadable shared record of {0}: {1}", aor, e.getMessage());
            throw new Refusal(480, "target-unreachable", aor + " is unreachable");
        }
    }

    /** The token another node routes to {@code r}'s flow with. */
    String token(Registration r) {
        return tokens.mint(r.aor(), r.serial());
    }

    /** The flow serial {@code token} names for {@code aor}, if this node minted it. */
    OptionalLong verify(String token, String aor) {
        return tokens.verify(token, aor);
    }

    /** Registrations kept cluster-wide, or -1 alone. */
    int sharedRegistrations() {
        if (state == null) {
            return -1;
        }
        try {
            return state.registrations();
        } catch (StateUnavailableException e) {
            return -1;
        }
    }

    /** Tells the other nodes where this node takes their requests. */
    void announce(InetSocketAddress address) {
        links = address;
        if (state != null) {
            state.announce(address);
        }
    }

    /**
     * Every sweep: tells the other nodes this node's totals, and its links address again if the shared entry is
     * not it (a merge can leave the entry of an earlier process under this node's name). A node that may not write
     * now skips a round.
     */
    void refresh(Map<String, Long> totals) {
        if (state == null) {
            return;
        }
        try {
            state.publishCounters(totals);
            InetSocketAddress own = links;
            if (own != null && !state.interconnect(state.nodeId()).filter(own::equals).isPresent()) {
                state.announce(own);
                LOG.log(System.Logger.Level.INFO, "node {0} announced its links address {1} again", state.nodeId(),
                        own);
            }
        } catch (StateUnavailableException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "counters not published: " + e.getMessage());
        }
    }

    /** The cluster's totals, empty alone or while they cannot be read. */
    Map<String, Long> clusterCounters() {
        if (state == null) {
            return Map.of();
        }
        try {
            return state.clusterCounters();
        } catch (StateUnavailableException e) {
            return Map.of();
        }
    }

    private X509Certificate certificate(AgentRecord record) {
        String key = HexFormat.of().formatHex(record.fingerprint());
        synchronized (certificates) {
            X509Certificate kept = certificates.get(key);
            if (kept != null) {
                return kept;
            }
        }
        try {
            X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(record.certificate()));
            synchronized (certificates) {
                certificates.put(key, parsed);
            }
            return parsed;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate does not parse", e);
        }
    }

    private static Refusal unavailable(StateUnavailableException cause) {
        if (cause != null) {
            LOG.log(System.Logger.Level.DEBUG, () -> "shared state unavailable: " + cause.getMessage());
        }
        return new Refusal(503, "cluster-unavailable", "Key server cluster unavailable here");
    }

    void close() {
        if (state != null) {
            state.close();
        }
    }
}
