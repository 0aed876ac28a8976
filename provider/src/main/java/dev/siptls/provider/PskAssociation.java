package dev.siptls.provider;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A TLS 1.3 SA made ready for one PSK handshake: its external PSK, a fresh copy, and the peer as the connection
 * names it.
 *
 * @param psk           the PSK, its suite and the SA's certificate chains (already judged by the trust manager)
 * @param peerHost      the peer's host, or {@code null}
 * @param peerPort      the peer's port, or -1
 * @param associationId the SA's session id in hex; the PSK identity is its ASCII form
 */
record PskAssociation(ExternalPsk psk, String peerHost, int peerPort, String associationId)
        implements AssociationSession {

    private static final int SESSION_ID_HEX_LENGTH = 64;

    /**
     * The SA session id a PSK identity names (the ASCII hex of the id, docs/PROTOCOL.md), or {@code null} if the
     * identity is not of that form, so that no lookup is made for it.
     */
    static byte[] sessionIdOf(byte[] identity) {
        if (identity.length != SESSION_ID_HEX_LENGTH) {
            return null;
        }
        for (byte b : identity) {
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                return null;
            }
        }
        return HexFormat.of().parseHex(new String(identity, StandardCharsets.US_ASCII));
    }
}
