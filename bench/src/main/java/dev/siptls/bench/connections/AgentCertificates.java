package dev.siptls.bench.connections;

import dev.siptls.sip.CertificateAuthority;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One EC P-256 key and client certificate per load agent, each proving that agent's AOR alone (a
 * subjectAltName URI, docs/PROTOCOL.md), signed by the bench's CA. Issued straight from the CA's key, not
 * through {@link CertificateAuthority#issue}: that wraps every key in a password-encrypted PKCS#12 entry,
 * which at 20,000 agents would cost minutes of key derivation for nothing.
 */
final class AgentCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey[] keys;
    private final X509Certificate[] certificates;
    private final X509Certificate caCertificate;
    private final PrivateKey caKey;
    private final X500Name issuer;
    private final String algorithm;
    private final IntFunction<String> aor;
    private int issued;
    private long nanos;

    /** Room for {@code capacity} agents, agent {@code i}'s certificate to prove {@code aor.apply(i)}; none issued. */
    AgentCertificates(CertificateAuthority ca, char[] caPassword, int capacity, IntFunction<String> aor)
            throws GeneralSecurityException {
        this.keys = new PrivateKey[capacity];
        this.certificates = new X509Certificate[capacity];
        this.caCertificate = ca.certificate();
        this.caKey = caKey(ca, caPassword);
        this.issuer = X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
        this.algorithm = caKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        this.aor = aor;
    }

    /**
     * Issues the certificates of agents up to {@code count - 1} not issued yet, on all cores: a ramp asks for
     * them a batch ahead, so that none is made for agents a ramp that stops early never starts.
     */
    void issueUpTo(int count) throws GeneralSecurityException {
        int from = issued;
        int to = Math.min(count, keys.length);
        if (to <= from) {
            return;
        }
        Instant now = Instant.now();
        long start = System.nanoTime();
        ThreadLocal<Issuer> issuers = ThreadLocal.withInitial(() -> new Issuer(caKey, algorithm));
        try {
            IntStream.range(from, to).parallel().forEach(i -> {
                try {
                    Issuer own = issuers.get();
                    KeyPair pair = own.generator.generateKeyPair();
                    keys[i] = pair.getPrivate();
                    certificates[i] = own.sign(new JcaX509v3CertificateBuilder(issuer,
                            new BigInteger(64, RANDOM).add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
                            Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=load" + i), pair.getPublic())
                            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                            .addExtension(Extension.extendedKeyUsage, false,
                                    new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                            .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                                    new GeneralName(GeneralName.uniformResourceIdentifier, aor.apply(i)))));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot issue the certificate of load agent " + i, e);
                }
            });
        } catch (IllegalStateException e) {
            throw new GeneralSecurityException(e.getMessage(), e.getCause());
        }
        issued = to;
        nanos += System.nanoTime() - start;
    }

    private static PrivateKey caKey(CertificateAuthority ca, char[] password) throws GeneralSecurityException {
        KeyStore store = ca.keyStore(password);
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return (PrivateKey) store.getKey(alias, password);
            }
        }
        throw new GeneralSecurityException("the CA's key store holds no key");
    }

    /** How many are issued. */
    int count() {
        return issued;
    }

    PrivateKey key(int agent) {
        return keys[agent];
    }

    /** Agent {@code agent}'s chain: its certificate, then the CA's. */
    X509Certificate[] chain(int agent) {
        return new X509Certificate[] {certificates[agent], caCertificate};
    }

    /** How long issuing took, all batches. */
    double seconds() {
        return nanos / 1e9;
    }

    /** A key generator and a signer for one thread: neither is safe to share. */
    private static final class Issuer {
        final KeyPairGenerator generator;
        final ContentSigner signer;
        final JcaX509CertificateConverter converter = new JcaX509CertificateConverter();

        Issuer(PrivateKey caKey, String algorithm) {
            try {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                signer = new JcaContentSignerBuilder(algorithm).build(caKey);
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up certificate issuing", e);
            }
        }

        X509Certificate sign(X509v3CertificateBuilder builder) throws GeneralSecurityException {
            return converter.getCertificate(builder.build(signer));
        }
    }
}
