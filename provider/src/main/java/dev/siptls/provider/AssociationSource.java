package dev.siptls.provider;

import dev.siptls.protocol.SecurityAssociation;

import java.util.List;
import java.util.Optional;

/**
 * Where the SIP-TLS session caches read security associations from; the SIP agent implements it.
 *
 * <p>It exists so that the SAs stay outside the TLS engine: BCJSSE destroys a cached session's master
 * secret whenever a resumption with it fails, and anyone who saw the (cleartext) session ID can make one
 * fail. So instead of handing SAs to BCJSSE once, its caches read through to this source each time a
 * handshake looks a session up, and build a fresh session from the SA, which thus survives forged
 * resumptions and serves every connection until it expires; much as Conscrypt's
 * {@code SSLServerSessionCache} lets a server resume sessions it never saw. A server's lookup by id runs
 * inside BCJSSE's session-cache lock, so it answers from memory; a client's lookup for a peer runs before the
 * handshake, outside any lock, and may wait for the key server. Returned SAs are read, never
 * destroyed; the caller zeroes its copies of the master secret.
 */
public interface AssociationSource {

    /** Server side: the SA with this session id, if live. */
    Optional<SecurityAssociation> bySessionId(byte[] sessionId);

    /**
     * Client side: a live SA for {@code host:port}, asking the key server for one if needed, waiting at
     * most the configured bound; empty if none can be had (the reason goes to the listener).
     *
     * @param host the host as the application named it, lower-cased (BCJSSE's cache key)
     */
    Optional<SecurityAssociation> forPeer(String host, int port);

    /**
     * Client side, as {@link #forPeer(String, int)} for a connection that offers only {@code offeredSuites}: an SA
     * of another suite is of no use to it, so a source that can ask for SAs asks for one of these suites.
     */
    default Optional<SecurityAssociation> forPeer(String host, int port, List<String> offeredSuites) {
        return forPeer(host, port).filter(sa -> offeredSuites.contains(sa.cipherSuite()));
    }

    /**
     * Client side: whether {@link #forPeer(String, int, List)} would wait (for the key server) rather than answer
     * from memory. Answers from memory; false by default.
     */
    default boolean mayWait(String host, int port, List<String> offeredSuites) {
        return false;
    }

    /** Client side: the live SA with this session id held as the TLS client, for {@code getSession(id)}. */
    default Optional<SecurityAssociation> clientBySessionId(byte[] sessionId) {
        return Optional.empty();
    }

    /** The session ids of the live TLS 1.2 SAs held as the TLS client ({@code client}) or server, for {@code getIds()}. */
    default List<byte[]> sessionIds(boolean client) {
        return List.of();
    }

    /**
     * The application invalidated the session of the SA with this session id (hex): a source forgets it, so that
     * it is neither offered nor resumed again. Does nothing by default.
     */
    default void invalidated(String sessionIdHex) {
    }

    /**
     * An SA this source returned that the provider did not use, so that the handshake falls back to a
     * full one: expired, not TLS 1.2, or a certificate chain the application's trust manager refused.
     * The reason names no secret. Does nothing by default.
     */
    default void notUsed(SecurityAssociation association, String reason) {
    }

    /**
     * Client side: the server did not resume the SA with this session id (hex): it answered with another session,
     * a fatal alert or a closed connection, so it no longer holds it (its agent restarted) or refused it. A source forgets it, so that the next handshake gets a fresh SA
     * instead of falling back again until the stale one expires. Does nothing by default.
     */
    default void declined(String sessionIdHex) {
    }
}
