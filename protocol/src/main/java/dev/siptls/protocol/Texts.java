package dev.siptls.protocol;

/** Small text helpers shared by the value classes: quoting input into messages, hex. */
final class Texts {

    /** Longest piece of input echoed into an error message. */
    private static final int MAX_QUOTED = 80;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Texts() {
    }

    /** Untrusted input in double quotes, made safe by {@link #clean}. */
    static String quote(String s) {
        return s == null ? "null" : '"' + clean(s) + '"';
    }

    /**
     * Untrusted input made fit for an error message: one line, printable, bounded. Messages end up in
     * SIP reason phrases and logs, so input must not be able to break lines or flood them.
     */
    static String clean(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 3);
        for (int i = 0; i < s.length() && i < MAX_QUOTED; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || Character.isWhitespace(c) && c != ' ' ? '?' : c);
        }
        return s.length() > MAX_QUOTED ? b.append("...").toString() : b.toString();
    }

    /** Lower-case hex of non-secret bytes (session ids, randoms). */
    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
