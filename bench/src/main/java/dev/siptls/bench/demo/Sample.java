package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Topology.Link;

/**
 * One measured TLS connection: TCP connect, handshake and a one-byte echo, seen from the client.
 *
 * @param link            which client application connected to which server
 * @param round           1 for a link's first connection, 2.. for later ones
 * @param wallNanos       what the client waited
 * @param tlsCpuNanos     CPU time of the client's and the server's TLS threads
 * @param allCpuNanos     CPU time of all Java threads meanwhile: also the SIP agents' and the key server's
 * @param tlsSignatures   private keys the two TLS peers used in this handshake (0: abbreviated)
 * @param tlsChains       certificate chains their trust managers verified for it
 * @param sessionId       the TLS session id, hex
 * @param protocol        the TLS version the client's session negotiated, e.g. {@code TLSv1.3}
 */
record Sample(Link link, int round, long wallNanos, long tlsCpuNanos, long allCpuNanos, long tlsSignatures,
        long tlsChains, String sessionId, String protocol) {

    /** No private key used: a resumed handshake, or a SIP-TLS one (TLS 1.2 resumption or TLS 1.3 PSK). */
    boolean abbreviated() {
        return tlsSignatures == 0;
    }
}
