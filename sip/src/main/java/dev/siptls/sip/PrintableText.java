package dev.siptls.sip;

/**
 * Text a peer controls (a certificate's subject, an alert, an exception message quoting peer data, a SIP reason
 * phrase) made safe to put into one log or terminal line: every control character (C0, DEL, C1), the line and
 * paragraph separators U+2028/U+2029 and the bidirectional overrides is shown as an escape ({@code \n},
 * {@code \r}, {@code \t}, else {@code \}{@code uXXXX}), so that it can neither start a forged line nor move a
 * terminal's cursor. Backslashes are left alone: escaping twice changes nothing.
 */
public final class PrintableText {

    private PrintableText() {
    }

    /** {@code text} with its control characters escaped; "null" for null. */
    public static String of(Object text) {
        String s = String.valueOf(text);
        int i = 0;
        while (i < s.length() && !escaped(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!escaped(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean escaped(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
