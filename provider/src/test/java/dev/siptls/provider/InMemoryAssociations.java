package dev.siptls.provider;

import dev.siptls.protocol.SecurityAssociation;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the SIP agent's SA store: it answers with whatever SAs the test gave it, expired
 * ones included (the bridge must check), and records what it was asked and told.
 */
class InMemoryAssociations implements AssociationSource {

    private final Map<String, SecurityAssociation> byId = new ConcurrentHashMap<>();
    private final Map<String, SecurityAssociation> byPeer = new ConcurrentHashMap<>();
    final AtomicInteger idLookups = new AtomicInteger();
    final AtomicInteger peerLookups = new AtomicInteger();
    final List<String> notUsedReasons = new CopyOnWriteArrayList<>();
    final List<String> declined = new CopyOnWriteArrayList<>();

    /** Server side: answer lookups of this SA's session id. */
    InMemoryAssociations serving(SecurityAssociation sa) {
        byId.put(sa.sessionIdHex(), sa);
        return this;
    }

    /** Client side: answer lookups of {@code host:port} with this SA. */
    InMemoryAssociations offering(String host, int port, SecurityAssociation sa) {
        byPeer.put(key(host, port), sa);
        return this;
    }

    @Override
    public Optional<SecurityAssociation> bySessionId(byte[] sessionId) {
        idLookups.incrementAndGet();
        return Optional.ofNullable(byId.get(HexFormat.of().formatHex(sessionId)));
    }

    @Override
    public Optional<SecurityAssociation> forPeer(String host, int port) {
        peerLookups.incrementAndGet();
        return Optional.ofNullable(byPeer.get(key(host, port)));
    }

    @Override
    public void notUsed(SecurityAssociation association, String reason) {
        notUsedReasons.add(reason);
    }

    @Override
    public void declined(String sessionIdHex) {
        declined.add(sessionIdHex);
    }

    private static String key(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
