package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SealedBodyTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] TEXT = "<TLS><MasterSecret>secret</MasterSecret></TLS>".getBytes(StandardCharsets.UTF_8);

    private static KeyPair recipient(String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        g.initialize("EC".equals(algorithm) ? 256 : 2048);
        return g.generateKeyPair();
    }

    private static byte[] seal(KeyPair to) throws Exception {
        if (to.getPublic() instanceof RSAPublicKey rsa) {
            return SealedBody.sealToRsa(TEXT, rsa, RANDOM);
        }
        ECPublicKey ec = (ECPublicKey) to.getPublic();
        KeyPair ephemeral = SealedBody.ephemeralFor(ec, RANDOM);
        byte[] senderKey = ephemeral.getPublic().getEncoded();
        return SealedBody.sealToEc(TEXT, senderKey, SealedBody.agreedKey(ephemeral.getPrivate(), senderKey, ec, null),
                RANDOM);
    }

    /** Sealing and opening reuse one cipher per thread: any order of them, with one key or several, works. */
    @org.junit.jupiter.api.Test
    void oneThreadSealsAndOpensInAnyOrderWithTheSameKeyOrOthers() throws Exception {
        KeyPair bob = recipient("EC");
        KeyPair eve = recipient("EC");
        ECPublicKey ec = (ECPublicKey) bob.getPublic();
        KeyPair ephemeral = SealedBody.ephemeralFor(ec, RANDOM);
        byte[] senderKey = ephemeral.getPublic().getEncoded();
        byte[] agreed = SealedBody.agreedKey(ephemeral.getPrivate(), senderKey, ec, null);
        SealedBody.Opener opener = new SealedBody.Opener(bob.getPrivate(), bob.getPublic(), null);
        for (int i = 0; i < 5; i++) {
            byte[] first = SealedBody.sealToEc(TEXT, senderKey, agreed.clone(), RANDOM);
            byte[] second = SealedBody.sealToEc(TEXT, senderKey, agreed.clone(), RANDOM);
            assertFalse(Arrays.equals(first, second), "a fresh nonce each time");
            assertArrayEquals(TEXT, opener.open(second));
            assertThrows(InvalidBodyException.class, () -> SealedBody.open(first, eve.getPrivate(), eve.getPublic(),
                    null));
            assertArrayEquals(TEXT, opener.open(first));
            assertArrayEquals(TEXT, SealedBody.open(seal(eve), eve.getPrivate(), eve.getPublic(), null));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA"})
    void opensWithTheRecipientsKeyOnly(String algorithm) throws Exception {
        KeyPair bob = recipient(algorithm);
        byte[] sealed = seal(bob);
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("secret"), "sealed is not encrypted");
        assertArrayEquals(TEXT, SealedBody.open(sealed, bob.getPrivate(), bob.getPublic(), null));
        KeyPair eve = recipient(algorithm);
        assertThrows(InvalidBodyException.class, () -> SealedBody.open(sealed, eve.getPrivate(), eve.getPublic(), null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA"})
    void aTls13SaTravelsSealedWithItsPskIntact(String algorithm) throws Exception {
        KeyPair bob = recipient(algorithm);
        XmlCodec codec = new XmlCodec();
        byte[] plain = codec.encode(TestData.tls13Association().build());
        byte[] sealed = bob.getPublic() instanceof RSAPublicKey rsa ? SealedBody.sealToRsa(plain, rsa, RANDOM)
                : sealEc(plain, (ECPublicKey) bob.getPublic());
        String psk = java.util.Base64.getEncoder().encodeToString(TestData.psk());
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains(psk.substring(0, 12)));
        SecurityAssociation sa = codec.decodeAssociation(SealedBody.open(sealed, bob.getPrivate(), bob.getPublic(),
                null));
        assertArrayEquals(TestData.psk(), sa.masterSecret());
        org.junit.jupiter.api.Assertions.assertTrue(sa.isTls13());
    }

    private static byte[] sealEc(byte[] plain, ECPublicKey to) throws Exception {
        KeyPair ephemeral = SealedBody.ephemeralFor(to, RANDOM);
        byte[] senderKey = ephemeral.getPublic().getEncoded();
        return SealedBody.sealToEc(plain, senderKey, SealedBody.agreedKey(ephemeral.getPrivate(), senderKey, to, null),
                RANDOM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EC", "RSA"})
    void refusesAnyChangedByte(String algorithm) throws Exception {
        KeyPair bob = recipient(algorithm);
        byte[] sealed = seal(bob);
        for (int i = 0; i < sealed.length; i += Math.max(1, sealed.length / 40)) {
            byte[] changed = sealed.clone();
            changed[i] ^= 1;
            assertThrows(InvalidBodyException.class, () -> SealedBody.open(changed, bob.getPrivate(), bob.getPublic(), null),
                    "byte " + i + " changed");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4, 20, 40})
    void refusesTruncatedBodies(int length) throws Exception {
        KeyPair bob = recipient("EC");
        byte[] sealed = seal(bob);
        byte[] cut = Arrays.copyOf(sealed, Math.min(length, sealed.length - 1));
        assertThrows(InvalidBodyException.class, () -> SealedBody.open(cut, bob.getPrivate(), bob.getPublic(), null));
    }

    @org.junit.jupiter.api.Test
    void refusesAKeyLengthBeyondTheBody() throws Exception {
        KeyPair bob = recipient("EC");
        byte[] sealed = seal(bob);
        sealed[2] = (byte) 0x7f;
        assertThrows(InvalidBodyException.class, () -> SealedBody.open(sealed, bob.getPrivate(), bob.getPublic(), null));
    }
}
