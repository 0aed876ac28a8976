package dev.siptls.server;

import java.util.Locale;

/**
 * Addresses of record as the key server keys them: {@code sip:user@host}, scheme {@code sips} folded into
 * {@code sip}, host lower-cased, port and parameters dropped, user part kept exactly (as
 * {@link dev.siptls.sip.CertificateNames#provesAor} compares it).
 */
final class Aors {

    private Aors() {
    }

    /** The canonical form of a {@code sip:}/{@code sips:} AOR, or {@code null} if it is not one. */
    static String canonical(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sips:")) {
            s = s.substring(5);
        } else if (lower.startsWith("sip:")) {
            s = s.substring(4);
        } else {
            return null;
        }
        int cut = firstOf(s, ";?>");
        if (cut >= 0) {
            s = s.substring(0, cut);
        }
        int at = s.lastIndexOf('@');
        String user = at >= 0 ? s.substring(0, at) : "";
        String host = at >= 0 ? s.substring(at + 1) : s;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = host.substring(0, close + 1);
        } else {
            int colon = host.indexOf(':');
            if (colon >= 0) {
                host = host.substring(0, colon);
            }
        }
        if (host.isEmpty() || (at >= 0 && user.isEmpty()) || !printable(user) || !printable(host)) {
            return null;
        }
        return "sip:" + (user.isEmpty() ? "" : user + "@") + host.toLowerCase(Locale.ROOT);
    }

    /** The domain (host part) of an AOR, lower-cased, or {@code null}. */
    static String domain(String aor) {
        String c = canonical(aor);
        if (c == null) {
            return null;
        }
        int at = c.lastIndexOf('@');
        return at >= 0 ? c.substring(at + 1) : c.substring(4);
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == '<' || c == '>' || c == '"') {
                return false;
            }
        }
        return true;
    }
}
