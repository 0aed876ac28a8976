package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** What a peer wrote reaches a log or terminal line with its control characters shown, not obeyed. */
class PrintableTextTest {

    @Test
    void controlCharactersAreShownAsEscapes() {
        assertEquals("a\\nb\\rc\\td", PrintableText.of("a\nb\rc\td"));
        assertEquals("\\u001B[31mred\\u001B[0m", PrintableText.of("\u001b[31mred\u001b[0m"));
        assertEquals("\\u0000\\u007F\\u0085\\u009B", PrintableText.of("\u0000\u007f\u0085\u009b"));
        assertEquals("\\u2028\\u2029\\u202E\\u2066", PrintableText.of("\u2028\u2029\u202e\u2066"));
    }

    @Test
    void printableTextIsLeftAsItIsAndEscapingTwiceChangesNothing() {
        String plain = "CN=sip:alice@example.com, O=Café \\, Ünïcode €";
        assertSame(plain, PrintableText.of(plain));
        String once = PrintableText.of("x\n\u001b");
        assertEquals(once, PrintableText.of(once));
        assertEquals("null", PrintableText.of(null));
    }
}
