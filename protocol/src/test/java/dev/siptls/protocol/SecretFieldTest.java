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
        assertArrayEquals(SECRET, SecretField.take(doc));
        String left = new String(doc, StandardCharsets.US_ASCII);
        assertEquals(new String(xml(Base64.getEncoder().encodeToString(SecretField.PLACEHOLDER)),
                StandardCharsets.US_ASCII), left);
    }

    @Test
    void takesASecretWrittenWithXmlWhiteSpace() {
        String b64 = Base64.getEncoder().encodeToString(SECRET);
        byte[] doc = xml("\n  " + b64.substring(0, 30) + "\r\n\t" + b64.substring(30) + " ");
        assertArrayEquals(SECRET, SecretField.take(doc));
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
            assertNull(SecretField.take(doc));
            assertArrayEquals(before, doc);
        }
    }

    @Test
    void fillsThePlaceholderTheGeneratorWrote() {
        byte[] doc = xml(Base64.getEncoder().encodeToString(SecretField.PLACEHOLDER));
        SecretField.fill(doc, SECRET);
        assertArrayEquals(xml(Base64.getEncoder().encodeToString(SECRET)), doc);
    }
}
