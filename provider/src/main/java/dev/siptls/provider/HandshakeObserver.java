package dev.siptls.provider;

import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Counts completed handshakes, and among them those that completed on a session built from a security
 * association (it carries {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION}): the SIP resumptions; and passes the
 * enabled suites of each server connection that starts a handshake on to the provider's server policy.
 *
 * <p>Engines ({@link SipTlsEngine}) and sockets ({@link SipTlsSocket}) report completion synchronously, on
 * the thread that completed the handshake: not through a {@code HandshakeCompletedListener}, which BCJSSE
 * calls on a new thread per handshake.
 */
final class HandshakeObserver {

    private final ProviderStatistics statistics;
    private final Consumer<String[]> serverSuites;

    HandshakeObserver(ProviderStatistics statistics) {
        this(statistics, enabled -> { });
    }

    /** @param serverSuites hears the enabled suites of each server connection that starts a handshake */
    HandshakeObserver(ProviderStatistics statistics, Consumer<String[]> serverSuites) {
        this.statistics = statistics;
        this.serverSuites = serverSuites;
    }

    /** A server connection with these enabled suites may run its handshake now ({@link ContextSupport}). */
    void serverHandshaking(String[] enabledSuites) {
        serverSuites.accept(enabledSuites);
    }

    void completed(SSLSession session, boolean client) {
        statistics.completed(client, isSip(session));
    }

    /** The socket as SIP-TLS hands it out: reporting its handshake here. */
    SSLSocket watch(SSLSocket socket) {
        return new SipTlsSocket(socket, this);
    }

    /** Whether {@code session} was built from a security association. */
    static boolean isSip(SSLSession session) {
        return session != null && session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION) != null;
    }
}
