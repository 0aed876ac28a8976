package dev.siptls.server;

import dev.siptls.protocol.SealedBody;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Seals SA bodies to the agent they are for ({@link SealedBody}). The ephemeral EC key of a curve is reused for
 * at most a second and then forgotten, so that sealing costs one key agreement, not a key generation too, and
 * a sealed body kept in the SIP stack's memory cannot be opened with anything the key server still holds.
 */
final class Sealer {

    private static final long EPOCH_NANOS = 1_000_000_000L;

    private final SecureRandom random;
    private final Map<BigInteger, Epoch> epochs = new ConcurrentHashMap<>();

    Sealer(SecureRandom random) {
        this.random = random;
    }

    /** {@code plaintext} sealed to the key of {@code recipient}, the certificate its connection was authenticated with. */
    byte[] seal(byte[] plaintext, X509Certificate recipient) throws GeneralSecurityException {
        PublicKey key = recipient.getPublicKey();
        KeyPair ephemeral = key instanceof ECPublicKey ec ? ephemeral(ec) : null;
        return SealedBody.seal(plaintext, key, ephemeral, random);
    }

    private KeyPair ephemeral(ECPublicKey recipient) throws GeneralSecurityException {
        long now = System.nanoTime();
        BigInteger curve = recipient.getParams().getOrder();
        Epoch epoch = epochs.get(curve);
        if (epoch == null || now - epoch.since > EPOCH_NANOS) {
            epoch = new Epoch(SealedBody.ephemeralFor(recipient, random), now);
            epochs.put(curve, epoch);
        }
        return epoch.keys;
    }

    /** Forgets the ephemeral keys older than an epoch, so none outlives its second by more than a sweep. */
    void forgetExpired() {
        long now = System.nanoTime();
        epochs.values().removeIf(epoch -> now - epoch.since > EPOCH_NANOS);
    }

    private record Epoch(KeyPair keys, long since) {
    }
}
