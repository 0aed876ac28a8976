package dev.siptls.provider;

import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Counts completed handshakes, and among them those that completed on a session built from a security
 * association (it carries {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION}): the SIP resumptions.
 *
 * <p>Engines report completion synchronously ({@link SipTlsEngine}); sockets through a
 * {@code HandshakeCompletedListener}, which BCJSSE calls on a short-lived thread of its own, so a socket's
 * count may trail its handshake by a moment.
 */
final class HandshakeObserver {

    private final ProviderStatistics statistics;
    private final HandshakeCompletedListener listener;

    HandshakeObserver(ProviderStatistics statistics) {
        this.statistics = statistics;
        this.listener = event -> completed(event.getSession(), event.getSocket().getUseClientMode());
    }

    void completed(SSLSession session, boolean client) {
        statistics.completed(client, isSip(session));
    }

    /** Watches a socket's handshakes. */
    SSLSocket watch(SSLSocket socket) {
        socket.addHandshakeCompletedListener(listener);
        return socket;
    }

    /** Whether {@code session} was built from a security association. */
    static boolean isSip(SSLSession session) {
        return session != null && session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION) != null;
    }
}
