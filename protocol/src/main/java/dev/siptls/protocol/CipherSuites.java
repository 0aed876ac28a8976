package dev.siptls.protocol;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cipher suites SIP-TLS can distribute, by IANA name and two-byte code: TLS 1.2 suites, whose SAs are
 * sessions to resume, and the TLS 1.3 suites, whose SAs are external PSKs used with {@code psk_dhe_ke}.
 *
 * <p>A security association is only useful if both peers can use it, so the list is limited to
 * suites that BCJSSE and OpenSSL both implement (plus the paper's own examples). Codes are from the
 * IANA "TLS Cipher Suites" registry; they are what an OpenSSL session file carries. The TLS 1.3 suites'
 * OpenSSL names are their IANA names.
 */
public final class CipherSuites {

    /** The protocol version of TLS 1.2 suites and SAs, as JSSE names it. */
    public static final String TLS_1_2 = "TLSv1.2";
    /** The protocol version of TLS 1.3 suites and SAs, as JSSE names it. */
    public static final String TLS_1_3 = "TLSv1.3";
    /** The versions SIP-TLS distributes SAs for, newest first. */
    public static final List<String> PROTOCOL_VERSIONS = List.of(TLS_1_3, TLS_1_2);

    private static final Map<String, Integer> CODES = codes();
    private static final Map<Integer, String> NAMES = names(CODES);

    private CipherSuites() {
    }

    /** Whether SIP-TLS can distribute this suite; {@code false} for null. */
    public static boolean isKnown(String ianaName) {
        return ianaName != null && CODES.containsKey(ianaName);
    }

    /** The two-byte code of a known suite, e.g. {@code 0xC02F}. */
    public static int code(String ianaName) {
        Integer code = ianaName == null ? null : CODES.get(ianaName);
        if (code == null) {
            throw new IllegalArgumentException("unknown cipher suite: " + Texts.clean(ianaName));
        }
        return code;
    }

    /** The IANA name of a known suite code. */
    public static String name(int code) {
        String name = NAMES.get(code);
        if (name == null) {
            throw new IllegalArgumentException(String.format("unknown cipher suite code: 0x%04X", code));
        }
        return name;
    }

    /** Whether a known suite is a TLS 1.3 one ({@code TLS_AES_128_GCM_SHA256} etc.); {@code false} otherwise. */
    public static boolean isTls13(String ianaName) {
        return isKnown(ianaName) && (CODES.get(ianaName) & 0xFF00) == 0x1300;
    }

    /** {@link #TLS_1_3} or {@link #TLS_1_2}: the version a known suite belongs to. */
    public static String protocolVersion(String ianaName) {
        code(ianaName); // throws for unknown suites
        return isTls13(ianaName) ? TLS_1_3 : TLS_1_2;
    }

    /**
     * The length of a TLS 1.3 suite's hash, which is the length of its SA's PSK: 48 for the SHA-384 suite, 32
     * for the SHA-256 ones (RFC 8446 section 4.2.11: a PSK is used with the hash of its suite).
     *
     * @throws IllegalArgumentException for anything but a TLS 1.3 suite
     */
    public static int hashLength(String tls13Suite) {
        if (!isTls13(tls13Suite)) {
            throw new IllegalArgumentException("not a TLS 1.3 cipher suite: " + Texts.clean(tls13Suite));
        }
        return tls13Suite.endsWith("_SHA384") ? 48 : 32;
    }

    /** Whether {@code version} is one SIP-TLS distributes SAs for ({@link #PROTOCOL_VERSIONS}). */
    public static boolean isKnownVersion(String version) {
        return version != null && PROTOCOL_VERSIONS.contains(version);
    }

    /**
     * Whether a suite is issuable by default: an AEAD cipher (GCM, CCM, ChaCha20-Poly1305) with a
     * forward-secret key exchange (ECDHE or DHE), and every TLS 1.3 suite (all AEAD; SIP-TLS uses their SAs only
     * with {@code psk_dhe_ke}, an (EC)DHE exchange). CBC, 3DES, RC4 and NULL ciphers, and the plain RSA key
     * exchange, are not: a key server issues them only where its deployer allows legacy suites.
     * {@code false} for unknown names.
     */
    public static boolean isAeadWithForwardSecrecy(String ianaName) {
        if (!isKnown(ianaName)) {
            return false;
        }
        if (isTls13(ianaName)) {
            return true;
        }
        boolean forwardSecret = ianaName.startsWith("TLS_ECDHE_") || ianaName.startsWith("TLS_DHE_");
        boolean aead = ianaName.contains("_GCM_") || ianaName.contains("_CCM")
                || ianaName.contains("_CHACHA20_POLY1305_");
        return forwardSecret && aead;
    }

    /** All known suite names, unmodifiable, in a stable order (TLS 1.3 suites, then TLS 1.2 AEAD suites first). */
    public static Set<String> names() {
        return CODES.keySet();
    }

    private static Map<String, Integer> codes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("TLS_AES_128_GCM_SHA256", 0x1301);
        m.put("TLS_AES_256_GCM_SHA384", 0x1302);
        m.put("TLS_CHACHA20_POLY1305_SHA256", 0x1303);
        m.put("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B);
        m.put("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C);
        m.put("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F);
        m.put("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030);
        m.put("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9);
        m.put("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8);
        m.put("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009E);
        m.put("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x009F);
        m.put("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C);
        m.put("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D);
        m.put("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC023);
        m.put("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xC024);
        m.put("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC027);
        m.put("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xC028);
        m.put("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC009);
        m.put("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xC00A);
        m.put("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013);
        m.put("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xC014);
        m.put("TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003C);
        m.put("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F);
        m.put("TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035);
        m.put("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A);
        return Collections.unmodifiableMap(m);
    }

    private static Map<Integer, String> names(Map<String, Integer> codes) {
        Map<Integer, String> m = new HashMap<>();
        codes.forEach((name, code) -> m.put(code, name));
        return Map.copyOf(m);
    }
}
