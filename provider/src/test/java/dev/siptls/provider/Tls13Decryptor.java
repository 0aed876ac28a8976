package dev.siptls.provider;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What someone who recorded a TLS 1.3 PSK connection can compute from a PSK and an (EC)DHE secret: the RFC 8446
 * §7.1 key schedule, and the records it opens (AES-GCM suites). With the real (EC)DHE secret this opens
 * everything; with the zero secret RFC 8446 uses where none is available it is the key server's best try.
 */
final class Tls13Decryptor {

    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;

    /** One TLS record as it went over the wire. */
    record Record(int type, byte[] header, byte[] fragment) {
    }

    private final String mac;
    private final String digest;
    private final int hashLength;
    private final int keyLength;
    private final byte[] psk;

    Tls13Decryptor(Tls13Suite suite, byte[] psk) {
        boolean sha384 = suite == Tls13Suite.TLS_AES_256_GCM_SHA384;
        if (suite == Tls13Suite.TLS_CHACHA20_POLY1305_SHA256) {
            throw new IllegalArgumentException("AES-GCM suites only");
        }
        this.mac = sha384 ? "HmacSHA384" : "HmacSHA256";
        this.digest = sha384 ? "SHA-384" : "SHA-256";
        this.hashLength = sha384 ? 48 : 32;
        this.keyLength = sha384 ? 32 : 16;
        this.psk = psk.clone();
    }

    int hashLength() {
        return hashLength;
    }

    /** The records in one direction's bytes. */
    static List<Record> records(byte[] wire) {
        List<Record> records = new ArrayList<>();
        for (int at = 0; at < wire.length; ) {
            int length = ((wire[at + 3] & 0xFF) << 8) | (wire[at + 4] & 0xFF);
            records.add(new Record(wire[at] & 0xFF, Arrays.copyOfRange(wire, at, at + 5),
                    Arrays.copyOfRange(wire, at + 5, at + 5 + length)));
            at += 5 + length;
        }
        return records;
    }

    /**
     * The server's encrypted handshake messages (EncryptedExtensions to Finished), opened with the server
     * handshake traffic secret made from {@code dhe}; throws {@code AEADBadTagException} if that is wrong.
     */
    byte[] serverEncryptedHandshake(List<Record> toClient, List<Record> toServer, byte[] dhe)
            throws GeneralSecurityException {
        byte[] helloHash = hash(concat(first(toServer, HANDSHAKE).fragment(), first(toClient, HANDSHAKE).fragment()));
        byte[] serverSecret = expandLabel(handshakeSecret(dhe), "s hs traffic", helloHash, hashLength);
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        long sequence = 0;
        for (Record record : toClient) {
            if (record.type() == APPLICATION_DATA) {
                byte[] inner = open(serverSecret, sequence++, record);
                messages.writeBytes(inner);
                if (containsFinished(messages.toByteArray())) {
                    return messages.toByteArray();
                }
            }
        }
        throw new IllegalStateException("no server Finished in the recording");
    }

    /**
     * The first application data record the client sent, opened with the client application traffic secret made
     * from {@code dhe} and the handshake transcript {@code ClientHello..server Finished}.
     */
    byte[] firstClientApplicationData(List<Record> toServer, byte[] transcript, byte[] dhe)
            throws GeneralSecurityException {
        byte[] derived = expandLabel(handshakeSecret(dhe), "derived", hash(new byte[0]), hashLength);
        byte[] master = extract(derived, new byte[hashLength]);
        byte[] clientSecret = expandLabel(master, "c ap traffic", hash(transcript), hashLength);
        // The client's encrypted records: its Finished (handshake keys), then application data from sequence 0.
        List<Record> encrypted = toServer.stream().filter(r -> r.type() == APPLICATION_DATA).toList();
        return open(clientSecret, 0, encrypted.get(1));
    }

    /** ClientHello, ServerHello and the server's encrypted handshake messages, as the transcript hash takes them. */
    static byte[] transcript(List<Record> toClient, List<Record> toServer, byte[] serverEncryptedHandshake) {
        return concat(first(toServer, HANDSHAKE).fragment(), first(toClient, HANDSHAKE).fragment(),
                serverEncryptedHandshake);
    }

    private byte[] handshakeSecret(byte[] dhe) throws GeneralSecurityException {
        byte[] early = extract(new byte[hashLength], psk);
        byte[] derived = expandLabel(early, "derived", hash(new byte[0]), hashLength);
        return extract(derived, dhe);
    }

    /** AEAD-opens one record and returns its content, without padding and inner type. */
    private byte[] open(byte[] trafficSecret, long sequence, Record record) throws GeneralSecurityException {
        byte[] key = expandLabel(trafficSecret, "key", new byte[0], keyLength);
        byte[] nonce = expandLabel(trafficSecret, "iv", new byte[0], 12);
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (sequence >>> (8 * i));
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(record.header());
        byte[] inner = cipher.doFinal(record.fragment());
        int end = inner.length - 1;
        while (inner[end] == 0) {
            end--;
        }
        return Arrays.copyOf(inner, end); // inner[end] is the real content type
    }

    private static boolean containsFinished(byte[] messages) {
        for (int at = 0; at + 4 <= messages.length; ) {
            int length = ((messages[at + 1] & 0xFF) << 16) | ((messages[at + 2] & 0xFF) << 8) | (messages[at + 3] & 0xFF);
            if (messages[at] == 20 && at + 4 + length <= messages.length) {
                return true;
            }
            at += 4 + length;
        }
        return false;
    }

    private static Record first(List<Record> records, int type) {
        return records.stream().filter(r -> r.type() == type).findFirst().orElseThrow();
    }

    private byte[] hash(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance(digest).digest(data);
    }

    private byte[] extract(byte[] salt, byte[] ikm) throws GeneralSecurityException {
        Mac hmac = Mac.getInstance(mac);
        hmac.init(new SecretKeySpec(salt, mac));
        return hmac.doFinal(ikm);
    }

    /** HKDF-Expand-Label (RFC 8446 §7.1). */
    private byte[] expandLabel(byte[] secret, String label, byte[] context, int length)
            throws GeneralSecurityException {
        byte[] fullLabel = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(length >> 8);
        info.write(length);
        info.write(fullLabel.length);
        info.writeBytes(fullLabel);
        info.write(context.length);
        info.writeBytes(context);
        Mac hmac = Mac.getInstance(mac);
        hmac.init(new SecretKeySpec(secret, mac));
        ByteArrayOutputStream okm = new ByteArrayOutputStream();
        byte[] block = new byte[0];
        for (int counter = 1; okm.size() < length; counter++) {
            hmac.update(block);
            hmac.update(info.toByteArray());
            hmac.update((byte) counter);
            block = hmac.doFinal();
            okm.writeBytes(block);
        }
        return Arrays.copyOf(okm.toByteArray(), length);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
