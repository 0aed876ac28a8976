package dev.siptls.provider;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import org.bouncycastle.jsse.BCExtendedSSLSession;

/**
 * Client side: what a connection offers, found before its handshake starts (a TLS 1.3 SA's PSK, which the PSK
 * engine runs, or a TLS 1.2 SA's session, which BCJSSE resumes), and what follows when the server does not take it.
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

    /** The protocols of a connection that offers a TLS 1.2 SA: offering TLS 1.3 too, a server would not resume it. */
    static final String[] TLS12_ONLY = {"TLSv1.2"};

    /**
     * What a connection offers for the SA with this id (hex): a TLS 1.2 session for BCJSSE to resume, or a TLS 1.3
     * PSK for the PSK engine; exactly one of the two.
     */
    record Offer(BCExtendedSSLSession session, PskAssociation psk, String associationId) {

        /** Whether the handshake that completed with {@code completed} used this offer. */
        boolean resumedBy(SSLSession completed) {
            if (psk != null) {
                return HandshakeObserver.isSip(completed); // the PSK engine completes only with the PSK
            }
            return completed != null && Arrays.equals(session.getId(), completed.getId());
        }
    }

    private final AssociationSessions sessions;
    private final BcjsseSessionBridge bridge;
    private final SSLSessionContext clientContext;
    private final AssociationSource source;
    private final ProviderStatistics statistics;
    private final PskEngines psks;

    ClientOffers(AssociationSessions sessions, BcjsseSessionBridge bridge, SSLSessionContext clientContext,
                 AssociationSource source, ProviderStatistics statistics, PskEngines psks) {
        this.psks = psks;
        this.sessions = sessions;
        this.bridge = bridge;
        this.clientContext = clientContext;
        this.source = source;
        this.statistics = statistics;
    }

    /**
     * What to offer to {@code host:port} on a connection with these parameters, or {@code null} (a full handshake,
     * or a native resumption). May wait for the key server; under {@code fallback=fail} throws the
     * {@link RefusedHandshakeException} that refuses the connection.
     */
    Offer find(String host, int port, SSLParameters connection) throws SSLHandshakeException {
        if (host == null || host.isEmpty() || port <= 0) {
            return null;
        }
        return sessions.forClient(host.toLowerCase(Locale.ROOT), port,
                        EnabledVersions.usableSuites(connection.getCipherSuites(), connection.getProtocols()),
                        connection.getEndpointIdentificationAlgorithm())
                .map(found -> {
                    if (found instanceof PskAssociation psk) {
                        return new Offer(null, psk, psk.associationId());
                    }
                    BCExtendedSSLSession session = bridge.clientSession(clientContext, (ResumableSession) found);
                    return session == null ? null : new Offer(session, null, found.associationId());
                })
                .orElse(null);
    }

    /** The PSK engine that runs a connection's handshake with {@code offer}'s TLS 1.3 PSK. */
    SSLEngine engine(Offer offer, SSLParameters parameters, String host, int port) {
        return psks.clientEngine(offer.psk(), parameters, host, port);
    }

    /**
     * Whether {@link #find} for {@code host:port} may wait for the key server (no SA held, one can be asked for), so
     * that an engine runs it as a delegated task rather than on its caller's thread.
     */
    boolean mayWait(String host, int port, String[] enabledSuites, String[] enabledProtocols) {
        if (host == null || host.isEmpty() || port <= 0) {
            return false;
        }
        try {
            return source.mayWait(host.toLowerCase(Locale.ROOT), port, EnabledVersions.usableSuites(enabledSuites, enabledProtocols));
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
