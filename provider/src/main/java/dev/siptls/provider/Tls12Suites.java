package dev.siptls.provider;

import dev.siptls.protocol.CipherSuites;

import java.util.Optional;
import org.bouncycastle.tls.KeyExchangeAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsUtils;

/**
 * The TLS 1.2 suites a PSK client may offer for a full handshake, should its server speak only TLS 1.2: those of
 * SIP-TLS's own table ({@link CipherSuites}, which JSSE and BC name alike) whose key exchange a server certificate
 * authenticates (ECDHE and DHE with a signature, RSA key transport), by JSSE name and code point.
 */
final class Tls12Suites {

    private Tls12Suites() {
    }

    /** The code of a TLS 1.2 suite named as JSSE names it, if it is one a PSK client can fall back to. */
    static Optional<Integer> code(String jsseName) {
        if (jsseName == null) {
            return Optional.empty();
        }
        String name = jsseName.startsWith("SSL_") ? "TLS_" + jsseName.substring(4) : jsseName;
        if (!CipherSuites.isKnown(name) || CipherSuites.isTls13(name)) {
            return Optional.empty();
        }
        int code = CipherSuites.code(name);
        return usable(code) ? Optional.of(code) : Optional.empty();
    }

    /** The JSSE name of a suite code, else its code in hex (as a session reports an unknown one). */
    static String name(int code) {
        try {
            return CipherSuites.name(code);
        } catch (IllegalArgumentException unknown) {
            return String.format("0x%04X", code);
        }
    }

    private static boolean usable(int code) {
        if (!TlsUtils.isValidVersionForCipherSuite(code, ProtocolVersion.TLSv12)) {
            return false;
        }
        return switch (TlsUtils.getKeyExchangeAlgorithm(code)) {
            case KeyExchangeAlgorithm.ECDHE_ECDSA, KeyExchangeAlgorithm.ECDHE_RSA, KeyExchangeAlgorithm.DHE_RSA,
                 KeyExchangeAlgorithm.DHE_DSS, KeyExchangeAlgorithm.RSA -> true;
            default -> false;
        };
    }
}
