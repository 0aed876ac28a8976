package dev.siptls.sip;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for demos and tests: it issues identities whose subjectAltNames say what
 * they prove (a SIP AOR as a URI, a host as a dNSName or iPAddress). Production deployments use their own PKI.
 */
public final class CertificateAuthority {

    /** The key type of an issued identity: EC for SIP identities, RSA-2048 for the classic TLS server case. */
    public enum KeyType { EC_P256, RSA_2048 }

    private static final String ALIAS = "identity";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey key;
    private final X509Certificate certificate;

    private CertificateAuthority(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    public static CertificateAuthority create(String name) throws GeneralSecurityException {
        return create(name, generate(KeyType.EC_P256));
    }

    /**
     * A CA named {@code name} followed by the first 8 hex digits of its subject key identifier, e.g. {@code
     * SIP-TLS Demo CA 1a2b3c4d}: two CAs made with the same {@code name} are told apart wherever a name is shown,
     * and the digits are those a certificate viewer shows as its key identifier.
     */
    public static CertificateAuthority createIdentified(String name) throws GeneralSecurityException {
        KeyPair pair = generate(KeyType.EC_P256);
        byte[] id = new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()).getKeyIdentifier();
        return create(name + " " + java.util.HexFormat.of().formatHex(id, 0, 4), pair);
    }

    private static CertificateAuthority create(String name, KeyPair pair) throws GeneralSecurityException {
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))),
                    subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(pair.getPrivate(), sign(builder, pair.getPrivate()));
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot build CA certificate", e);
        }
    }

    /** A CA kept in a PKCS#12 file by {@link #save}. */
    public static CertificateAuthority load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = TlsIdentity.load(file, password);
        return new CertificateAuthority((PrivateKey) store.getKey(ALIAS, password),
                (X509Certificate) store.getCertificate(ALIAS));
    }

    public void save(Path file, char[] password) throws IOException, GeneralSecurityException {
        write(keyStore(password), file, password);
    }

    /** This CA's key and certificate as a PKCS#12 key store, as {@link #save} writes it and {@link #load} reads it. */
    public KeyStore keyStore(char[] password) throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, new Certificate[] {certificate});
            return store;
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A trust store holding this CA only. */
    public KeyStore trustStore() throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", certificate);
            return store;
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /**
     * Issues a key and certificate valid for a year, for TLS client and server use.
     *
     * @param names subjectAltNames: {@code sip:}/{@code sips:} URIs, IP literals, or DNS names
     * @return a PKCS#12 key store with one key entry, its chain ending at this CA
     */
    public KeyStore issue(String commonName, List<String> names, KeyType type, char[] password)
            throws GeneralSecurityException {
        KeyPair pair = generate(type);
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365))),
                    new X500Name("CN=" + commonName), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(type == KeyType.RSA_2048
                            ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, generalNames(names));
            }
            X509Certificate leaf = sign(builder, key);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, pair.getPrivate(), password, new Certificate[] {leaf, certificate});
            return store;
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot issue certificate for " + commonName, e);
        }
    }

    public static void write(KeyStore store, Path file, char[] password) throws IOException, GeneralSecurityException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    private static GeneralNames generalNames(List<String> names) throws IOException {
        List<GeneralName> out = new ArrayList<>();
        for (String name : names) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("sip:") || lower.startsWith("sips:")) {
                out.add(new GeneralName(GeneralName.uniformResourceIdentifier, name));
            } else if (CertificateNames.isIpLiteral(name)) {
                out.add(new GeneralName(GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress()));
            } else {
                out.add(new GeneralName(GeneralName.dNSName, name));
            }
        }
        return new GeneralNames(out.toArray(new GeneralName[0]));
    }

    private static KeyPair generate(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.RSA_2048) {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048, RANDOM);
            return rsa.generateKeyPair();
        }
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return ec.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            ContentSigner contentSigner = new JcaContentSignerBuilder(algorithm).build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign certificate", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
    }
}
