package dev.siptls.agent;

import dev.siptls.protocol.HostPort;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a client asks the key server for, as PROTOCOL.md names it in the INVITE's Request-URI: a TLS server
 * by its AOR ({@code sips:bob@example.com}) or by a {@code host:port} one of its policies binds
 * ({@code sips:www.example.com:8443}, no user part). Knowing which lets the agent check that the SA it gets
 * back is for the server it asked for.
 */
final class Target {

    private final Aor aor;
    private final HostPort address;

    private Target(Aor aor, HostPort address) {
        this.aor = aor;
        this.address = address;
    }

    /**
     * Parses {@code "sip:bob@example.com"} (or {@code sips:}, or an AOR without user part such as
     * {@code sip:www.example.com}), {@code "host:port"}, {@code "[::1]:8443"}, or {@code "sips:host:port"}
     * (a URI without user part but with a port names a binding).
     */
    static Target parse(String target) {
        Objects.requireNonNull(target, "target");
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sip:") || lower.startsWith("sips:")) {
            String rest = target.substring(target.indexOf(':') + 1);
            if (rest.indexOf('@') < 0 && looksLikeHostPort(rest)) {
                return new Target(null, HostPort.parse(rest));
            }
            return new Target(Aor.parse(target), null);
        }
        return new Target(null, HostPort.parse(target));
    }

    private static boolean looksLikeHostPort(String s) {
        int colon = s.lastIndexOf(':');
        int bracket = s.lastIndexOf(']');
        return colon > 0 && colon > bracket && s.substring(colon + 1).chars().allMatch(Character::isDigit)
                && colon < s.length() - 1;
    }

    /** The INVITE's Request-URI. */
    String requestUri() {
        return aor != null ? "sips:" + (aor.user().isEmpty() ? "" : aor.user() + "@") + aor.host()
                : "sips:" + address;
    }

    /** The server's AOR, when the target was one. */
    Optional<Aor> aor() {
        return Optional.ofNullable(aor);
    }

    /** The server's {@code host:port}, when the target was one. */
    Optional<HostPort> address() {
        return Optional.ofNullable(address);
    }

    @Override
    public String toString() {
        return aor != null ? aor.toString() : address.toString();
    }
}
