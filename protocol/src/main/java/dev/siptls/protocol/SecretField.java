package dev.siptls.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Keeps the master secret out of the XML libraries. Woodstox and Jackson copy a document's text into buffers
 * and strings that outlive it and that nobody can zero; so the libraries only ever see a placeholder secret
 * of zeros, and the real one is written into, or taken out of, the document's bytes here, in arrays that
 * are zeroed.
 */
final class SecretField {

    static final int LENGTH = SecurityAssociation.MASTER_SECRET_LENGTH;
    /** What the libraries write and read instead: {@code LENGTH} zero bytes. */
    static final byte[] PLACEHOLDER = new byte[LENGTH];

    private static final byte[] OPEN = "<MasterSecret>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "</MasterSecret>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OPEN_PREFIX = "<MasterSecret".getBytes(StandardCharsets.US_ASCII);
    private static final int ENCODED = (LENGTH + 2) / 3 * 4;

    private SecretField() {
    }

    /** Replaces the placeholder that the generator wrote into {@code xml} with {@code secret}, base64. */
    static void fill(byte[] xml, byte[] secret) {
        int at = indexOf(xml, OPEN, 0);
        if (at < 0 || indexOf(xml, OPEN, at + 1) >= 0) {
            throw new IllegalStateException("the encoded SA does not hold exactly one master secret placeholder");
        }
        int start = at + OPEN.length;
        byte[] encoded = Base64.getEncoder().encode(secret);
        try {
            if (start + encoded.length + CLOSE.length > xml.length
                    || indexOf(xml, CLOSE, start) != start + encoded.length) {
                throw new IllegalStateException("the master secret placeholder has an unexpected length");
            }
            System.arraycopy(encoded, 0, xml, start, encoded.length);
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
    }

    /**
     * Takes the master secret out of {@code xml}, leaving the placeholder's encoding in its place, if the
     * document holds exactly one {@code <MasterSecret>} of base64 (XML white space allowed) for {@code LENGTH}
     * bytes; returns null and leaves {@code xml} alone otherwise (the parser then refuses it, or finds none).
     */
    static byte[] take(byte[] xml) {
        int at = indexOf(xml, OPEN_PREFIX, 0);
        if (at < 0 || indexOf(xml, OPEN_PREFIX, at + 1) >= 0 || indexOf(xml, OPEN, at) != at) {
            return null;
        }
        int start = at + OPEN.length;
        int end = indexOf(xml, CLOSE, start);
        if (end < 0) {
            return null;
        }
        byte[] compact = new byte[end - start];
        int n = 0;
        try {
            for (int i = start; i < end; i++) {
                byte b = xml[i];
                if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                    continue;
                }
                if (!isBase64(b)) {
                    return null;
                }
                compact[n++] = b;
            }
            if (n != ENCODED) {
                return null;
            }
            byte[] exact = Arrays.copyOf(compact, n);
            byte[] secret = new byte[LENGTH + 2];
            try {
                if (Base64.getDecoder().decode(exact, secret) != LENGTH) {
                    Arrays.fill(secret, (byte) 0);
                    return null;
                }
            } catch (IllegalArgumentException e) {
                Arrays.fill(secret, (byte) 0);
                return null;
            } finally {
                Arrays.fill(exact, (byte) 0);
            }
            byte[] out = Arrays.copyOf(secret, LENGTH);
            Arrays.fill(secret, (byte) 0);
            secret = out;
            for (int i = start; i < end; i++) {
                if (isBase64(xml[i])) {
                    xml[i] = 'A';
                }
            }
            return secret;
        } finally {
            Arrays.fill(compact, (byte) 0);
        }
    }

    private static boolean isBase64(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/'
                || b == '=';
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
