package dev.siptls.provider;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Counts completed handshakes, and among them those that completed on a session built from a security
 * association (it carries {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION}): the SIP resumptions.
 *
 * <p>Engines ({@link SipTlsEngine}) and sockets ({@link SipTlsSocket}) report completion synchronously, on
 * the thread that completed the handshake: not through a {@code HandshakeCompletedListener}, which BCJSSE
 * calls on a new thread per handshake.
 */
final class HandshakeObserver {

    private final ProviderStatistics statistics;

    HandshakeObserver(ProviderStatistics statistics) {
        this.statistics = statistics;
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
