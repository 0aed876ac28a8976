package dev.siptls.provider;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSessionContext;
import org.bouncycastle.jsse.BCExtendedSSLSession;

/**
 * Client side: the SA-made session a connection offers, found before its handshake starts, and what follows when
 * the server does not resume it.
 *
 * <p>Why before the handshake: BCJSSE looks a client session up under its session-cache lock, and the first SA
 * for a peer may take a key-server round trip; waiting there stalled every other handshake of the context. So the
 * connection asks here, outside any lock, with the suites it offers, and hands the session to BCJSSE with
 * {@code setBCSessionToResume}, which BCJSSE prefers to its cache. Without an SA the connection offers what
 * BCJSSE's own cache holds (a native session, bounded by the SA lifetime) or nothing.
 *
 * <p>Why forget on any non-resumption: a server that answers an offered SA with another session, a fatal alert or
 * a closed connection no longer holds it (it restarted) or refuses it; offering it again would fail the same way
 * until it expires. Forgetting it makes the next connection ask the key server for a fresh one.
 */
final class ClientOffers {

    private static final System.Logger LOG = System.getLogger(ClientOffers.class.getName());

    /** The session a connection offers, for the SA with this id (hex). */
    record Offer(BCExtendedSSLSession session, String associationId) {
        boolean resumedBy(byte[] sessionId) {
            return sessionId != null && Arrays.equals(session.getId(), sessionId);
        }
    }

    private final AssociationSessions sessions;
    private final BcjsseSessionBridge bridge;
    private final SSLSessionContext clientContext;
    private final AssociationSource source;
    private final ProviderStatistics statistics;

    ClientOffers(AssociationSessions sessions, BcjsseSessionBridge bridge, SSLSessionContext clientContext,
                 AssociationSource source, ProviderStatistics statistics) {
        this.sessions = sessions;
        this.bridge = bridge;
        this.clientContext = clientContext;
        this.source = source;
        this.statistics = statistics;
    }

    /**
     * The session to offer to {@code host:port} on a connection that offers {@code enabledSuites}, or {@code null}
     * (a full handshake, or a native resumption). May wait for the key server; under {@code fallback=fail} throws
     * the {@link RefusedHandshakeException} that refuses the connection.
     */
    Offer find(String host, int port, String[] enabledSuites) throws SSLHandshakeException {
        if (host == null || host.isEmpty() || port <= 0) {
            return null;
        }
        return sessions.forClient(host.toLowerCase(Locale.ROOT), port, List.of(enabledSuites))
                .map(s -> {
                    BCExtendedSSLSession session = bridge.clientSession(clientContext, s);
                    return session == null ? null : new Offer(session, s.associationId());
                })
                .orElse(null);
    }

    /**
     * Whether {@link #find} for {@code host:port} may wait for the key server (no SA held, one can be asked for), so
     * that an engine runs it as a delegated task rather than on its caller's thread.
     */
    boolean mayWait(String host, int port, String[] enabledSuites) {
        if (host == null || host.isEmpty() || port <= 0) {
            return false;
        }
        try {
            return source.mayWait(host.toLowerCase(Locale.ROOT), port, List.of(enabledSuites));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The connection that offered {@code offer} ended its handshake without resuming it ({@code how}). */
    void notResumed(Offer offer, String how) {
        statistics.associationDeclined();
        LOG.log(System.Logger.Level.DEBUG, "SA {0} not resumed by its server ({1}): forgotten",
                offer.associationId(), how);
        try {
            source.declined(offer.associationId());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "association source failed to take a declined report", e);
        }
    }
}
