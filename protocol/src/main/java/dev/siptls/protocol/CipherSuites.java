package dev.siptls.protocol;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The TLS 1.2 cipher suites SIP-TLS can distribute, by IANA name and two-byte code.
 *
 * <p>A security association is only useful if both peers can resume it, so the list is limited to
 * suites that BCJSSE and OpenSSL both implement (plus the paper's own examples). Codes are from the
 * IANA "TLS Cipher Suites" registry; they are what an OpenSSL session file carries.
 */
public final class CipherSuites {

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

    /**
     * Whether a suite is issuable by default: an AEAD cipher (GCM, CCM, ChaCha20-Poly1305) with a
     * forward-secret key exchange (ECDHE or DHE). CBC, 3DES, RC4 and NULL ciphers, and the plain RSA key
     * exchange, are not: a key server issues them only where its deployer allows legacy suites.
     * {@code false} for unknown names.
     */
    public static boolean isAeadWithForwardSecrecy(String ianaName) {
        if (!isKnown(ianaName)) {
            return false;
        }
        boolean forwardSecret = ianaName.startsWith("TLS_ECDHE_") || ianaName.startsWith("TLS_DHE_");
        boolean aead = ianaName.contains("_GCM_") || ianaName.contains("_CCM")
                || ianaName.contains("_CHACHA20_POLY1305_");
        return forwardSecret && aead;
    }

    /** All known suite names, unmodifiable, in a stable order (AEAD suites first). */
    public static Set<String> names() {
        return CODES.keySet();
    }

    private static Map<String, Integer> codes() {
        Map<String, Integer> m = new LinkedHashMap<>();
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
