package dev.siptls.provider;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * What someone who recorded a TLS 1.2 connection resumed with an SA can compute from the SA's master secret:
 * the key block (RFC 5246 §6.3, with BC's PRF) and the client's AES-128-GCM records (RFC 5288).
 */
final class Tls12Decryptor {

    private static final int KEY_LENGTH = 16;
    private static final int SALT_LENGTH = 4;

    private final byte[] masterSecret;

    Tls12Decryptor(byte[] masterSecret) {
        this.masterSecret = masterSecret.clone();
    }

    /**
     * The first application data record the client sent: after its Finished (sequence 0) it is sequence 1 under
     * the client write key.
     */
    byte[] firstClientApplicationData(List<Tls13Decryptor.Record> toServer, List<Tls13Decryptor.Record> toClient)
            throws GeneralSecurityException {
        byte[] clientRandom = random(toServer);
        byte[] serverRandom = random(toClient);
        TlsSecret master = new BcTlsCrypto().createSecret(masterSecret);
        byte[] keyBlock = master.deriveUsingPRF(PRFAlgorithm.tls_prf_sha256, "key expansion",
                Tls13Decryptor.concat(serverRandom, clientRandom), 2 * KEY_LENGTH + 2 * SALT_LENGTH).extract();
        byte[] clientKey = Arrays.copyOfRange(keyBlock, 0, KEY_LENGTH);
        byte[] clientSalt = Arrays.copyOfRange(keyBlock, 2 * KEY_LENGTH, 2 * KEY_LENGTH + SALT_LENGTH);

        List<Tls13Decryptor.Record> encrypted = toServer.stream()
                .filter(r -> r.type() == Tls13Decryptor.APPLICATION_DATA).toList();
        Tls13Decryptor.Record record = encrypted.get(0);
        byte[] fragment = record.fragment();
        byte[] nonce = Tls13Decryptor.concat(clientSalt, Arrays.copyOfRange(fragment, 0, 8));
        int plaintextLength = fragment.length - 8 - 16;
        ByteBuffer aad = ByteBuffer.allocate(13).putLong(1).put((byte) record.type())
                .put(record.header(), 1, 2).putShort((short) plaintextLength);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(clientKey, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad.array());
        return cipher.doFinal(fragment, 8, fragment.length - 8);
    }

    /** The random of the first handshake record's hello (ClientHello or ServerHello). */
    private static byte[] random(List<Tls13Decryptor.Record> records) {
        byte[] hello = records.stream().filter(r -> r.type() == Tls13Decryptor.HANDSHAKE).findFirst()
                .orElseThrow().fragment();
        // type (1), length (3), legacy version (2), then 32 bytes of random
        return Arrays.copyOfRange(hello, 6, 38);
    }
}
