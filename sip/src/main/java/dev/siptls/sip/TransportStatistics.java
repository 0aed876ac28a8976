package dev.siptls.sip;

/**
 * What a listening endpoint's transport has done to keep one peer from costing the others.
 *
 * @param openConnections accepted TLS connections open now
 * @param failedHandshakes TLS handshakes that failed (an untrusted or missing client certificate, say)
 * @param slowPeersClosed connections closed because their peer stopped reading
 * @param idleClosed connections closed for carrying no registration too long
 * @param reusedAddressesRefused connections refused because one from the same address had just closed
 */
public record TransportStatistics(int openConnections, long failedHandshakes, long slowPeersClosed,
        long idleClosed, long reusedAddressesRefused) {
}
