package dev.siptls.agent;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The security associations this agent holds, as TLS client and as TLS server. The provider's session
 * bridge reads it on every handshake, so lookups take no lock and answer from memory; changes (rare: one per
 * SA distributed, expired or evicted) are serialised on the store.
 *
 * <p>The store owns its SAs' secrets: an SA that expires, is evicted because the store is full (the
 * soonest-expiring goes first) or is removed is {@linkplain SecurityAssociation#destroy() destroyed}, so
 * a reader that still holds it gets an {@code IllegalStateException} from {@code masterSecret()} and must
 * treat that as "no SA". Lookups never return an expired SA, swept or not.
 *
 * <p>A client SA replaces the ones held for the same server with the same suite that expire no later than it:
 * {@link #byPeer} no longer finds them, and the first change to the store at least {@link #SUPERSEDED_GRACE}
 * later destroys them (a handshake just handed one still builds its session from it; until then they count
 * against the capacity like any SA). SAs of other suites stay, for the connections that offer those.
 */
public final class AssociationStore {

    /**
     * The TLS role this agent holds an SA in, as it received it: a TLS stack resumes an SA only in that role, so
     * that an SA this agent obtained as a client is never resumed by its own server side, and the reverse.
     */
    public enum Role {
        /** Received in the 200 OK to this agent's own INVITE: this agent is the SA's TLS client. */
        CLIENT,
        /** Received in an INVITE from the key server: this agent is the SA's TLS server. */
        SERVER
    }

    /** How long a replaced client SA stays usable for whoever already holds it. */
    static final Duration SUPERSEDED_GRACE = Duration.ofSeconds(10);

    private static final Comparator<Entry> BY_EXPIRY =
            Comparator.comparing((Entry e) -> e.association.expiryTime()).thenComparingLong(e -> e.sequence);

    private final Clock clock;
    private final int capacity;
    private final Map<String, Entry> bySessionId = new ConcurrentHashMap<>();
    /** Client-side SAs per server, newest first; each list is replaced, never changed. */
    private final Map<HostPort, List<Entry>> byPeer = new ConcurrentHashMap<>();
    /** Guarded by {@code this}. */
    private final TreeSet<Entry> byExpiry = new TreeSet<>(BY_EXPIRY);
    /** Replaced client SAs, oldest first, destroyed once their grace is over. Guarded by {@code this}. */
    private final ArrayDeque<Entry> superseded = new ArrayDeque<>();
    /** Guarded by {@code this}. */
    private long sequence;

    AssociationStore(Clock clock, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("maxAssociations must be at least 1, got " + capacity);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.capacity = capacity;
    }

    /**
     * The live SA with this session id, whichever role this agent holds it in: for listing and diagnostics. A
     * TLS server resumes with {@link #bySessionId(byte[], Role)} only.
     */
    public Optional<SecurityAssociation> bySessionId(byte[] sessionId) {
        return live(entry(sessionId));
    }

    /** The live SA with this session id if this agent holds it in {@code role}. */
    public Optional<SecurityAssociation> bySessionId(byte[] sessionId, Role role) {
        Entry entry = entry(sessionId);
        return entry != null && entry.role == role ? live(entry) : Optional.empty();
    }

    private Entry entry(byte[] sessionId) {
        if (sessionId == null || sessionId.length == 0) {
            return null;
        }
        return bySessionId.get(HexFormat.of().formatHex(sessionId));
    }

    /**
     * Client side: the newest SA this agent obtained as a client ({@link Role#CLIENT}) for the TLS server at
     * {@code server} (as the SA's server address names it) that is still
     * {@linkplain SecurityAssociation#offeredUntil() offered}.
     */
    public Optional<SecurityAssociation> byPeer(HostPort server) {
        return byPeer(server, null);
    }

    /**
     * As {@link #byPeer(HostPort)}, among the SAs whose suite is in {@code suites} (a client connection's enabled
     * suites; null: any suite).
     */
    public Optional<SecurityAssociation> byPeer(HostPort server, Collection<String> suites) {
        List<Entry> entries = byPeer.get(server);
        if (entries == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        for (Entry e : entries) {
            SecurityAssociation sa = e.association;
            if (now.isBefore(sa.offeredUntil()) && !sa.isDestroyed()
                    && (suites == null || suites.contains(sa.cipherSuite()))) {
                return Optional.of(sa);
            }
        }
        return Optional.empty();
    }

    /** Every live SA held, either side, for listing; the store still owns them (do not destroy them). */
    public List<SecurityAssociation> held() {
        Instant now = clock.instant();
        return bySessionId.values().stream().map(e -> e.association)
                .filter(sa -> !sa.isExpired(now) && !sa.isDestroyed()).toList();
    }

    /** Every live SA held in {@code role}; the store still owns them (do not destroy them). */
    public List<SecurityAssociation> held(Role role) {
        Instant now = clock.instant();
        return bySessionId.values().stream().filter(e -> e.role == role).map(e -> e.association)
                .filter(sa -> !sa.isExpired(now) && !sa.isDestroyed()).toList();
    }

    /** How many SAs are held, including expired ones not yet swept. */
    public int size() {
        return bySessionId.size();
    }

    /** Whether an SA with this session id is held (live or not yet swept). */
    boolean holds(String sessionIdHex) {
        return bySessionId.containsKey(sessionIdHex);
    }

    /**
     * Adds an SA, taking ownership of its secret. Refused (false, and the SA left as it is) if it is
     * already expired or its session id is already held. When full, first sweeps, then evicts the
     * soonest-expiring SAs. A client SA replaces those held for the same server and suite (see the class comment).
     *
     * @param role the role this agent received it in (a client's SA is also found by {@link #byPeer})
     */
    synchronized boolean put(SecurityAssociation sa, Role role) {
        Instant now = clock.instant();
        if (sa.isExpired(now) || sa.isDestroyed() || bySessionId.containsKey(sa.sessionIdHex())) {
            return false;
        }
        destroySuperseded(now);
        if (bySessionId.size() >= capacity) {
            sweep(now);
        }
        while (bySessionId.size() >= capacity) {
            remove(byExpiry.first());
        }
        Entry entry = new Entry(sa, role, sequence++);
        bySessionId.put(sa.sessionIdHex(), entry);
        byExpiry.add(entry);
        if (role == Role.CLIENT) {
            Instant graceOver = now.plus(SUPERSEDED_GRACE);
            sa.server().address().ifPresent(peer -> byPeer.compute(peer, (k, old) -> {
                List<Entry> list = new ArrayList<>(old == null ? 1 : old.size() + 1);
                list.add(entry);
                if (old != null) {
                    for (Entry held : old) {
                        if (held.association.cipherSuite().equals(sa.cipherSuite())
                                && !held.association.expiryTime().isAfter(sa.expiryTime())) {
                            held.graceOver = graceOver;
                            superseded.add(held);
                        } else {
                            list.add(held);
                        }
                    }
                }
                return List.copyOf(list);
            }));
        }
        return true;
    }

    /** Destroys the replaced client SAs whose grace is over (they are in no peer list any more). */
    private void destroySuperseded(Instant now) {
        while (!superseded.isEmpty() && !now.isBefore(superseded.peekFirst().graceOver)) {
            Entry entry = superseded.pollFirst();
            if (bySessionId.get(entry.association.sessionIdHex()) == entry) {
                remove(entry);
            }
        }
    }

    /** Removes and destroys every SA expired at the store's clock; returns how many. */
    int sweep() {
        return sweep(clock.instant());
    }

    private synchronized int sweep(Instant now) {
        int n = 0;
        while (!byExpiry.isEmpty() && byExpiry.first().association.isExpired(now)) {
            remove(byExpiry.first());
            n++;
        }
        destroySuperseded(now);
        return n;
    }

    /**
     * Removes and destroys the SA with this session id, if held: for an SA its peer no longer holds (the
     * TLS server did not resume it), so that the next handshake asks the key server for a fresh one.
     */
    public synchronized boolean remove(String sessionIdHex) {
        destroySuperseded(clock.instant());
        Entry entry = bySessionId.get(sessionIdHex);
        if (entry == null) {
            return false;
        }
        remove(entry);
        return true;
    }

    /** Removes and destroys every SA. */
    synchronized void clear() {
        while (!byExpiry.isEmpty()) {
            remove(byExpiry.first());
        }
        superseded.clear();
    }

    private void remove(Entry entry) {
        SecurityAssociation sa = entry.association;
        byExpiry.remove(entry);
        bySessionId.remove(sa.sessionIdHex(), entry);
        if (entry.role == Role.CLIENT) {
            sa.server().address().ifPresent(peer -> byPeer.computeIfPresent(peer, (k, old) -> {
                List<Entry> list = new ArrayList<>(old);
                list.remove(entry);
                return list.isEmpty() ? null : List.copyOf(list);
            }));
        }
        sa.destroy();
    }

    /** One held SA: insertion order breaks expiry ties, so that equal SAs still sort apart. */
    private static final class Entry {
        final SecurityAssociation association;
        final Role role;
        final long sequence;
        /** When a replaced client SA is destroyed; null while it is not replaced. Guarded by the store. */
        Instant graceOver;

        Entry(SecurityAssociation association, Role role, long sequence) {
            this.association = association;
            this.role = role;
            this.sequence = sequence;
        }
    }

    private Optional<SecurityAssociation> live(Entry entry) {
        if (entry == null || entry.association.isExpired(clock.instant()) || entry.association.isDestroyed()) {
            return Optional.empty();
        }
        return Optional.of(entry.association);
    }
}
