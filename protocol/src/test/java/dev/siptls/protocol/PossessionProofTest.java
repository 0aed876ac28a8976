package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PossessionProofTest {

    private static final String AOR = "sip:bob@example.com";
    private static final byte[] NONCE = TestData.bytes(32, 1);
    private static final List<X509Certificate> CHAIN = TestData.serverChain();

    private static KeyPair keys(String type) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
        if (type.startsWith("RSA")) {
            generator.initialize(2048);
        } else if (type.equals("EC")) {
            generator.initialize(256);
        }
        return generator.generateKeyPair();
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA", "RSASSA-PSS", "Ed25519", "Ed448"})
    void aSignatureByTheKeyVerifiesWithItsPublicKey(String type) throws Exception {
        KeyPair keys = keys(type);
        byte[] signed = PossessionProof.signedBytes(AOR, NONCE, CHAIN);

        byte[] signature = PossessionProof.sign(keys.getPrivate(), signed);

        assertTrue(PossessionProof.verify(keys.getPublic(), signed, signature));
        assertFalse(PossessionProof.verify(keys(type).getPublic(), signed, signature), "another key's");
    }

    @Test
    void theSignatureCoversTheAorTheNonceAndTheWholeChain() throws Exception {
        KeyPair keys = keys("EC");
        byte[] signature = PossessionProof.sign(keys.getPrivate(), PossessionProof.signedBytes(AOR, NONCE, CHAIN));

        assertFalse(PossessionProof.verify(keys.getPublic(),
                PossessionProof.signedBytes("sip:eve@example.com", NONCE, CHAIN), signature));
        assertFalse(PossessionProof.verify(keys.getPublic(),
                PossessionProof.signedBytes(AOR, TestData.bytes(32, 2), CHAIN), signature));
        assertFalse(PossessionProof.verify(keys.getPublic(),
                PossessionProof.signedBytes(AOR, NONCE, CHAIN.subList(0, 1)), signature));
    }

    @Test
    void signedBytesAreTheDocumentedLengthPrefixedFields() throws Exception {
        MessageDigest chainHash = MessageDigest.getInstance("SHA-256");
        for (X509Certificate c : CHAIN) {
            chainHash.update(field(c.getEncoded()));
        }
        byte[] expected = concat(field("SIP-TLS proof of possession v1".getBytes(StandardCharsets.US_ASCII)),
                field(AOR.getBytes(StandardCharsets.UTF_8)), field(NONCE), field(chainHash.digest()));

        assertArrayEquals(expected, PossessionProof.signedBytes(AOR, NONCE, CHAIN));
    }

    @Test
    void keysWithoutAFixedAlgorithmCannotProvePossession() throws Exception {
        KeyPair dsa = keys("DSA");
        byte[] signed = PossessionProof.signedBytes(AOR, NONCE, CHAIN);

        assertThrows(GeneralSecurityException.class, () -> PossessionProof.sign(dsa.getPrivate(), signed));
        assertFalse(PossessionProof.verify(dsa.getPublic(), signed, new byte[46]));
    }

    @Test
    void garbageIsNotASignature() throws Exception {
        byte[] signed = PossessionProof.signedBytes(AOR, NONCE, CHAIN);

        assertFalse(PossessionProof.verify(keys("EC").getPublic(), signed, new byte[0]));
        assertFalse(PossessionProof.verify(keys("EC").getPublic(), signed, TestData.bytes(72, 0x30)));
        assertFalse(PossessionProof.verify(keys("RSA").getPublic(), signed, new byte[256]));
    }

    @Test
    void readsTheChallengeHeaderOnlyAsBase64OfThirtyTwoBytes() {
        assertArrayEquals(NONCE, PossessionProof.challenge(" " + Base64.getEncoder().encodeToString(NONCE)).get());
        assertTrue(PossessionProof.challenge(Base64.getEncoder().encodeToString(new byte[31])).isEmpty());
        assertTrue(PossessionProof.challenge("not base64!").isEmpty());
        assertTrue(PossessionProof.challenge(null).isEmpty());
    }

    @Test
    void needsAChain() {
        assertThrows(IllegalArgumentException.class, () -> PossessionProof.signedBytes(AOR, NONCE, List.of()));
    }

    private static byte[] field(byte[] value) {
        return concat(ByteBuffer.allocate(4).putInt(value.length).array(), value);
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] p : parts) {
            out.put(p);
        }
        assertEquals(length, out.position());
        return out.array();
    }
}
