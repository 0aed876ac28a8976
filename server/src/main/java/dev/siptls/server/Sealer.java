package dev.siptls.server;

import dev.siptls.protocol.SealedBody;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Seals SA bodies to the agent they are for ({@link SealedBody}). For EC recipients the key server's
 * ephemeral key of a curve lives for at most a second (an epoch), and so does the AES key agreed with each
 * recipient in it: a busy TLS server agent costs one key agreement a second, not one per SA. When an epoch
 * ends its keys are forgotten and the agreed keys zeroed, so a sealed body kept in the SIP stack's memory
 * cannot be opened with anything the key server still holds. Thread-safe: sealing runs on every thread that
 * handles an INVITE, each with its own copy of an agreed key, zeroed after use.
 */
final class Sealer {

    private static final long EPOCH_NANOS = 1_000_000_000L;
    /** Agreed keys kept per epoch at most; past that, a recipient's key is agreed again for each SA. */
    private static final int MAX_AGREED = 10_000;
    /** ECDH on P-256 is several times faster in Bouncy Castle than in the JDK 17 provider. */
    private static final Provider AGREEMENTS = new BouncyCastleProvider();

    private final SecureRandom random;
    private final Map<BigInteger, Epoch> epochs = new ConcurrentHashMap<>();

    Sealer(SecureRandom random) {
        this.random = random;
    }

    /** {@code plaintext} sealed to the key of {@code recipient}, the certificate its connection was authenticated with. */
    byte[] seal(byte[] plaintext, X509Certificate recipient) throws GeneralSecurityException {
        PublicKey key = recipient.getPublicKey();
        if (key instanceof RSAPublicKey rsa) {
            return SealedBody.sealToRsa(plaintext, rsa, random);
        }
        if (!(key instanceof ECPublicKey ec)) {
            throw new GeneralSecurityException("cannot seal to a " + key.getAlgorithm() + " key");
        }
        Epoch epoch = epoch(ec);
        byte[] agreed = epoch.agreedWith(ec);
        try {
            return SealedBody.sealToEc(plaintext, epoch.publicKey, agreed, random);
        } finally {
            Arrays.fill(agreed, (byte) 0);
        }
    }

    private Epoch epoch(ECPublicKey recipient) throws GeneralSecurityException {
        long now = System.nanoTime();
        BigInteger curve = recipient.getParams().getOrder();
        Epoch epoch = epochs.get(curve);
        if (epoch != null && !epoch.over(now)) {
            return epoch;
        }
        Epoch fresh = new Epoch(SealedBody.ephemeralFor(recipient, random), now);
        // One successor per epoch, whichever thread saw it end first; the loser's key pair is dropped unused.
        Epoch current = epochs.compute(curve, (k, old) -> old == null || old.over(now) ? fresh : old);
        if (current == fresh && epoch != null) {
            epoch.forget();
        }
        return current;
    }

    /** Forgets the epochs past their second, so none outlives it by more than a sweep. */
    void forgetExpired() {
        long now = System.nanoTime();
        epochs.values().removeIf(epoch -> {
            if (epoch.over(now)) {
                epoch.forget();
                return true;
            }
            return false;
        });
    }

    /**
     * One ephemeral key pair and the AES keys agreed with it. Hands out copies, so that forgetting (zeroing) its
     * keys never pulls a key from under a thread still sealing with it; once forgotten it agrees afresh for each
     * caller and keeps nothing.
     */
    private static final class Epoch {
        final KeyPair keys;
        final byte[] publicKey;
        final long since;
        private final Map<ByteBuffer, byte[]> agreed = new java.util.HashMap<>();
        private boolean forgotten;

        Epoch(KeyPair keys, long since) {
            this.keys = keys;
            this.publicKey = keys.getPublic().getEncoded();
            this.since = since;
        }

        boolean over(long now) {
            return now - since > EPOCH_NANOS;
        }

        /** A copy of the key agreed with {@code recipient} in this epoch: the caller zeroes it. */
        byte[] agreedWith(ECPublicKey recipient) throws GeneralSecurityException {
            ByteBuffer id = ByteBuffer.wrap(recipient.getEncoded());
            synchronized (this) {
                byte[] key = agreed.get(id);
                if (key != null) {
                    return key.clone();
                }
            }
            // The agreement itself outside the lock: other recipients' sealing need not wait for it.
            byte[] key = SealedBody.agreedKey(keys.getPrivate(), publicKey, recipient, AGREEMENTS);
            synchronized (this) {
                byte[] raced = agreed.get(id);
                if (raced != null) {
                    Arrays.fill(key, (byte) 0);
                    return raced.clone();
                }
                if (!forgotten && agreed.size() < MAX_AGREED) {
                    agreed.put(id, key);
                    return key.clone();
                }
            }
            return key;
        }

        synchronized void forget() {
            forgotten = true;
            agreed.values().forEach(k -> Arrays.fill(k, (byte) 0));
            agreed.clear();
        }
    }
}
