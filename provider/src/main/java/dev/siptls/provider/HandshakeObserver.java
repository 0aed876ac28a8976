package dev.siptls.provider;

import java.util.function.Consumer;
import javax.net.ssl.SSLSession;

/**
 * What the connections of one SIP-TLS context share: the client offers ({@link ClientOffers}), and the counts of
 * completed handshakes by how they completed: on a session built from a security association (it carries
 * {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION}: a SIP resumption), on a session created before the
 * handshake began (a native resumption), or on a new session (a full handshake); and the enabled suites of each
 * server connection that starts a handshake, for the provider's server policy.
 *
 * <p>Engines ({@link SipTlsEngine}) and sockets ({@link SipTlsSocket}) report completion synchronously, on
 * the thread that completed the handshake: not through a {@code HandshakeCompletedListener}, which BCJSSE
 * calls on a new thread per handshake.
 */
final class HandshakeObserver {

    private static final System.Logger LOG = System.getLogger(HandshakeObserver.class.getName());

    private final ProviderStatistics statistics;
    private final ClientOffers offers;
    private final PskEngines psks;
    private final Consumer<String[]> serverSuites;

    /** @param serverSuites hears the enabled suites of each server connection that starts a handshake */
    HandshakeObserver(ProviderStatistics statistics, ClientOffers offers, PskEngines psks,
                      Consumer<String[]> serverSuites) {
        this.statistics = statistics;
        this.offers = offers;
        this.psks = psks;
        this.serverSuites = serverSuites;
    }

    /** A server connection with these enabled suites may run its handshake now ({@link ContextSupport}). */
    void serverHandshaking(String[] enabledSuites, String[] enabledProtocols) {
        // a TLS 1.3 suite on a connection without TLS 1.3 serves no SA, nor a TLS 1.2 suite without TLS 1.2
        serverSuites.accept(EnabledVersions.usableSuites(enabledSuites, enabledProtocols).toArray(String[]::new));
    }

    ClientOffers offers() {
        return offers;
    }

    /** The PSK engines of server connections whose ClientHello names a TLS 1.3 SA. */
    PskEngines serverPsks() {
        return psks;
    }

    /**
     * @param startedMillis when the connection's handshake began (wall clock): a session created before was
     *                      resumed
     */
    void completed(SSLSession session, boolean client, long startedMillis) {
        ProviderStatistics.Completion how = isSip(session)
                ? "TLSv1.3".equals(session.getProtocol()) ? ProviderStatistics.Completion.SIP_PSK
                : ProviderStatistics.Completion.SIP
                : session.getCreationTime() < startedMillis ? ProviderStatistics.Completion.NATIVE
                : ProviderStatistics.Completion.FULL;
        statistics.completed(client, how);
    }

    /**
     * A server's TLS 1.3 PSK handshake ended in {@code failure} before completing: counted, and logged at DEBUG only,
     * since anyone who saw a PSK identity on the wire can send such a hello.
     */
    void serverPskFailed(Exception failure) {
        statistics.pskHandshakeRefused();
        LOG.log(System.Logger.Level.DEBUG, "a TLS 1.3 PSK handshake failed: {0}", failure.toString());
    }

    /** Whether {@code session} was built from a security association. */
    static boolean isSip(SSLSession session) {
        return session != null && session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION) != null;
    }
}
