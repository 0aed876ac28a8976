package dev.siptls.provider;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Whether a server certificate names a host, as endpoint identification {@code "HTTPS"} asks
 * (RFC 2818 / RFC 6125): a {@code dNSName} equal to the host or a wildcard for its left-most label
 * ({@code *.example.com}), or an {@code iPAddress} equal to an IP-literal host. The subject CN never
 * counts. Used on an SA's certificate chain, which no handshake presents and so no trust manager sees
 * with the connection.
 */
final class HostnameMatcher {

    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private HostnameMatcher() {
    }

    static boolean matches(String host, X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null || host == null || host.isEmpty()) {
            return false;
        }
        boolean ipLiteral = isIpLiteral(host);
        for (List<?> name : names) {
            int type = (Integer) name.get(0);
            if (ipLiteral && type == IP_ADDRESS && sameAddress(host, (String) name.get(1))) {
                return true;
            }
            if (!ipLiteral && type == DNS_NAME && dnsMatches(host, (String) name.get(1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean dnsMatches(String host, String pattern) {
        String h = normalise(host);
        String p = normalise(pattern);
        if (p.equals(h)) {
            return true;
        }
        if (!p.startsWith("*.") || p.indexOf('.', 2) < 0) { // no wildcard, or one over a single label
            return false;
        }
        String suffix = p.substring(1);
        int firstDot = h.indexOf('.');
        return firstDot > 0 && h.substring(firstDot).equals(suffix);
    }

    private static String normalise(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        String[] octets = host.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Compares two IP literals; {@code InetAddress.getByName} does no lookup for literals. */
    private static boolean sameAddress(String host, String address) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(h).equals(InetAddress.getByName(address));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
