package dev.siptls.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * A security-association body sealed to its one recipient, {@link ContentTypes#SEALED_ASSOCIATION}
 * (docs/PROTOCOL.md, "Sealed bodies"). The SIP stacks keep sent and received messages for a while (the key
 * server's stack its encoded 200 OK, TLS its decrypted records); sealed, those copies are useless to whoever
 * reads the memory later. Only the recipient's private key opens it: the key of the certificate that
 * authenticated its connection to the key server.
 *
 * <p>Layout: version (1), kind (1: ECDH on the recipient's curve, 2: RSA-OAEP-SHA256), key length (2), key
 * (the sender's ephemeral EC public key, X.509 encoded, or the RSA-wrapped AES key), nonce (12), AES-256-GCM
 * ciphertext and tag. Everything before the nonce is authenticated as associated data. For ECDH the AES key
 * is HKDF-SHA256 of the shared secret, salted with both public keys.
 */
public final class SealedBody {

    private static final byte VERSION = 1;
    private static final byte KIND_ECDH = 1;
    private static final byte KIND_RSA = 2;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_KEY = 1024;
    private static final byte[] INFO = "SIP-TLS sealed SA v1".getBytes(StandardCharsets.US_ASCII);
    private static final OAEPParameterSpec OAEP = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT);

    /**
     * One AES-GCM cipher per thread: looking one up costs more than the sealing itself. Between uses it holds
     * the key schedule of a throw-away key ({@link #forget}), not that of the last body's key.
     */
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES/GCM", e);
        }
    });
    private static final GCMParameterSpec THROW_AWAY_NONCE = new GCMParameterSpec(TAG_BITS, new byte[NONCE]);

    private SealedBody() {
    }

    /**
     * Re-initialises {@code gcm} for encryption with a random throw-away key, so that what it keeps until its next
     * use (key schedule, hash subkey, the last encryption key it checks nonces against) is that key's. Random, not
     * fixed: GCM refuses a second encryption init with the key and nonce of the one before.
     */
    private static void forget(Cipher gcm) {
        byte[] throwAway = new byte[32];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(throwAway);
        try {
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(throwAway, "AES"), THROW_AWAY_NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM refused a throw-away key", e);
        }
    }

    /**
     * Seals {@code plaintext} to an RSA {@code recipient}: a fresh AES key wrapped with RSA-OAEP. Cheap (one
     * public-key operation), so nothing is cached.
     */
    public static byte[] sealToRsa(byte[] plaintext, RSAPublicKey recipient, SecureRandom random)
            throws GeneralSecurityException {
        byte[] aes = new byte[32];
        random.nextBytes(aes);
        try {
            Cipher wrap = Cipher.getInstance("RSA/ECB/OAEPPadding");
            wrap.init(Cipher.ENCRYPT_MODE, recipient, OAEP, random);
            return seal(plaintext, KIND_RSA, wrap.doFinal(aes), aes, random);
        } finally {
            Arrays.fill(aes, (byte) 0);
        }
    }

    /**
     * Seals {@code plaintext} to an EC recipient with {@code aesKey} from {@link #agreedKey} for the sender's
     * ephemeral key {@code senderKey} (X.509-encoded) and that recipient.
     */
    public static byte[] sealToEc(byte[] plaintext, byte[] senderKey, byte[] aesKey, SecureRandom random)
            throws GeneralSecurityException {
        return seal(plaintext, KIND_ECDH, senderKey, aesKey, random);
    }

    /**
     * The AES key a sender with the ephemeral {@code senderPrivate} (whose public key encodes as
     * {@code senderKey}) and an EC {@code recipient} agree on. {@code agreements} provides ECDH (null: the
     * JDK's; Bouncy Castle's is several times faster on P-256).
     */
    public static byte[] agreedKey(PrivateKey senderPrivate, byte[] senderKey, ECPublicKey recipient,
            Provider agreements) throws GeneralSecurityException {
        return derive(senderPrivate, recipient, senderKey, recipient.getEncoded(), agreements);
    }

    private static byte[] seal(byte[] plaintext, byte kind, byte[] key, byte[] aes, SecureRandom random)
            throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        ByteBuffer head = ByteBuffer.allocate(4 + key.length).put(VERSION).put(kind).putShort((short) key.length).put(key);
        Cipher gcm = GCM.get();
        byte[] sealed;
        try {
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aes, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            gcm.updateAAD(head.array());
            sealed = gcm.doFinal(plaintext);
        } finally {
            forget(gcm);
        }
        return ByteBuffer.allocate(head.capacity() + NONCE + sealed.length).put(head.array()).put(nonce)
                .put(sealed).array();
    }

    /**
     * Opens a body sealed to the holder of {@code own}; the caller zeroes the plaintext once decoded.
     * {@code agreements} as for {@link #agreedKey}.
     */
    public static byte[] open(byte[] body, PrivateKey own, PublicKey ownPublic, Provider agreements)
            throws InvalidBodyException {
        return new Opener(own, ownPublic, agreements).open(body);
    }

    /**
     * Opens the bodies sealed to one agent. The key server reuses its ephemeral key for a second, so the key
     * agreed with the last one is kept: an agent receiving many SAs costs one key agreement a second. It is no
     * more exposed than the agent's own private key, which sits beside it.
     */
    public static final class Opener {
        private final PrivateKey own;
        private final byte[] ownKey;
        private final Provider agreements;
        private byte[] lastSender;
        private byte[] lastAgreed;

        public Opener(PrivateKey own, PublicKey ownPublic, Provider agreements) {
            this.own = own;
            this.ownKey = ownPublic.getEncoded();
            this.agreements = agreements;
        }

        /** The plaintext of {@code body}; the caller zeroes it once decoded. */
        public byte[] open(byte[] body) throws InvalidBodyException {
            if (body.length < 4 + NONCE + TAG_BITS / 8 || body[0] != VERSION) {
                throw new InvalidBodyException("not a sealed SA body of version " + VERSION);
            }
            ByteBuffer in = ByteBuffer.wrap(body);
            in.get();
            byte kind = in.get();
            int keyLength = Short.toUnsignedInt(in.getShort());
            if (keyLength == 0 || keyLength > MAX_KEY || body.length < 4 + keyLength + NONCE + TAG_BITS / 8) {
                throw new InvalidBodyException("sealed SA body with a key of " + keyLength + " bytes");
            }
            byte[] key = new byte[keyLength];
            in.get(key);
            byte[] nonce = new byte[NONCE];
            in.get(nonce);
            byte[] aes = null;
            try {
                if (kind == KIND_ECDH && own instanceof ECPrivateKey) {
                    aes = agreedWith(key);
                } else if (kind == KIND_RSA && own instanceof RSAPrivateKey) {
                    Cipher unwrap = Cipher.getInstance("RSA/ECB/OAEPPadding");
                    unwrap.init(Cipher.DECRYPT_MODE, own, OAEP);
                    aes = unwrap.doFinal(key);
                } else {
                    throw new InvalidBodyException("sealed SA body of kind " + kind + " for a " + own.getAlgorithm()
                            + " key");
                }
                Cipher gcm = GCM.get();
                try {
                    gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aes, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
                    gcm.updateAAD(body, 0, 4 + keyLength);
                    return gcm.doFinal(body, 4 + keyLength + NONCE, body.length - 4 - keyLength - NONCE);
                } finally {
                    forget(gcm);
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new InvalidBodyException("sealed SA body does not open with this agent's key");
            } finally {
                if (aes != null) {
                    Arrays.fill(aes, (byte) 0);
                }
            }
        }

        /** A copy of the key agreed with the sender's ephemeral key {@code sender}, agreed anew if it changed. */
        private synchronized byte[] agreedWith(byte[] sender) throws GeneralSecurityException {
            if (lastSender == null || !Arrays.equals(lastSender, sender)) {
                PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(sender));
                byte[] agreed = derive(own, key, sender, ownKey, agreements);
                if (lastAgreed != null) {
                    Arrays.fill(lastAgreed, (byte) 0);
                }
                lastSender = sender.clone();
                lastAgreed = agreed;
            }
            return lastAgreed.clone();
        }
    }

    /** HKDF-SHA256 (RFC 5869) of the ECDH secret, salted with both public keys, to one AES-256 key. */
    private static byte[] derive(PrivateKey own, PublicKey other, byte[] senderKey, byte[] recipientKey,
            Provider agreements) throws GeneralSecurityException {
        KeyAgreement agreement = agreements == null ? KeyAgreement.getInstance("ECDH")
                : KeyAgreement.getInstance("ECDH", agreements);
        agreement.init(own);
        agreement.doPhase(other, true);
        byte[] shared = agreement.generateSecret();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] salt = ByteBuffer.allocate(senderKey.length + recipientKey.length).put(senderKey).put(recipientKey)
                    .array();
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(shared);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            Arrays.fill(prk, (byte) 0);
            mac.update(INFO);
            mac.update((byte) 1);
            return mac.doFinal();
        } finally {
            Arrays.fill(shared, (byte) 0);
        }
    }

    /** A fresh ephemeral key pair on the curve of {@code recipient}, an EC key. */
    public static KeyPair ephemeralFor(ECPublicKey recipient, SecureRandom random) throws GeneralSecurityException {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(recipient.getParams(), random);
        return generator.generateKeyPair();
    }

    /** Whether {@code key} is a kind a body can be sealed to. */
    public static boolean canSealTo(PublicKey key) {
        return key instanceof ECPublicKey || key instanceof RSAPublicKey;
    }
}
