package dev.siptls.protocol;

import java.util.Locale;
import java.util.Objects;

/**
 * A TLS server's {@code host:port}, as a policy binds it and as an SA's server side carries it.
 *
 * <p>The host is kept lower-cased, because BCJSSE looks client sessions up by lower-case
 * {@code "host:port"}; an IPv6 literal is kept without brackets and printed with them.
 *
 * @param host a DNS name or IP literal, non-empty, no whitespace, {@code '/'}, brackets or {@code '@'}
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {

    private static final int MAX_HOST_LENGTH = 255;

    /** Validates and lower-cases the host. */
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (host.length() > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException("host longer than " + MAX_HOST_LENGTH + " characters");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == 0x7F || Character.isWhitespace(c) || "/[]@".indexOf(c) >= 0) {
                throw new IllegalArgumentException("illegal character in host: " + Texts.quote(host));
            }
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.indexOf(':') >= 0 && !host.matches("[0-9a-f:.]+")) {
            throw new IllegalArgumentException("host with ':' is not an IPv6 address: " + Texts.quote(host));
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535: " + port);
        }
    }

    /**
     * Parses {@code "www.example.com:8443"}, {@code "192.0.2.1:443"} or {@code "[::1]:8443"}.
     * The port is required; IPv6 addresses must be in brackets.
     */
    public static HostPort parse(String s) {
        Objects.requireNonNull(s, "host:port");
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in " + Texts.quote(s));
            }
            if (close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected host:port, missing port in " + Texts.quote(s));
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("brackets are only for IPv6 addresses: " + Texts.quote(s));
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected host:port, missing port in " + Texts.quote(s));
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("IPv6 address must be in brackets: " + Texts.quote(s));
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host in " + Texts.quote(s));
        }
        return new HostPort(host, parsePort(port, s));
    }

    private static int parsePort(String port, String whole) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port is not a number 1..65535 in " + Texts.quote(whole));
        }
        return Integer.parseInt(port);
    }

    /** {@code host:port}, with an IPv6 host in brackets; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
