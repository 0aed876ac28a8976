package dev.siptls.provider;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Vector;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.SignatureScheme;

/**
 * TLS signature schemes as JSSE names them, for the full handshake a PSK client falls back to: the JCA algorithm
 * names a session reports (what SunJSSE's trust and key managers turn into algorithm constraints), the key types a
 * key manager is asked for, and which key can sign with which scheme, in TLS 1.3 and in TLS 1.2.
 */
final class SignatureSchemes {

    private SignatureSchemes() {
    }

    /** The JCA names of {@code algorithms} (BC's {@code SignatureAndHashAlgorithm}s), unknown ones left out. */
    static String[] jcaNames(Vector<?> algorithms) {
        if (algorithms == null) {
            return new String[0];
        }
        List<String> names = new ArrayList<>();
        for (Object algorithm : algorithms) {
            String name = jcaName(SignatureScheme.from((SignatureAndHashAlgorithm) algorithm));
            if (name != null && !names.contains(name)) {
                names.add(name);
            }
        }
        return names.toArray(new String[0]);
    }

    /** As SunJSSE's {@code SignatureScheme} names the algorithm; null for a scheme it has no name for. */
    static String jcaName(int scheme) {
        return switch (scheme) {
            case SignatureScheme.ecdsa_secp256r1_sha256 -> "SHA256withECDSA";
            case SignatureScheme.ecdsa_secp384r1_sha384 -> "SHA384withECDSA";
            case SignatureScheme.ecdsa_secp521r1_sha512 -> "SHA512withECDSA";
            case SignatureScheme.ecdsa_sha1 -> "SHA1withECDSA";
            case SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pss_rsae_sha384,
                 SignatureScheme.rsa_pss_rsae_sha512, SignatureScheme.rsa_pss_pss_sha256,
                 SignatureScheme.rsa_pss_pss_sha384, SignatureScheme.rsa_pss_pss_sha512 -> "RSASSA-PSS";
            case SignatureScheme.rsa_pkcs1_sha256 -> "SHA256withRSA";
            case SignatureScheme.rsa_pkcs1_sha384 -> "SHA384withRSA";
            case SignatureScheme.rsa_pkcs1_sha512 -> "SHA512withRSA";
            case SignatureScheme.rsa_pkcs1_sha1 -> "SHA1withRSA";
            case SignatureScheme.ed25519 -> "Ed25519";
            case SignatureScheme.ed448 -> "Ed448";
            default -> null;
        };
    }

    /**
     * The key type to ask a key manager for, for a TLS 1.3 CertificateVerify with {@code scheme}, in BCJSSE's form
     * ({@code EC/secp256r1}; {@link StandardNamesKeyManager} also asks with the standard {@code EC}); null if TLS 1.3
     * cannot sign with it here.
     */
    static String keyType13(int scheme) {
        return switch (scheme) {
            case SignatureScheme.ecdsa_secp256r1_sha256 -> "EC/secp256r1";
            case SignatureScheme.ecdsa_secp384r1_sha384 -> "EC/secp384r1";
            case SignatureScheme.ecdsa_secp521r1_sha512 -> "EC/secp521r1";
            case SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pss_rsae_sha384,
                 SignatureScheme.rsa_pss_rsae_sha512 -> "RSA";
            case SignatureScheme.rsa_pss_pss_sha256, SignatureScheme.rsa_pss_pss_sha384,
                 SignatureScheme.rsa_pss_pss_sha512 -> "RSASSA-PSS";
            case SignatureScheme.ed25519 -> "Ed25519";
            case SignatureScheme.ed448 -> "Ed448";
            default -> null;
        };
    }

    /**
     * The key type to ask a key manager for, for a TLS 1.2 CertificateVerify with {@code scheme}, as BCJSSE asks
     * (the key algorithm: in TLS 1.2 an ECDSA scheme names the hash, not the curve); null if this client does not
     * sign with it (SHA-1, SHA-224 and DSA schemes).
     */
    static String keyType12(int scheme) {
        return switch (scheme) {
            case SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ecdsa_secp384r1_sha384,
                 SignatureScheme.ecdsa_secp521r1_sha512 -> "EC";
            case SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pss_rsae_sha384,
                 SignatureScheme.rsa_pss_rsae_sha512, SignatureScheme.rsa_pkcs1_sha256,
                 SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pkcs1_sha512 -> "RSA";
            case SignatureScheme.rsa_pss_pss_sha256, SignatureScheme.rsa_pss_pss_sha384,
                 SignatureScheme.rsa_pss_pss_sha512 -> "RSASSA-PSS";
            case SignatureScheme.ed25519 -> "Ed25519";
            case SignatureScheme.ed448 -> "Ed448";
            default -> null;
        };
    }

    /** Whether the holder of {@code key}'s private key can sign a TLS 1.2 CertificateVerify with {@code scheme}. */
    static boolean fits12(int scheme, PublicKey key) {
        String keyType = keyType12(scheme);
        if (keyType == null) {
            return false;
        }
        return switch (keyType) {
            case "EC" -> key instanceof ECPublicKey;
            case "Ed25519", "Ed448" -> edName(key).equals(keyType.toUpperCase(Locale.ROOT));
            default -> key.getAlgorithm().equalsIgnoreCase(keyType);
        };
    }

    /** Whether the holder of {@code key}'s private key can sign a TLS 1.3 CertificateVerify with {@code scheme}. */
    static boolean fits(int scheme, PublicKey key) {
        String algorithm = key.getAlgorithm().toUpperCase(Locale.ROOT);
        return switch (scheme) {
            case SignatureScheme.ecdsa_secp256r1_sha256 -> ecFieldSize(key) == 256;
            case SignatureScheme.ecdsa_secp384r1_sha384 -> ecFieldSize(key) == 384;
            case SignatureScheme.ecdsa_secp521r1_sha512 -> ecFieldSize(key) == 521;
            case SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pss_rsae_sha384,
                 SignatureScheme.rsa_pss_rsae_sha512 -> algorithm.equals("RSA");
            case SignatureScheme.rsa_pss_pss_sha256, SignatureScheme.rsa_pss_pss_sha384,
                 SignatureScheme.rsa_pss_pss_sha512 -> algorithm.equals("RSASSA-PSS");
            case SignatureScheme.ed25519 -> edName(key).equals("ED25519");
            case SignatureScheme.ed448 -> edName(key).equals("ED448");
            default -> false;
        };
    }

    /** The field size of an EC key's curve (256 for P-256), or -1. */
    private static int ecFieldSize(PublicKey key) {
        return key instanceof ECPublicKey ec ? ec.getParams().getCurve().getField().getFieldSize() : -1;
    }

    /** {@code ED25519} or {@code ED448} for an EdDSA key (the JDK names the algorithm EdDSA, BC by the curve). */
    private static String edName(PublicKey key) {
        if (key instanceof EdECKey ed) {
            return ed.getParams().getName().toUpperCase(Locale.ROOT);
        }
        return key.getAlgorithm().toUpperCase(Locale.ROOT);
    }
}
