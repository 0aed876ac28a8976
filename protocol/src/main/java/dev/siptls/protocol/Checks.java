package dev.siptls.protocol;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Validation shared by the value classes, so that each refuses bad data with the same words. */
final class Checks {

    private Checks() {
    }

    /** A copy of {@code bytes}, which must be exactly {@code length} long; never echoes the bytes. */
    static byte[] copyOfLength(byte[] bytes, int length, String what) {
        Objects.requireNonNull(bytes, what + " is required");
        if (bytes.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + bytes.length);
        }
        return bytes.clone();
    }

    /** A lifetime as the wire carries it: whole seconds, more than zero, at most a day. */
    static Duration lifetime(Duration lifetime, String what) {
        Objects.requireNonNull(lifetime, what + " is required");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + lifetime.getSeconds() + "s");
        }
        if (lifetime.compareTo(SecurityAssociation.MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException(what + " of " + lifetime.getSeconds() + "s exceeds the maximum of "
                    + SecurityAssociation.MAX_LIFETIME.getSeconds() + "s");
        }
        if (lifetime.getNano() != 0) {
            throw new IllegalArgumentException(what + " must be whole seconds, got " + lifetime);
        }
        return lifetime;
    }

    /** A known cipher suite name. */
    static String cipherSuite(String name) {
        Objects.requireNonNull(name, "cipher suite is required");
        CipherSuites.code(name); // throws "unknown cipher suite: X"
        return name;
    }

    /** An unmodifiable copy of a certificate chain, refusing null entries. */
    static List<X509Certificate> chain(List<X509Certificate> chain) {
        Objects.requireNonNull(chain, "certificate chain");
        List<X509Certificate> copy = new ArrayList<>(chain.size());
        for (X509Certificate c : chain) {
            copy.add(Objects.requireNonNull(c, "null certificate in chain"));
        }
        return List.copyOf(copy);
    }
}
