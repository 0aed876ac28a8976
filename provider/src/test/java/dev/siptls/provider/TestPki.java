package dev.siptls.provider;

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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** EC P-256 certificates made in memory: a trusted CA, a stranger CA, and leaf identities under them. */
final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(1);
    private static final char[] PASSWORD = "changeit".toCharArray();

    /** What the tests' peers trust. */
    static final Identity CA = Identity.authority("CN=SIP-TLS test CA", null);
    /** A CA no test peer trusts. */
    static final Identity STRANGER_CA = Identity.authority("CN=Stranger CA", null);
    /** The TLS server: localhost and 127.0.0.1. */
    static final Identity SERVER = Identity.leaf("CN=localhost", CA, KeyPurposeId.id_kp_serverAuth,
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    /** The TLS client, by its AOR. */
    static final Identity CLIENT = Identity.leaf("CN=alice", CA, KeyPurposeId.id_kp_clientAuth,
            new GeneralName(GeneralName.uniformResourceIdentifier, "sip:alice@example.com"));

    private TestPki() {
    }

    static TrustManager[] trustingCa() {
        return trusting(CA);
    }

    static TrustManager[] trusting(Identity anchor) {
        try {
            KeyStore store = emptyStore();
            store.setCertificateEntry("anchor", anchor.certificate());
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509ExtendedKeyManager keyManager(Identity identity) {
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry("key", identity.keys().getPrivate(), PASSWORD,
                    identity.chain().toArray(new X509Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
            factory.init(store, PASSWORD);
            for (KeyManager km : factory.getKeyManagers()) {
                if (km instanceof X509ExtendedKeyManager) {
                    return (X509ExtendedKeyManager) km;
                }
            }
            throw new IllegalStateException("no X509ExtendedKeyManager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, java.io.IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** A key pair and its certificate chain, leaf first. */
    record Identity(KeyPair keys, List<X509Certificate> chain) {

        X509Certificate certificate() {
            return chain.get(0);
        }

        static Identity authority(String name, Identity issuer) {
            return issue(name, issuer, true, null);
        }

        static Identity leaf(String name, Identity issuer, KeyPurposeId purpose, GeneralName... altNames) {
            return issue(name, issuer, false, purpose, altNames);
        }

        private static Identity issue(String name, Identity issuer, boolean ca, KeyPurposeId purpose,
                                      GeneralName... altNames) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(256);
                KeyPair keys = generator.generateKeyPair();
                X500Name subject = new X500Name(name);
                X500Name issuerName = issuer == null ? subject
                        : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
                Instant now = Instant.now();
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                        BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                        ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
                if (purpose != null) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                }
                if (altNames.length > 0) {
                    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames));
                }
                KeyPair signer = issuer == null ? keys : issuer.keys();
                X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
                List<X509Certificate> chain = issuer == null ? List.of(certificate)
                        : List.of(certificate, issuer.certificate());
                return new Identity(keys, chain);
            } catch (Exception e) {
                throw new IllegalStateException("cannot issue a test certificate for " + name, e);
            }
        }
    }
}
