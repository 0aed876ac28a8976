package dev.siptls.provider;

import org.bouncycastle.tls.TlsSession;

/**
 * A TLS session freshly built from a security association for one handshake, and how BCJSSE should
 * present it ({@code SSLSession.getPeerHost()}, endpoint identification).
 *
 * @param tlsSession           resumable, owned by this one lookup
 * @param peerHost             the peer's host, or {@code null}
 * @param peerPort             the peer's port, or -1
 * @param creationTime         the SA's creation time, epoch milliseconds
 * @param endpointIdAlgorithm  the endpoint identification already verified for this session, e.g.
 *                             {@code "HTTPS"}, or {@code null}: BCJSSE resumes it only on connections
 *                             that ask for the same one or none
 * @param associationId        the SA's session id in hex, which the session carries as its
 *                             {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION} value
 */
record ResumableSession(TlsSession tlsSession, String peerHost, int peerPort, long creationTime,
                        String endpointIdAlgorithm, String associationId) implements AssociationSession {
}
