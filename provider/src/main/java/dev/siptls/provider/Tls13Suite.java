package dev.siptls.provider;

import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PRFAlgorithm;

/** The TLS 1.3 suites an external PSK may be bound to, with the PSK length each one's hash asks for. */
enum Tls13Suite {
    TLS_AES_128_GCM_SHA256(CipherSuite.TLS_AES_128_GCM_SHA256, PRFAlgorithm.tls13_hkdf_sha256, 32),
    TLS_AES_256_GCM_SHA384(CipherSuite.TLS_AES_256_GCM_SHA384, PRFAlgorithm.tls13_hkdf_sha384, 48),
    TLS_CHACHA20_POLY1305_SHA256(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, PRFAlgorithm.tls13_hkdf_sha256, 32);

    private final int code;
    private final int prfAlgorithm;
    private final int pskLength;

    Tls13Suite(int code, int prfAlgorithm, int pskLength) {
        this.code = code;
        this.prfAlgorithm = prfAlgorithm;
        this.pskLength = pskLength;
    }

    /** The suite with this IANA name, if it is one of the three. */
    static Optional<Tls13Suite> named(String name) {
        return Arrays.stream(values()).filter(suite -> suite.name().equals(name)).findFirst();
    }

    /** The suite with this IANA code point, if it is one of the three. */
    static Optional<Tls13Suite> byCode(int code) {
        return Arrays.stream(values()).filter(suite -> suite.code == code).findFirst();
    }

    /** The IANA code point, e.g. 0x1301. */
    int code() {
        return code;
    }

    /** BC's {@link PRFAlgorithm} constant: HKDF with this suite's hash. */
    int prfAlgorithm() {
        return prfAlgorithm;
    }

    /** The PSK length in bytes: the hash's output length, as OpenSSL requires. */
    int pskLength() {
        return pskLength;
    }
}
