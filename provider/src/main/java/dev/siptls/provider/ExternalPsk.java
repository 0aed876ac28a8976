package dev.siptls.provider;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.Destroyable;

/**
 * A TLS 1.3 external PSK (RFC 8446 §2.2) as a SIP-TLS security association carries it: identity, key, the one
 * suite it is bound to, and the peers' chains, which the caller has already validated and which become the
 * session's certificates (with a PSK none travel). The key is a copy, zeroed by {@link #destroy()}; a failed or
 * forged handshake never touches it, since each connection works on its own copy.
 */
final class ExternalPsk implements Destroyable {

    private final byte[] identity;
    private final byte[] key;
    private final Tls13Suite suite;
    private final List<X509Certificate> peerChain;
    private final List<X509Certificate> localChain;
    private final long creationTime;
    private volatile boolean destroyed;

    /**
     * @param suiteName the TLS 1.3 suite's IANA name, e.g. {@code TLS_AES_128_GCM_SHA256}
     * @param creationTime when the association was made (milliseconds since the epoch): the session's creation time
     * @throws IllegalArgumentException for an unknown suite, an empty identity, or a key whose length is not the
     *         suite's hash length (32 bytes for SHA-256 suites, 48 for SHA-384)
     */
    ExternalPsk(byte[] identity, byte[] key, String suiteName, List<X509Certificate> peerChain,
            List<X509Certificate> localChain, long creationTime) {
        this.suite = Tls13Suite.named(suiteName)
                .orElseThrow(() -> new IllegalArgumentException("not a TLS 1.3 suite SIP-TLS uses: " + suiteName));
        if (identity.length == 0 || identity.length > 0xFFFF) {
            throw new IllegalArgumentException("a PSK identity has 1 to 65535 bytes, not " + identity.length);
        }
        if (key.length != suite.pskLength()) {
            throw new IllegalArgumentException(suiteName + " needs a " + suite.pskLength() + "-byte PSK, not "
                    + key.length + " bytes");
        }
        this.identity = identity.clone();
        this.key = key.clone();
        this.peerChain = List.copyOf(peerChain);
        this.localChain = List.copyOf(localChain);
        this.creationTime = creationTime;
    }

    byte[] identity() {
        return identity.clone();
    }

    /** Whether {@code candidate} is this PSK's identity. */
    boolean hasIdentity(byte[] candidate) {
        return Arrays.equals(identity, candidate);
    }

    /** A copy of the key, which the caller zeroes when done. */
    byte[] key() {
        if (destroyed) {
            throw new IllegalStateException("the PSK was destroyed");
        }
        return key.clone();
    }

    Tls13Suite suite() {
        return suite;
    }

    String suiteName() {
        return suite.name();
    }

    List<X509Certificate> peerChain() {
        return peerChain;
    }

    List<X509Certificate> localChain() {
        return localChain;
    }

    long creationTime() {
        return creationTime;
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "ExternalPsk[identity=" + HexFormat.of().formatHex(identity) + ", suite=" + suite
                + (destroyed ? ", destroyed" : "") + "]";
    }
}
