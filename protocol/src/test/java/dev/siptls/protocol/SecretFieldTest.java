package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretFieldTest {

    private static final byte[] SECRET = new byte[48];

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) (i * 7 + 1);
        }
    }

    private static byte[] xml(String secretText) {
        return ("<TLS><SessionID>AAAA</SessionID><MasterSecret>" + secretText + "</MasterSecret></TLS>")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void takesTheSecretAndLeavesThePlaceholderInItsPlace() {
        byte[] doc = xml(Base64.getEncoder().encodeToString(SECRET));
        assertArrayEquals(SECRET, SecretField.MASTER_SECRET.take(doc));
        String left = new String(doc, StandardCharsets.US_ASCII);
        assertEquals(new String(xml(Base64.getEncoder().encodeToString(SecretField.placeholder(48))),
                StandardCharsets.US_ASCII), left);
    }

    @Test
    void takesASecretWrittenWithXmlWhiteSpace() {
        String b64 = Base64.getEncoder().encodeToString(SECRET);
        byte[] doc = xml("\n  " + b64.substring(0, 30) + "\r\n\t" + b64.substring(30) + " ");
        assertArrayEquals(SECRET, SecretField.MASTER_SECRET.take(doc));
        assertFalse(new String(doc, StandardCharsets.US_ASCII).contains(b64.substring(0, 30)));
    }

    @Test
    void leavesAloneWhatItCannotTakeWhole() {
        String b64 = Base64.getEncoder().encodeToString(SECRET);
        String twice = "<TLS><MasterSecret>" + b64 + "</MasterSecret><MasterSecret>" + b64 + "</MasterSecret></TLS>";
        for (byte[] doc : new byte[][] {
            twice.getBytes(StandardCharsets.US_ASCII),
            xml(b64.substring(4)),
            xml("&#65;" + b64.substring(1)),
            xml("<![CDATA[" + b64 + "]]>"),
            ("<TLS><MasterSecret a=\"1\">" + b64 + "</MasterSecret></TLS>").getBytes(StandardCharsets.US_ASCII),
            "<TLS></TLS>".getBytes(StandardCharsets.US_ASCII),
        }) {
            byte[] before = doc.clone();
            assertNull(SecretField.MASTER_SECRET.take(doc));
            assertArrayEquals(before, doc);
        }
    }

    @Test
    void fillsThePlaceholderTheGeneratorWrote() {
        byte[] doc = xml(Base64.getEncoder().encodeToString(SecretField.placeholder(48)));
        SecretField.MASTER_SECRET.fill(doc, SECRET);
        assertArrayEquals(xml(Base64.getEncoder().encodeToString(SECRET)), doc);
    }

    @Test
    void takesAPskOfEitherHashLength() {
        for (int length : new int[] {32, 48}) {
            byte[] psk = new byte[length];
            java.util.Arrays.fill(psk, (byte) 0x5A);
            byte[] doc = ("<TLS><PSK>" + Base64.getEncoder().encodeToString(psk) + "</PSK></TLS>")
                    .getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(psk, SecretField.PSK.take(doc));
            assertEquals("<TLS><PSK>" + Base64.getEncoder().encodeToString(new byte[length]) + "</PSK></TLS>",
                    new String(doc, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void leavesAlonePsksOfOtherLengthsAndOtherElements() {
        for (int length : new int[] {16, 31, 33, 47, 64}) {
            byte[] doc = ("<TLS><PSK>" + Base64.getEncoder().encodeToString(new byte[length]) + "</PSK></TLS>")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] before = doc.clone();
            assertNull(SecretField.PSK.take(doc), "length " + length);
            assertArrayEquals(before, doc);
        }
        byte[] master = xml(Base64.getEncoder().encodeToString(SECRET));
        assertNull(SecretField.PSK.take(master), "a <MasterSecret> is not a <PSK>");
    }

    /** One pass for both elements takes what the two takes in a row take, and leaves the same document. */
    @Test
    void takingBothInOnePassEqualsTakingEachInTurn() {
        String m = Base64.getEncoder().encodeToString(SECRET);
        String p = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'Q');
        java.util.List<String> docs = java.util.List.of(
                "<TLS><MasterSecret>" + m + "</MasterSecret></TLS>",
                "<TLS><PSK>" + p + "</PSK></TLS>",
                "<TLS><PSK>" + p + "</PSK><MasterSecret>" + m + "</MasterSecret></TLS>",
                "<TLS><MasterSecret>" + m + "</MasterSecret><MasterSecret>" + m + "</MasterSecret></TLS>",
                "<TLS><PSK>" + p + "</PSK><PSKX>" + p + "</PSKX></TLS>",
                "<TLS><MasterSecretX>" + m + "</MasterSecretX></TLS>",
                "<TLS><MasterSecret>" + m + "</MasterSecret><PSK>" + p + "</PSK><PSK/></TLS>",
                "<TLS><MasterSecret>" + m + "<PSK>" + p + "</PSK></MasterSecret></TLS>",
                "<TLS><SessionID>AAAA</SessionID></TLS>", "", "<", "<PSK", "<MasterSecret>" + m);
        for (String text : docs) {
            byte[] inTurn = text.getBytes(StandardCharsets.US_ASCII);
            byte[] master = SecretField.MASTER_SECRET.take(inTurn);
            byte[] psk = SecretField.PSK.take(inTurn);
            byte[] once = text.getBytes(StandardCharsets.US_ASCII);
            byte[][] both = SecretField.takeBoth(once);
            assertArrayEquals(master, both[0], text);
            assertArrayEquals(psk, both[1], text);
            assertArrayEquals(inTurn, once, text);
        }
    }
}
