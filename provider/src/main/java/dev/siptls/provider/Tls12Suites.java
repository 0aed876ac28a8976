package dev.siptls.provider;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.KeyExchangeAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsUtils;

/**
 * The TLS 1.2 suites a PSK client may offer for a full handshake, should its server speak only TLS 1.2: JSSE names
 * and BC's code points, for the key exchanges a server certificate authenticates (those BCJSSE implements: ECDHE and
 * DHE with a signature, RSA key transport). BC names its {@link CipherSuite} constants by the IANA names JSSE uses
 * (JSSE's few {@code SSL_} names are their {@code TLS_} ones).
 */
final class Tls12Suites {

    private static final Map<String, Integer> CODES;
    private static final Map<Integer, String> NAMES;

    static {
        Map<String, Integer> codes = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        for (Field field : CipherSuite.class.getFields()) {
            if (field.getType() != int.class || !Modifier.isStatic(field.getModifiers())
                    || field.getName().startsWith("DRAFT_")) {
                continue;
            }
            try {
                int code = field.getInt(null);
                if (usable(code)) {
                    codes.put(field.getName(), code);
                    names.putIfAbsent(code, field.getName());
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("BC's CipherSuite constants are public", e);
            }
        }
        CODES = Collections.unmodifiableMap(codes);
        NAMES = Collections.unmodifiableMap(names);
    }

    private Tls12Suites() {
    }

    /** The code of a TLS 1.2 suite named as JSSE names it, if it is one a PSK client can fall back to. */
    static Optional<Integer> code(String jsseName) {
        if (jsseName == null) {
            return Optional.empty();
        }
        String name = jsseName.startsWith("SSL_") ? "TLS_" + jsseName.substring(4) : jsseName;
        return Optional.ofNullable(CODES.get(name));
    }

    /** The JSSE name of a suite code: BC's name for it, else its code in hex (as a session reports an unknown one). */
    static String name(int code) {
        String name = NAMES.get(code);
        return name != null ? name : String.format("0x%04X", code);
    }

    private static boolean usable(int code) {
        if (!TlsUtils.isValidVersionForCipherSuite(code, ProtocolVersion.TLSv12)
                || TlsUtils.isValidVersionForCipherSuite(code, ProtocolVersion.TLSv13)) {
            return false;
        }
        return switch (TlsUtils.getKeyExchangeAlgorithm(code)) {
            case KeyExchangeAlgorithm.ECDHE_ECDSA, KeyExchangeAlgorithm.ECDHE_RSA, KeyExchangeAlgorithm.DHE_RSA,
                 KeyExchangeAlgorithm.DHE_DSS, KeyExchangeAlgorithm.RSA -> true;
            default -> false;
        };
    }
}
