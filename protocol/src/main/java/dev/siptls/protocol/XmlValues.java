package dev.siptls.protocol;

import java.io.ByteArrayInputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Element text to values, with messages that name the element. Messages quote the input only for
 * values that are never secret; binary values are described, never shown.
 */
final class XmlValues {

    private XmlValues() {
    }

    /** Text without the surrounding whitespace that pretty-printed XML adds. */
    static String text(String text) {
        return text.strip();
    }

    /** A number of seconds; range checks are the value classes' job. */
    static Duration seconds(String element, String text) throws InvalidBodyException {
        String s = text(text);
        if (!digits(s.startsWith("-") ? s.substring(1) : s, 18)) {
            throw new InvalidBodyException("<" + element + "> must be whole seconds, got " + Texts.quote(s));
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }

    static boolean bool(String element, String text) throws InvalidBodyException {
        return switch (text(text)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidBodyException("<" + element + "> must be true or false");
        };
    }

    /** 1 to {@code max} ASCII digits. */
    private static boolean digits(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** An ISO-8601 UTC instant ({@code 2026-11-29T19:00:00Z}); other offsets are refused. */
    static Instant utc(String element, String text) throws InvalidBodyException {
        String s = text(text);
        Instant plain = wholeSecondsUtc(s);
        if (plain != null) {
            return plain;
        }
        try {
            if (s.endsWith("Z")) {
                return Instant.parse(s);
            }
        } catch (DateTimeException e) {
            // fall through to the message below
        }
        throw new InvalidBodyException("<" + element + "> must be an ISO-8601 UTC time like 2026-11-29T19:00:00Z");
    }

    /**
     * The form key servers write, {@code yyyy-MM-ddTHH:mm:ssZ}, read without the date-time parser (slow for what
     * it is); null for anything else, which {@link Instant#parse} then reads or refuses as before.
     */
    private static Instant wholeSecondsUtc(String s) {
        if (s.length() != 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(19) != 'Z') {
            return null;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 7);
        int day = number(s, 8, 10);
        int hour = number(s, 11, 13);
        int minute = number(s, 14, 16);
        int second = number(s, 17, 19);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        try {
            return java.time.LocalDateTime.of(year, month, day, hour, minute, second)
                    .toInstant(java.time.ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // 24:00, a leap second, 30 February: as Instant.parse has them
        }
    }

    /** The decimal number in {@code s[from, to)}, or -1 unless all digits. */
    private static int number(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    static int port(String element, String text) throws InvalidBodyException {
        String s = text(text);
        if (!digits(s, 5)) {
            throw new InvalidBodyException("<" + element + "> must be a port number, got " + Texts.quote(s));
        }
        return Integer.parseInt(s);
    }

    /**
     * Standard base64 (RFC 4648 section 4), whitespace ignored. Every intermediate array is zeroed,
     * so the caller only has the result to zero when the value is a secret.
     */
    static byte[] base64(String element, String text) throws InvalidBodyException {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            length += isXmlSpace(text.charAt(i)) ? 0 : 1;
        }
        byte[] ascii = new byte[length];
        try {
            int n = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c > 0x7F) {
                    throw badBase64(element);
                }
                if (!isXmlSpace(c)) {
                    ascii[n++] = (byte) c;
                }
            }
            return Base64.getDecoder().decode(ascii);
        } catch (IllegalArgumentException e) {
            throw badBase64(element);
        } finally {
            Arrays.fill(ascii, (byte) 0);
        }
    }

    /** DER X.509 certificates, in order; each must be exactly one certificate and nothing more. */
    static List<X509Certificate> certificates(String element, String parent, List<String> texts)
            throws InvalidBodyException {
        return certificates(element, parent, texts, null);
    }

    /** As {@link #certificates(String, String, List)}, taking texts seen before from {@code recent} (null: none). */
    static List<X509Certificate> certificates(String element, String parent, List<String> texts,
            RecentCertificates recent) throws InvalidBodyException {
        List<X509Certificate> chain = new ArrayList<>(texts.size());
        for (String text : texts) {
            X509Certificate seen = recent == null ? null : recent.get(text);
            if (seen != null) {
                chain.add(seen);
                continue;
            }
            byte[] der = base64(element, text);
            String which = "<" + element + "> " + (chain.size() + 1) + " in <" + parent + ">";
            try {
                Certificate c = x509().generateCertificate(new ByteArrayInputStream(der));
                if (!(c instanceof X509Certificate x) || !Arrays.equals(x.getEncoded(), der)) {
                    throw new InvalidBodyException(which + " is not exactly one DER X.509 certificate");
                }
                chain.add(x);
                if (recent != null) {
                    recent.put(text, x);
                }
            } catch (CertificateException e) {
                throw new InvalidBodyException(which + " is not a DER X.509 certificate");
            }
        }
        return chain;
    }

    /** One factory per thread: the provider lookup costs a third of parsing a certificate the JDK has cached. */
    private static final ThreadLocal<CertificateFactory> X509 = ThreadLocal.withInitial(() -> {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 certificate factory", e);
        }
    });

    private static CertificateFactory x509() {
        return X509.get();
    }

    private static boolean isXmlSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static InvalidBodyException badBase64(String element) {
        return new InvalidBodyException("bad base64 in <" + element + ">");
    }
}
