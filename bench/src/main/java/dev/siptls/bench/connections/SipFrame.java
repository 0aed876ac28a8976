package dev.siptls.bench.connections;

import java.util.Locale;

/**
 * What the key server sent a load agent, as much as the load generator needs of it: a CRLF keep-alive
 * answer (RFC 5626 "pong"), a response (status, the method of its CSeq, the REGISTER's nonce), or a request
 * (which a load agent does not answer).
 */
record SipFrame(Kind kind, int status, String reason, String method, String challenge) {

    enum Kind { PONG, RESPONSE, REQUEST }

    static final SipFrame PONG = new SipFrame(Kind.PONG, 0, "", "", null);

    /** Reads the start line and the few headers used from a message's header block (no body). */
    static SipFrame parse(String head) {
        String[] lines = head.split("\r\n");
        if (!lines[0].startsWith("SIP/2.0 ")) {
            return new SipFrame(Kind.REQUEST, 0, "", lines[0].split(" ", 2)[0], null);
        }
        int status = Integer.parseInt(lines[0].substring(8, 11));
        String method = "";
        String challenge = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            if (name.equals("cseq")) {
                String[] parts = value.split("\\s+");
                method = parts[parts.length - 1];
            } else if (name.equals("siptls-challenge")) {
                challenge = value;
            }
        }
        return new SipFrame(Kind.RESPONSE, status, lines[0].length() > 12 ? lines[0].substring(12) : "", method,
                challenge);
    }

    /** The Content-Length of a header block (compact form {@code l} too); 0 when absent. */
    static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                if (name.equals("content-length") || name.equals("l")) {
                    return Integer.parseInt(line.substring(colon + 1).strip());
                }
            }
        }
        return 0;
    }
}
