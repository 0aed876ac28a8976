package dev.siptls.sip.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The capture that the secret checks rely on sees debug logs and printed text, in each spelling. */
class LogCaptureTest {

    private static final byte[] SECRET = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");

    @Test
    void findsASecretLoggedInHexAtDebugLevel() {
        try (LogCapture capture = LogCapture.start()) {
            System.getLogger("dev.siptls.example").log(System.Logger.Level.DEBUG, "key " + HexFormat.of().formatHex(SECRET));
            assertEquals(Optional.of("hex"), capture.leak(SECRET));
        }
    }

    @Test
    void findsASecretPrintedInBase64OnStderr() {
        try (LogCapture capture = LogCapture.start()) {
            System.err.println("key " + Base64.getEncoder().encodeToString(SECRET));
            assertEquals(Optional.of("base64"), capture.leak(SECRET));
        }
    }

    @Test
    void failsOnALeakedSecretWithoutPrintingIt() {
        try (LogCapture capture = LogCapture.start()) {
            System.out.println("key " + HexFormat.of().formatHex(SECRET));
            AssertionError e = assertThrows(AssertionError.class, () -> capture.assertNotLeaked(List.of(SECRET)));
            assertFalse(e.getMessage().contains(HexFormat.of().formatHex(SECRET)), e.getMessage());
        }
    }

    @Test
    void findsNothingWhenTheSecretWasNotWritten() {
        try (LogCapture capture = LogCapture.start()) {
            System.out.println("nothing to see");
            assertEquals(Optional.empty(), capture.leak(SECRET));
        }
    }
}
