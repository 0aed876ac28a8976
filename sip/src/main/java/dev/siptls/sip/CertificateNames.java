package dev.siptls.sip;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * What a certificate proves, by its subjectAltNames only (never the subject CN).
 *
 * <ul>
 *   <li>An AOR {@code sip:user@domain} is proven by a {@code uniformResourceIdentifier} equal to it (scheme
 *       {@code sip} or {@code sips}, host compared case-insensitively, user part exactly); an AOR without a
 *       user part ({@code sip:www.example.com}) also by a {@code dNSName} equal to its host.</li>
 *   <li>A host is proven as RFC 6125 says: a {@code dNSName} equal to it, or with one wildcard as the whole
 *       left-most label ({@code *.example.com} covers {@code a.example.com}, not {@code a.b.example.com});
 *       an IP literal by an {@code iPAddress} entry.</li>
 * </ul>
 */
public final class CertificateNames {

    private static final int DNS = 2;
    private static final int URI_NAME = 6;
    private static final int IP = 7;

    private CertificateNames() {
    }

    public static boolean provesAor(X509Certificate certificate, String aor) {
        Aor wanted = Aor.parse(aor);
        if (wanted == null) {
            return false;
        }
        for (String uri : names(certificate, URI_NAME)) {
            if (wanted.equals(Aor.parse(uri))) {
                return true;
            }
        }
        return wanted.user.isEmpty() && names(certificate, DNS).stream()
                .anyMatch(dns -> dns.equalsIgnoreCase(wanted.host));
    }

    public static boolean matchesHost(X509Certificate certificate, String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (isIpLiteral(h)) {
            byte[] wanted = ipBytes(h);
            return names(certificate, IP).stream().anyMatch(ip -> java.util.Arrays.equals(ipBytes(ip), wanted));
        }
        String name = h.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        for (String dns : names(certificate, DNS)) {
            if (dnsMatches(dns.toLowerCase(Locale.ROOT), name)) {
                return true;
            }
        }
        return false;
    }

    /** The subjectAltNames of one type, empty if none or unreadable. */
    public static List<String> names(X509Certificate certificate, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> entry : all) {
                    if (((Integer) entry.get(0)) == type && entry.get(1) instanceof String) {
                        out.add((String) entry.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return out;
    }

    private static boolean dnsMatches(String pattern, String host) {
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        String suffix = pattern.substring(1);
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(suffix) && suffix.indexOf('.', 1) > 0;
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static byte[] ipBytes(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return new byte[0];
        }
    }

    /** A SIP AOR reduced to what identifies it: user and lower-cased host, no scheme, port or parameters. */
    private record Aor(String user, String host) {
        static Aor parse(String text) {
            if (text == null) {
                return null;
            }
            String s = text.trim();
            String lower = s.toLowerCase(Locale.ROOT);
            if (lower.startsWith("sips:")) {
                s = s.substring(5);
            } else if (lower.startsWith("sip:")) {
                s = s.substring(4);
            } else {
                return null;
            }
            int params = s.indexOf(';');
            if (params >= 0) {
                s = s.substring(0, params);
            }
            int at = s.lastIndexOf('@');
            String user = at >= 0 ? s.substring(0, at) : "";
            String host = at >= 0 ? s.substring(at + 1) : s;
            if (host.isEmpty() || (at >= 0 && user.isEmpty())) {
                return null;
            }
            try {
                new URI("sip", user.isEmpty() ? null : user, host, -1, null, null, null);
            } catch (URISyntaxException e) {
                return null;
            }
            return new Aor(user, host.toLowerCase(Locale.ROOT));
        }
    }
}
