package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A message whose length two parsers could read two ways (duplicate or contradicting lengths, signs,
 * overflowing or folded values) must not let a second request hidden in its body be handled: the key server
 * drops the connection and answers neither. An unambiguous compact {@code l:} length is honoured like
 * {@code Content-Length}, so the body it covers is never taken for a request either.
 */
class FramingAmbiguityTest {

    private static final String AOR = "sip:mallory@example.com";

    @Test
    void ambiguousLengthsDropTheConnectionAndNothingHiddenInTheBodyIsHandled() throws Exception {
        try (Fixture f = new Fixture()) {
            for (String lengths : List.of("Content-Length: 0\r\nContent-Length: %d\r\n",
                    "Content-Length: %d\r\nContent-Length: 0\r\n", "l: 0\r\nContent-Length: %d\r\n",
                    "Content-Length: +%d\r\n", "Content-Length: " + (1L << 32) + "%d\r\n".replace("%d", "")
                            + "X-Len: %d\r\n", "Content-Length: -1\r\nX-Len: %d\r\n", "Content-Length:\r\n %d\r\n")) {
                RawPeer mallory = RawPeer.connect(f.server, f.pki.agent(AOR), 0, 0);
                String hidden = mallory.options(AOR, 0);
                String outer = mallory.options(AOR, 0).replace("Content-Length: 0\r\n",
                        String.format(lengths, hidden.length()));
                mallory.sendRecord((outer + hidden).getBytes(StandardCharsets.UTF_8));
                String answer = null;
                boolean closed = false;
                try {
                    answer = mallory.readMessage(Duration.ofSeconds(5));
                } catch (java.io.IOException eof) {
                    closed = true;
                }
                assertTrue(closed, "lengths " + lengths.replace("\r\n", "\\r\\n") + " were answered: " + answer);
                mallory.close();
            }
        }
    }

    @Test
    void aCompactLengthCoversItsBodyAndTheNextMessageIsReadAfterIt() throws Exception {
        try (Fixture f = new Fixture()) {
            RawPeer mallory = RawPeer.connect(f.server, f.pki.agent(AOR), 0, 0);
            String hidden = mallory.options(AOR, 0);
            String outer = mallory.options(AOR, 0).replace("Content-Length: 0\r\n", "l: " + hidden.length() + "\r\n");
            String next = mallory.options(AOR, 0);
            mallory.sendRecord((outer + hidden + next).getBytes(StandardCharsets.UTF_8));
            String first = mallory.readMessage(Duration.ofSeconds(5));
            String second = mallory.readMessage(Duration.ofSeconds(5));
            assertEquals(RawPeer.header(outer, "Call-ID"), RawPeer.header(first, "Call-ID"));
            assertEquals(RawPeer.header(next, "Call-ID"), RawPeer.header(second, "Call-ID"),
                    "the message after a compact-length body must be the next one answered, not the body");
            mallory.close();
        }
    }
}
