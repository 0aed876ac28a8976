package dev.siptls.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.regex.Pattern;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * JAIN-SIP's parser, made to see the SIP version (RFC 3261 8.2.2 and 7.1): jain-sip-ri 1.3.0-91 reads any
 * {@code SIP/x.y} as {@code SIP/2.0} (its {@code Parser.sipVersion()} creates its "Expecting SIP/2.0" exception
 * but never throws it), so the stack's own check, which answers {@code 505 Version Not Supported} on the
 * request's connection before any transaction exists, never fires. These parsers put the version the request
 * line really names back into the parsed request, so that check does fire, on every transport of every endpoint
 * (the key server's TLS and plain-TCP listeners, an agent's connection); a response of another version is
 * refused as unparsable, that is dropped. An ACK of another version is dropped too, unanswered: an ACK is never
 * answered (RFC 3261 8.2.6, 17.2.1).
 *
 * <p>Public only because JAIN-SIP instantiates it by name ({@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}).
 */
public final class SipVersionParserFactory implements MessageParserFactory {

    static final String SUPPORTED = "SIP/2.0";
    /** What the lexer accepted as a version ("SIP" "/" token), bounded, so that it can go into a reason phrase. */
    private static final Pattern PRINTABLE = Pattern.compile("[!-~]{1,32}");

    public SipVersionParserFactory() {
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return new Parser();
    }

    /** One per caller: a {@link StringMsgParser} keeps no state between messages, but callers do not share it. */
    private static final class Parser extends StringMsgParser {
        @Override
        public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict,
                ParseExceptionListener listener) throws ParseException {
            String firstLine = firstLine(bytes);
            if (firstLine != null && firstLine.regionMatches(true, 0, "SIP/", 0, 4)
                    && !firstLine.split("[ \t]", 2)[0].equals(SUPPORTED)) {
                throw new ParseException("a response of another SIP version than " + SUPPORTED, 0);
            }
            SIPMessage message = super.parseSIPMessage(bytes, readBody, strict, listener);
            if (message instanceof SIPRequest request && request.getRequestLine() != null && firstLine != null) {
                String version = firstLine.substring(Math.max(firstLine.lastIndexOf(' '),
                        firstLine.lastIndexOf('\t')) + 1);
                if (!version.equalsIgnoreCase(SUPPORTED)) {
                    request.getRequestLine().setSipVersion(PRINTABLE.matcher(version).matches() ? version : "SIP/?");
                    if (Request.ACK.equalsIgnoreCase(request.getMethod())) {
                        // Without Via the stack's channel drops it silently, ahead of its 505; refused here as
                        // unparsable instead, it would leave its body unread in JAIN-SIP's blocking transports.
                        request.removeHeader(ViaHeader.NAME);
                    }
                }
            }
            return message;
        }
    }

    /** The request or status line as JAIN-SIP finds it (after leading control characters, trailing LWS cut). */
    static String firstLine(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        int start = 0;
        while (start < bytes.length && bytes[start] < 0x20) {
            start++;
        }
        int end = start;
        while (end < bytes.length && bytes[end] != '\r' && bytes[end] != '\n') {
            end++;
        }
        while (end > start && (bytes[end - 1] & 0xff) <= 0x20) {
            end--;
        }
        return end == start ? null : new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }
}
