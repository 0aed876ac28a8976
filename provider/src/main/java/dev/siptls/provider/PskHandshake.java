package dev.siptls.provider;

import java.util.Arrays;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsSecret;

/**
 * What one Bouncy Castle peer of a {@link Tls13PskEngine}, client or server, holds and learns in its handshake: its
 * own copy of the PSK as a BC secret (destroyed once the handshake ends either way), whether it completed, and the
 * ALPN protocol. Client and server extend different BC classes; this is what they share.
 */
final class PskHandshake {

    private final ExternalPsk psk;
    private TlsSecret key;
    private volatile boolean complete;
    private volatile String applicationProtocol;

    PskHandshake(ExternalPsk psk) {
        this.psk = psk;
    }

    /** The PSK as BC offers or accepts it, made from a fresh copy of its key; the copy read is zeroed. */
    synchronized BasicTlsPSKExternal external(TlsCrypto crypto) {
        byte[] bytes = psk.key();
        try {
            destroyKey();
            key = crypto.createSecret(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        return new BasicTlsPSKExternal(psk.identity(), key, psk.suite().prfAlgorithm());
    }

    /** BC reported the handshake complete: the negotiated ALPN protocol ("" for none) is known; the key goes. */
    void completed(TlsContext context) {
        ProtocolName selected = context.getSecurityParametersConnection().getApplicationProtocol();
        applicationProtocol = selected == null ? "" : selected.getUtf8Decoding();
        complete = true;
        destroyKey();
    }

    /** A server chose this ALPN protocol, before the handshake completes. */
    void chose(String protocol) {
        applicationProtocol = protocol;
    }

    boolean complete() {
        return complete;
    }

    /** The negotiated ALPN protocol: null while not known, "" when none. */
    String applicationProtocol() {
        return applicationProtocol;
    }

    /** Destroys this connection's copy of the PSK; idempotent. */
    synchronized void destroyKey() {
        if (key != null) {
            key.destroy();
            key = null;
        }
    }
}
