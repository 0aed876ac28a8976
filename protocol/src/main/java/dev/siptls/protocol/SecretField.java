package dev.siptls.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Keeps an SA's secret (a TLS 1.2 master secret, a TLS 1.3 PSK) out of the XML libraries. Woodstox and Jackson
 * copy a document's text into buffers and strings that outlive it and that nobody can zero; so the libraries only
 * ever see a placeholder secret of zeros, and the real one is written into, or taken out of, the document's bytes
 * here, in arrays that are zeroed. One instance per element that may hold a secret.
 */
final class SecretField {

    /** {@code <MasterSecret>} of a TLS 1.2 SA: 48 bytes. */
    static final SecretField MASTER_SECRET = new SecretField("MasterSecret",
            SecurityAssociation.MASTER_SECRET_LENGTH);
    /** {@code <PSK>} of a TLS 1.3 SA: as long as its suite's hash, 32 or 48 bytes. */
    static final SecretField PSK = new SecretField("PSK", 32, 48);

    private final String name;
    private final int[] lengths;
    private final byte[] open;
    private final byte[] close;
    private final byte[] openPrefix;

    private SecretField(String name, int... lengths) {
        this.name = name;
        this.lengths = lengths.clone();
        this.open = ("<" + name + ">").getBytes(StandardCharsets.US_ASCII);
        this.close = ("</" + name + ">").getBytes(StandardCharsets.US_ASCII);
        this.openPrefix = ("<" + name).getBytes(StandardCharsets.US_ASCII);
    }

    /** The element's name. */
    String name() {
        return name;
    }

    /** What the libraries write and read instead of a secret of {@code length} bytes: that many zeros. */
    static byte[] placeholder(int length) {
        return new byte[length];
    }

    /** Replaces the placeholder that the generator wrote into {@code xml} with {@code secret}, base64. */
    void fill(byte[] xml, byte[] secret) {
        int at = indexOf(xml, open, 0);
        if (at < 0 || indexOf(xml, open, at + 1) >= 0) {
            throw new IllegalStateException("the encoded SA does not hold exactly one <" + name + "> placeholder");
        }
        int start = at + open.length;
        byte[] encoded = Base64.getEncoder().encode(secret);
        try {
            if (start + encoded.length + close.length > xml.length
                    || indexOf(xml, close, start) != start + encoded.length) {
                throw new IllegalStateException("the <" + name + "> placeholder has an unexpected length");
            }
            System.arraycopy(encoded, 0, xml, start, encoded.length);
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
    }

    /**
     * Takes the secret out of {@code xml}, leaving the placeholder's encoding in its place, if the document holds
     * exactly one of this element, of base64 (XML white space allowed) for one of the lengths it may have;
     * returns null and leaves {@code xml} alone otherwise (the parser then refuses it, or finds none).
     */
    byte[] take(byte[] xml) {
        int at = indexOf(xml, openPrefix, 0);
        return take(xml, at, at >= 0 && indexOf(xml, openPrefix, at + 1) >= 0);
    }

    /**
     * {@code MASTER_SECRET.take} and {@code PSK.take} of one document, in that order, finding both elements in one
     * pass over it instead of four (an SA body is kilobytes of certificates).
     */
    static byte[][] takeBoth(byte[] xml) {
        int master = -1;
        int psk = -1;
        boolean masterRepeated = false;
        boolean pskRepeated = false;
        for (int i = 0; i < xml.length; i++) {
            if (xml[i] != '<') {
                continue;
            }
            if (startsWith(xml, i, MASTER_SECRET.openPrefix)) {
                masterRepeated |= master >= 0;
                master = master < 0 ? i : master;
            } else if (startsWith(xml, i, PSK.openPrefix)) {
                pskRepeated |= psk >= 0;
                psk = psk < 0 ? i : psk;
            }
        }
        byte[] first = MASTER_SECRET.take(xml, master, masterRepeated);
        return new byte[][] {first, PSK.take(xml, psk, pskRepeated)};
    }

    /** {@link #take} of the element whose open tag's prefix is at {@code at} (-1: none), unless it is repeated. */
    private byte[] take(byte[] xml, int at, boolean repeated) {
        if (at < 0 || repeated || !startsWith(xml, at, open)) {
            return null;
        }
        int start = at + open.length;
        int end = indexOf(xml, close, start);
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
            int length = lengthEncodedIn(n);
            if (length < 0) {
                return null;
            }
            byte[] exact = Arrays.copyOf(compact, n);
            byte[] secret = new byte[length + 2];
            try {
                if (Base64.getDecoder().decode(exact, secret) != length) {
                    Arrays.fill(secret, (byte) 0);
                    return null;
                }
            } catch (IllegalArgumentException e) {
                Arrays.fill(secret, (byte) 0);
                return null;
            } finally {
                Arrays.fill(exact, (byte) 0);
            }
            byte[] out = Arrays.copyOf(secret, length);
            Arrays.fill(secret, (byte) 0);
            secret = out;
            for (int i = start; i < end; i++) {
                if (isBase64(xml[i]) && xml[i] != '=') {
                    xml[i] = 'A'; // the padding stays: the placeholder decodes to as many zero bytes as the secret
                }
            }
            return secret;
        } finally {
            Arrays.fill(compact, (byte) 0);
        }
    }

    /** The secret length whose padded base64 is {@code chars} long, or -1 if none this element may hold. */
    private int lengthEncodedIn(int chars) {
        for (int length : lengths) {
            if ((length + 2) / 3 * 4 == chars) {
                return length;
            }
        }
        return -1;
    }

    private static boolean isBase64(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/'
                || b == '=';
    }

    private static boolean startsWith(byte[] haystack, int at, byte[] needle) {
        if (at + needle.length > haystack.length) {
            return false;
        }
        for (int k = 0; k < needle.length; k++) {
            if (haystack[at + k] != needle[k]) {
                return false;
            }
        }
        return true;
    }

    /** The first byte alone rules out almost every position: an SA body is mostly base64, needles start with '<'. */
    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        byte first = needle[0];
        int last = haystack.length - needle.length;
        for (int i = Math.max(0, from); i <= last; i++) {
            if (haystack[i] != first) {
                continue;
            }
            int k = 1;
            while (k < needle.length && haystack[i + k] == needle[k]) {
                k++;
            }
            if (k == needle.length) {
                return i;
            }
        }
        return -1;
    }
}
