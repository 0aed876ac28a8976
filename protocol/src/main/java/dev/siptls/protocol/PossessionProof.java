package dev.siptls.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Proof that an agent holds the private key of a certificate chain it publishes (docs/PROTOCOL.md, "Proof
 * of possession"). In a resumed handshake no peer proves a key, so the key server vouches only for chains
 * whose key was proved to it: by the agent's own mutual-TLS connection, or by a signature over the nonce
 * the key server hands out with every {@code 200 OK} to REGISTER, in {@link #CHALLENGE_HEADER}.
 *
 * <p>The signature covers {@link #signedBytes}: four length-prefixed fields (a fixed context string, the
 * AOR, the nonce, the SHA-256 of the whole chain). The algorithm follows from the key alone, so nothing on
 * the wire names it: EC {@code SHA256withECDSA}, RSA {@code SHA256withRSA}, RSASSA-PSS keys PSS with SHA-256
 * (MGF1 SHA-256, 32-byte salt), Ed25519 and Ed448 themselves. Other keys cannot prove possession.
 */
public final class PossessionProof {

    /** The REGISTER {@code 200 OK} header carrying the registration's nonce, base64. */
    public static final String CHALLENGE_HEADER = "SipTls-Challenge";

    /** The length of a nonce. */
    public static final int CHALLENGE_BYTES = 32;

    /** The longest signature a policy may carry (an RSA-8192 signature is 1,024 bytes). */
    public static final int MAX_SIGNATURE_BYTES = 1024;

    /** Separates these signatures from any other use of the same key. */
    private static final byte[] CONTEXT = "SIP-TLS proof of possession v1".getBytes(StandardCharsets.US_ASCII);

    private PossessionProof() {
    }

    /** The nonce in a {@link #CHALLENGE_HEADER} value; empty unless it is base64 of exactly 32 bytes. */
    public static Optional<byte[]> challenge(String headerValue) {
        if (headerValue == null) {
            return Optional.empty();
        }
        try {
            byte[] nonce = Base64.getDecoder().decode(headerValue.strip());
            return nonce.length == CHALLENGE_BYTES ? Optional.of(nonce) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * What is signed: {@code field(context) field(aor) field(nonce) field(SHA-256(chain))}, where
     * {@code field(x)} is x's length as 4 bytes big-endian followed by x, and the chain's hash covers each
     * certificate's DER, leaf first, each as a field.
     *
     * @param aor the AOR as the key server keys it: {@code sip:user@host}, scheme {@code sip}, host in lower
     *            case without port, user exactly
     */
    public static byte[] signedBytes(String aor, byte[] nonce, List<X509Certificate> chain) {
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(nonce, "nonce");
        if (Objects.requireNonNull(chain, "chain").isEmpty()) {
            throw new IllegalArgumentException("a proof of possession needs a certificate chain");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        field(out, CONTEXT);
        field(out, aor.getBytes(StandardCharsets.UTF_8));
        field(out, nonce);
        field(out, chainHash(chain));
        return out.toByteArray();
    }

    /**
     * Signs {@code signedBytes} with the chain's private key.
     *
     * @throws GeneralSecurityException if the key is of a type that cannot prove possession, or unusable
     */
    public static byte[] sign(PrivateKey key, byte[] signedBytes) throws GeneralSecurityException {
        Signature signer = algorithm(key);
        signer.initSign(key);
        signer.update(signedBytes);
        return signer.sign();
    }

    /** Whether {@code signature} is the leaf key's signature over {@code signedBytes}; false on any failure. */
    public static boolean verify(PublicKey key, byte[] signedBytes, byte[] signature) {
        try {
            Signature verifier = algorithm(key);
            verifier.initVerify(key);
            verifier.update(signedBytes);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The one signature algorithm for this type of key. */
    private static Signature algorithm(Key key) throws GeneralSecurityException {
        Objects.requireNonNull(key, "key");
        String type = key.getAlgorithm();
        if (key instanceof EdECKey ed) {
            type = ed.getParams().getName();
        }
        switch (type) {
            case "EC":
                return Signature.getInstance("SHA256withECDSA");
            case "RSA":
                return Signature.getInstance("SHA256withRSA");
            case "RSASSA-PSS": {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                return pss;
            }
            case "Ed25519":
            case "Ed448":
                return Signature.getInstance(type);
            default:
                throw new InvalidKeyException("a " + type + " key cannot prove possession");
        }
    }

    private static byte[] chainHash(List<X509Certificate> chain) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (X509Certificate certificate : chain) {
                byte[] der = certificate.getEncoded();
                sha256.update(ByteBuffer.allocate(4).putInt(der.length).array());
                sha256.update(der);
            }
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    private static void field(ByteArrayOutputStream out, byte[] value) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
        out.writeBytes(value);
    }
}
