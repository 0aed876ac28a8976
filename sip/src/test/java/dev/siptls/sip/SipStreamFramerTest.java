package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stream framer against what a hostile peer can put on its connection, without a network: where a message
 * ends must never be in doubt, and whatever could be read two ways breaks the stream instead. Bytes are fed
 * through {@link PartialMessage}, as a connection does, in every split a network could produce.
 */
class SipStreamFramerTest {

    private static final int MAX = 4096;

    /** What the framer delivered: "ping", or a message as its header text and body. */
    private static final class Recorder implements SipStreamFramer.Sink {
        final List<String> events = new ArrayList<>();

        @Override
        public void ping() {
            events.add("ping");
        }

        @Override
        public void message(byte[] buffer, int start, int bodyStart, int contentLength) {
            events.add(new String(buffer, start, bodyStart - start, StandardCharsets.ISO_8859_1) + "|"
                    + new String(buffer, bodyStart, contentLength, StandardCharsets.ISO_8859_1));
        }
    }

    /** The outcome of feeding a stream: what was delivered, and why it broke (null if it did not). */
    private record Fed(List<String> events, String broken) {
    }

    private static Fed feed(String stream, int... cuts) {
        return feed(stream.getBytes(StandardCharsets.ISO_8859_1), cuts);
    }

    /** Feeds {@code stream} in pieces ending at {@code cuts} (and at its end), as successive TLS records. */
    private static Fed feed(byte[] stream, int... cuts) {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        PartialMessage partial = new PartialMessage(MAX);
        Recorder sink = new Recorder();
        int from = 0;
        int[] ends = java.util.Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = stream.length;
        for (int end : ends) {
            byte[] piece = java.util.Arrays.copyOfRange(stream, from, end);
            if (!partial.add(piece, piece.length, framer, sink)) {
                return new Fed(sink.events, framer.brokenReason());
            }
            from = end;
        }
        return new Fed(sink.events, null);
    }

    private static String request(String method, String headers, String body) {
        return method + " sip:keyserver@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-" + method + "\r\n"
                + "Call-ID: " + method + "@example.com\r\n" + headers + "\r\n" + body;
    }

    private static String options(String body) {
        return request("OPTIONS", "Content-Length: " + body.length() + "\r\n", body);
    }

    private static String event(String message) {
        int blank = message.indexOf("\r\n\r\n") + 4;
        return message.substring(0, blank) + "|" + message.substring(blank);
    }

    @Test
    void framesAMessageByItsContentLengthAndTheNextOneAfterIt() {
        String first = options("hello");
        String second = request("MESSAGE", "Content-Length: 3\r\n", "abc");

        Fed fed = feed(first + second);

        assertNull(fed.broken());
        assertEquals(List.of(event(first), event(second)), fed.events());
    }

    @Test
    void readsTheCompactFormAndAnyCaseOfTheName() {
        String compact = request("OPTIONS", "l: 2\r\n", "ok");
        String upper = request("INFO", "CONTENT-LENGTH: 1\r\n", "x");
        String mixed = request("BYE", "cOnTeNt-LeNgTh: 0\r\n", "");

        Fed fed = feed(compact + upper + mixed);

        assertNull(fed.broken());
        assertEquals(List.of(event(compact), event(upper), event(mixed)), fed.events());
    }

    @Test
    void allowsWhitespaceAroundTheValueAndBeforeTheColon() {
        String spaced = request("OPTIONS", "Content-Length \t:  \t4 \t\r\n", "body");

        assertEquals(List.of(event(spaced)), feed(spaced).events());
    }

    @Test
    void refusesAFoldedContentLength() {
        Fed folded = feed(request("OPTIONS", "Content-Length:\r\n 4\r\n", "body"));
        Fed continued = feed(request("OPTIONS", "Content-Length: 4\r\n 0\r\n", "body"));

        assertEquals("an unreadable Content-Length", folded.broken());
        assertEquals("an unreadable Content-Length", continued.broken());
        assertTrue(folded.events().isEmpty() && continued.events().isEmpty());
    }

    @Test
    void ignoresFoldingOfOtherHeaders() {
        String folded = request("OPTIONS", "Subject: a\r\n Content-Length: 99\r\nContent-Length: 2\r\n", "ok");

        assertEquals(List.of(event(folded)), feed(folded).events());
    }

    /** RFC 3261 18.3: Content-Length MUST be there on a stream; taken as 0, the body would be the next request. */
    @Test
    void refusesAMessageWithoutContentLengthSoItsBodyIsNeverTakenForAnotherMessage() {
        String smuggled = request("INVITE", "Content-Length: 0\r\n", "");

        Fed fed = feed(request("OPTIONS", "", smuggled));

        assertEquals("a message without Content-Length", fed.broken());
        assertTrue(fed.events().isEmpty(), "delivered " + fed.events());
    }

    @Test
    void refusesTwoContentLengthsThatDisagreeAndAcceptsTwoThatAgree() {
        String smuggled = request("INVITE", "Content-Length: 0\r\n", "");
        Fed disagree = feed(request("OPTIONS", "Content-Length: 0\r\nl: " + smuggled.length() + "\r\n", smuggled));
        String agree = request("OPTIONS", "Content-Length: 2\r\nl: 2\r\n", "ok");

        assertEquals("an unreadable Content-Length", disagree.broken());
        assertTrue(disagree.events().isEmpty());
        assertEquals(List.of(event(agree)), feed(agree).events());
    }

    @Test
    void refusesLengthsThatAreNotOneToTenDigits() {
        for (String value : List.of("-1", "+1", "abc", "1a", "1 2", "0x10", "", "99999999999999999999",
                "2147483648", "00000000001")) {
            Fed fed = feed(request("OPTIONS", "Content-Length: " + value + "\r\n", ""));
            assertEquals("an unreadable Content-Length", fed.broken(), "Content-Length: " + value);
            assertTrue(fed.events().isEmpty());
        }
    }

    @Test
    void refusesALengthOverTheLimitBeforeBufferingAnyOfIt() {
        Fed fed = feed(request("OPTIONS", "Content-Length: " + (MAX + 1) + "\r\n", ""));

        assertEquals("a Content-Length of " + (MAX + 1) + " over the limit of " + MAX, fed.broken());
    }

    @Test
    void answersCrlfPingsBeforeAndBetweenMessagesAndIgnoresALoneCrlf() {
        String a = options("");
        String b = options("b");

        Fed fed = feed("\r\n\r\n" + a + "\r\n" + b + "\r\n\r\n\r\n\r\n" + "\r\n");

        assertNull(fed.broken());
        assertEquals(List.of("ping", event(a), event(b), "ping", "ping"), fed.events());
    }

    @Test
    void waitsForTheRestOfAPingOrAMessageAndBuffersNothingWhenIdle() {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        PartialMessage partial = new PartialMessage(MAX);
        Recorder sink = new Recorder();

        assertTrue(partial.add(new byte[] {'\r', '\n', '\r'}, 3, framer, sink));
        assertTrue(sink.events.isEmpty());
        assertTrue(partial.add(new byte[] {'\n'}, 1, framer, sink));

        assertEquals(List.of("ping"), sink.events);
        assertEquals(0, partial.heldBytes());
    }

    @Test
    void refusesHeaderLinesNotEndedByCrlf() {
        String bareLf = options("").replace("\r\n", "\n");
        String oneBareLf = options("").replaceFirst("\r\nCall-ID", "\nCall-ID");
        String bareCr = options("").replaceFirst("\r\nCall-ID", "\rCall-ID");
        String smuggling = request("OPTIONS", "X: a\r\rContent-Length: 4\r\n", "abcd");

        for (String stream : List.of(bareLf, oneBareLf, bareCr, smuggling)) {
            Fed fed = feed(stream);
            assertEquals("a header line not ended by CRLF", fed.broken(), stream);
            assertTrue(fed.events().isEmpty());
        }
    }

    @Test
    void refusesABareCrAtTheEndOfOneRecordFollowedByAnythingButLf() {
        String stream = options("").replaceFirst("\r\nCall-ID", "\rCall-ID");
        int cr = stream.indexOf("\rCall-ID");

        assertEquals("a header line not ended by CRLF", feed(stream, cr + 1).broken());
    }

    @Test
    void boundsAHeaderSectionThatNeverEnds() {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        PartialMessage partial = new PartialMessage(MAX);
        Recorder sink = new Recorder();
        byte[] line = "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".getBytes(StandardCharsets.US_ASCII);
        boolean open = partial.add("OPTIONS sip:a@b SIP/2.0\r\n".getBytes(StandardCharsets.US_ASCII), 25, framer, sink);
        int fed = 25;
        while (open && fed < 10 * MAX) {
            open = partial.add(line.clone(), line.length, framer, sink);
            fed += line.length;
            assertTrue(partial.heldBytes() <= MAX, "held " + partial.heldBytes());
        }

        assertFalse(open);
        assertTrue(fed <= MAX / 2 + line.length + 25, "broke only after " + fed + " bytes");
        assertEquals("headers over " + MAX / 2 + " bytes", framer.brokenReason());
    }

    @Test
    void framesManyTinyMessagesInOneRead() {
        StringBuilder stream = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String m = request("M" + i, "l: 1\r\n", "x");
            stream.append(m);
            expected.add(event(m));
            if (i % 7 == 0) {
                stream.append("\r\n\r\n");
                expected.add("ping");
            }
        }

        Fed fed = feed(stream.toString());

        assertNull(fed.broken());
        assertEquals(expected, fed.events());
    }

    @Test
    void framesTheSameWhereverTheStreamIsCut() {
        String a = options("0123456789");
        String b = request("MESSAGE", "l: 3\r\n", "\r\n\r");
        String stream = "\r\n" + a + "\r\n\r\n" + b + "\r\n";
        List<String> whole = feed(stream).events();
        assertEquals(List.of(event(a), "ping", event(b)), whole);

        for (int cut = 0; cut <= stream.length(); cut++) {
            assertEquals(whole, feed(stream, cut).events(), "cut at " + cut);
            for (int second = cut; second <= stream.length(); second += 3) {
                assertEquals(whole, feed(stream, cut, second).events(), "cut at " + cut + " and " + second);
            }
        }
        int[] everyByte = new int[stream.length()];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i;
        }
        assertEquals(whole, feed(stream, everyByte).events(), "a byte at a time");
    }

    @Test
    void refusesTheSameWhereverTheStreamIsCut() {
        String stream = options("") + request("OPTIONS", "Content-Length: 1\r\nl: 2\r\n", "ab");
        for (int cut = 0; cut <= stream.length(); cut++) {
            Fed fed = feed(stream, cut);
            assertEquals("an unreadable Content-Length", fed.broken(), "cut at " + cut);
            assertEquals(1, fed.events().size(), "cut at " + cut);
        }
    }

    @Test
    void zeroesTheReceivedPlaintextOnceFramed() {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        PartialMessage partial = new PartialMessage(MAX);
        Recorder sink = new Recorder();
        byte[] message = options("secret").getBytes(StandardCharsets.US_ASCII);
        byte[] first = java.util.Arrays.copyOf(message, 40);
        byte[] rest = java.util.Arrays.copyOfRange(message, 40, message.length);

        assertTrue(partial.add(first, first.length, framer, sink));
        assertArrayEquals(new byte[first.length], first, "the record's plaintext, once kept");
        byte[] kept = partial.buffer();
        assertNotNull(kept);
        assertTrue(partial.add(rest, rest.length, framer, sink));

        assertArrayEquals(new byte[rest.length], rest, "the record's plaintext, once delivered");
        assertArrayEquals(new byte[kept.length], kept, "the partial message's buffer, once delivered");
        assertNull(partial.buffer());
        assertEquals(1, sink.events.size());
    }

    @Test
    void zeroesAPartialMessageWhenReleased() {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        PartialMessage partial = new PartialMessage(MAX);
        byte[] head = "OPTIONS sip:a@b SIP/2.0\r\nX-Secret: s3cr3t".getBytes(StandardCharsets.US_ASCII);

        assertTrue(partial.add(head, head.length, framer, new Recorder()));
        byte[] kept = partial.buffer();
        partial.release();

        assertArrayEquals(new byte[kept.length], kept);
        assertEquals(0, partial.heldBytes());
    }

    @Test
    void growsThePartialBufferGeometricallySoAByteAtATimeCostsLinearCopying() {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        PartialMessage partial = new PartialMessage(MAX);
        byte[] message = options("x".repeat(1500)).getBytes(StandardCharsets.US_ASCII);
        int reallocations = 0;
        byte[] last = null;
        Recorder sink = new Recorder();
        for (byte b : message) {
            assertTrue(partial.add(new byte[] {b}, 1, framer, sink));
            if (partial.buffer() != null && partial.buffer() != last) {
                reallocations++;
                last = partial.buffer();
            }
        }

        assertEquals(1, sink.events.size());
        assertTrue(reallocations <= 5, reallocations + " reallocations for " + message.length + " bytes");
    }

    /** Where the framer and JAIN-SIP's parser could still read a Content-Length apart, the parser's check stops it. */
    @Test
    void theParsersContentLengthIsCheckedAgainstTheFramers() throws Exception {
        byte[] headers = options("four").substring(0, options("four").indexOf("\r\n\r\n") + 4)
                .getBytes(StandardCharsets.US_ASCII);
        SIPMessage parsed = new StringMsgParser().parseSIPMessage(headers, false, false, null);

        assertTrue(MessageSink.agrees(parsed, 4));
        assertFalse(MessageSink.agrees(parsed, 0));
        assertFalse(MessageSink.agrees(parsed, 5));
    }

    @Test
    void keepsBytesOfTheNextMessageThatArriveWithTheEndOfOne() {
        String a = options("abc");
        String b = options("defg");
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes((a + b).getBytes(StandardCharsets.US_ASCII));

        Fed fed = feed(stream.toByteArray(), a.length() + 5);

        assertEquals(List.of(event(a), event(b)), fed.events());
    }
}
