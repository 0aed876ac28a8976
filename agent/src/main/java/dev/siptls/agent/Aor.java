package dev.siptls.agent;

import java.util.Locale;
import java.util.Objects;

/**
 * An address of record as PROTOCOL.md compares them: scheme {@code sip} or {@code sips} alike, the user part
 * exactly, the host (with its port, if any) case-insensitively. Parsed once, so that the agent never
 * compares AOR strings by hand.
 */
final class Aor {

    private final String user;
    private final String host;
    private final String text;

    private Aor(String user, String host, String text) {
        this.user = user;
        this.host = host;
        this.text = text;
    }

    /** Parses {@code sip:alice@example.com}, {@code sips:bob@example.com} or {@code sip:www.example.com}. */
    static Aor parse(String aor) {
        Objects.requireNonNull(aor, "AOR");
        String lower = aor.toLowerCase(Locale.ROOT);
        int start = lower.startsWith("sip:") ? 4 : lower.startsWith("sips:") ? 5 : -1;
        if (start < 0) {
            throw new IllegalArgumentException("an AOR is a sip: or sips: URI, got \"" + printable(aor) + "\"");
        }
        String rest = aor.substring(start);
        if (rest.chars().anyMatch(c -> c <= ' ' || c == 0x7F || "<>\";?".indexOf(c) >= 0)) {
            throw new IllegalArgumentException("an AOR has no parameters, headers or spaces: \""
                    + printable(aor) + "\"");
        }
        int at = rest.lastIndexOf('@');
        String user = at < 0 ? "" : rest.substring(0, at);
        String host = (at < 0 ? rest : rest.substring(at + 1)).toLowerCase(Locale.ROOT);
        if (host.isEmpty() || (at >= 0 && user.isEmpty())) {
            throw new IllegalArgumentException("incomplete AOR \"" + printable(aor) + "\"");
        }
        return new Aor(user, host, aor);
    }

    /** Whether {@code other} parses to the same AOR; false if it does not parse. */
    boolean sameAs(String other) {
        try {
            return equals(parse(other));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The user part; empty for an AOR such as {@code sip:www.example.com}. */
    String user() {
        return user;
    }

    /** The domain (host, and port if given), lower case. */
    String host() {
        return host;
    }

    /**
     * The AOR as the key server keys it and a possession proof names it: {@code sip:}, the user part exactly,
     * the host in lower case without port.
     */
    String canonical() {
        String name = host;
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            name = close < 0 ? name : name.substring(0, close + 1);
        } else if (name.indexOf(':') >= 0) {
            name = name.substring(0, name.indexOf(':'));
        }
        return "sip:" + (user.isEmpty() ? "" : user + "@") + name;
    }

    /** {@code sips:<domain>}: where REGISTER and MESSAGE go. */
    String registrarUri() {
        return "sips:" + host;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Aor a && user.equals(a.user) && host.equals(a.host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, host);
    }

    /** The AOR as configured. */
    @Override
    public String toString() {
        return text;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }
}
