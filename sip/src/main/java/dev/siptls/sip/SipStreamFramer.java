package dev.siptls.sip;

/**
 * Cuts SIP messages out of a byte stream (RFC 3261 18.3): a message is its headers up to the blank line and
 * then exactly Content-Length bytes of body; a CRLFCRLF between messages is a keep-alive ping (RFC 5626
 * 4.4.1), a lone CRLF is ignored. Stateless: the caller keeps what was not consumed and offers it again with
 * more bytes. Limits are checked before anything is kept, so a peer announcing a message over
 * {@code maxMessageSize} (or sending headers over half of it, JAIN-SIP's own limit) breaks the stream at once
 * instead of being buffered.
 *
 * <p>The framer decides where a message ends, and refuses (breaks the stream) whatever the SIP parser could
 * read otherwise, so no bytes of one message can be taken for another: a header section whose lines do not all
 * end in CRLF (JAIN-SIP's parser also ends lines at a bare CR or LF), a message without Content-Length (RFC
 * 3261 18.3 requires it on a stream; taking it as 0, as JAIN-SIP does, would frame a body as the next
 * message), two Content-Lengths that disagree, a folded Content-Length, and a value that is not 1 to 10
 * digits. The parser's reading of Content-Length is checked against the framer's afterwards
 * ({@link MessageSink}).
 */
final class SipStreamFramer {

    /** Returned by {@link #frame} when the stream can no longer be framed or breaks a limit. */
    static final int BROKEN = -1;

    static final int NO_LENGTH = -1;
    static final int BAD_LENGTH = -2;
    private static final int BARE_LINE_BREAK = -2;

    interface Sink {
        /** A CRLFCRLF keep-alive ping. */
        void ping();

        /** One whole message: headers {@code [start, bodyStart)} and {@code contentLength} bytes of body. */
        void message(byte[] buffer, int start, int bodyStart, int contentLength);
    }

    private final int maxMessageSize;
    private String broken;
    private int searched;

    SipStreamFramer(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * How much of the unconsumed rest the last {@link #frame} searched for a blank line without finding one: 0
     * when the rest's headers are complete and only its body is missing. Pass it back with the rest.
     */
    int searched() {
        return searched;
    }

    /** Why the last {@link #frame} returned {@link #BROKEN}. */
    String brokenReason() {
        return broken;
    }

    /**
     * Delivers every whole message and ping in {@code buffer[from, end)} to {@code sink}, in order.
     *
     * @param searchedTo {@link #searched()} after the call that left this partial message, so that headers
     *     arriving a byte at a time are not searched again from their start
     * @return where the unconsumed rest begins (the start of a partial message or ping), or {@link #BROKEN}
     */
    int frame(byte[] buffer, int from, int end, int searchedTo, Sink sink) {
        searched = 0;
        int pos = from;
        int searchFrom = Math.max(from, from + searchedTo - 3);
        while (pos < end) {
            byte b = buffer[pos];
            if (b == '\r' || b == '\n') {
                if (end - pos >= 4 && b == '\r' && buffer[pos + 1] == '\n' && buffer[pos + 2] == '\r'
                        && buffer[pos + 3] == '\n') {
                    sink.ping();
                    pos += 4;
                    searchFrom = pos;
                    continue;
                }
                if (end - pos < 4 && isPingPrefix(buffer, pos, end)) {
                    return pos;
                }
                pos++;
                searchFrom = Math.max(searchFrom, pos);
                continue;
            }
            int blank = indexOfBlankLine(buffer, pos, Math.max(pos, searchFrom), end);
            int headerLimit = maxMessageSize / 2;
            if (blank == BARE_LINE_BREAK) {
                broken = "a header line not ended by CRLF";
                return BROKEN;
            }
            if (blank < 0) {
                if (end - pos > headerLimit) {
                    broken = "headers over " + headerLimit + " bytes";
                    return BROKEN;
                }
                searched = end - pos;
                return pos;
            }
            int bodyStart = blank + 4;
            if (bodyStart - pos > headerLimit) {
                broken = "headers over " + headerLimit + " bytes";
                return BROKEN;
            }
            int length = contentLength(buffer, pos, bodyStart);
            if (length == BAD_LENGTH) {
                broken = "an unreadable Content-Length";
                return BROKEN;
            }
            if (length == NO_LENGTH) {
                broken = "a message without Content-Length";
                return BROKEN;
            }
            if (length > maxMessageSize) {
                broken = "a Content-Length of " + length + " over the limit of " + maxMessageSize;
                return BROKEN;
            }
            if (end - bodyStart < length) {
                return pos;
            }
            sink.message(buffer, pos, bodyStart, length);
            pos = bodyStart + length;
            searchFrom = pos;
        }
        return pos;
    }

    private static boolean isPingPrefix(byte[] buffer, int pos, int end) {
        byte[] ping = {'\r', '\n', '\r', '\n'};
        for (int i = pos; i < end; i++) {
            if (buffer[i] != ping[i - pos]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the blank line ending the headers that start at {@code start} begins, searching from {@code from}; -1
     * if not there yet, {@link #BARE_LINE_BREAK} if a CR or LF in them is not part of a CRLF.
     */
    private static int indexOfBlankLine(byte[] buffer, int start, int from, int end) {
        for (int i = from; i < end; i++) {
            byte c = buffer[i];
            if (c == '\n') {
                if (i == start || buffer[i - 1] != '\r') {
                    return BARE_LINE_BREAK;
                }
            } else if (c == '\r') {
                if (i + 1 == end) {
                    return -1;
                }
                if (buffer[i + 1] != '\n') {
                    return BARE_LINE_BREAK;
                }
                if (i + 3 < end && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * The Content-Length (or compact {@code l}) header's value in the headers {@code [start, end)}; NO_LENGTH if
     * there is none, BAD_LENGTH if it is not a number or two disagree. Stream framing rests on it, so the SIP
     * parser's reading of it is checked against this one afterwards.
     */
    static int contentLength(byte[] buffer, int start, int end) {
        int found = NO_LENGTH;
        int line = start;
        boolean first = true;
        boolean afterLength = false;
        while (line < end) {
            int eol = line;
            while (eol < end && buffer[eol] != '\n') {
                eol++;
            }
            if (!first) {
                boolean continuation = buffer[line] == ' ' || buffer[line] == '\t';
                if (continuation && afterLength) {
                    return BAD_LENGTH; // a folded value: the parser would join what this reads apart
                }
                int value = continuation ? NO_LENGTH : lengthIn(buffer, line, eol);
                if (value == BAD_LENGTH || (value != NO_LENGTH && found != NO_LENGTH && value != found)) {
                    return BAD_LENGTH;
                }
                if (value != NO_LENGTH) {
                    found = value;
                }
                if (!continuation) {
                    afterLength = value != NO_LENGTH;
                }
            }
            first = false;
            line = eol + 1;
        }
        return found;
    }

    private static int lengthIn(byte[] buffer, int start, int end) {
        int colon = start;
        while (colon < end && buffer[colon] != ':') {
            colon++;
        }
        if (colon == end) {
            return NO_LENGTH;
        }
        int nameEnd = colon;
        while (nameEnd > start && (buffer[nameEnd - 1] == ' ' || buffer[nameEnd - 1] == '\t')) {
            nameEnd--;
        }
        if (!nameIs(buffer, start, nameEnd, "content-length") && !nameIs(buffer, start, nameEnd, "l")) {
            return NO_LENGTH;
        }
        int i = colon + 1;
        while (i < end && (buffer[i] == ' ' || buffer[i] == '\t')) {
            i++;
        }
        long value = 0;
        int digits = 0;
        for (; i < end && buffer[i] >= '0' && buffer[i] <= '9'; i++) {
            if (++digits > 10) {
                return BAD_LENGTH;
            }
            value = value * 10 + (buffer[i] - '0');
        }
        for (; i < end; i++) {
            if (buffer[i] != ' ' && buffer[i] != '\t' && buffer[i] != '\r') {
                return BAD_LENGTH;
            }
        }
        return digits == 0 || value > Integer.MAX_VALUE ? BAD_LENGTH : (int) value;
    }

    private static boolean nameIs(byte[] buffer, int start, int end, String name) {
        if (end - start != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase((char) buffer[start + i]) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
