package dev.siptls.protocol;

/**
 * Proof that an agent holds the private key of a certificate chain it publishes (docs/PROTOCOL.md, "Proof
 * of possession"). In a resumed handshake no peer proves a key, so the key server vouches only for chains
 * whose key was proved to it: by the agent's own mutual-TLS connection, or by a signature over the nonce
 * the key server hands out with every {@code 200 OK} to REGISTER, in this header.
 */
public final class PossessionProof {

    /** The REGISTER {@code 200 OK} header carrying the registration's nonce, base64. */
    public static final String CHALLENGE_HEADER = "SipTls-Challenge";

    private PossessionProof() {
    }
}
