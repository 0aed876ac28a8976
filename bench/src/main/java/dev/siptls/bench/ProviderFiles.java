package dev.siptls.bench;

import dev.siptls.provider.SipTlsConfiguration;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * SIP-TLS providers configured as deployers configure them, so that benchmarks exercise the real loading
 * path: a throw-away directory with the CA's trust store, and per provider a PKCS#12 key store and a
 * properties file read back through {@link SipTlsConfiguration}. Also the key server those providers use,
 * with an identity from the same CA. Closing deletes the directory.
 */
final class ProviderFiles implements AutoCloseable {

    static final char[] PASSWORD = "bench".toCharArray();
    private static final String DOMAIN = "example.com";

    private final CertificateAuthority ca;
    private final KeyStore trust;
    private final Path directory;

    private ProviderFiles(CertificateAuthority ca, KeyStore trust, Path directory) {
        this.ca = ca;
        this.trust = trust;
        this.directory = directory;
    }

    static ProviderFiles create(CertificateAuthority ca) throws IOException, GeneralSecurityException {
        Path directory = Files.createTempDirectory("sip-tls-bench");
        KeyStore trust = ca.trustStore();
        CertificateAuthority.write(trust, directory.resolve("trust.p12"), PASSWORD);
        return new ProviderFiles(ca, trust, directory);
    }

    static String aor(String name) {
        return "sip:" + name + "@" + DOMAIN;
    }

    KeyStore trustStore() {
        return trust;
    }

    /** An embedded key server on a free loopback port, its certificate naming 127.0.0.1; no JMX bean. */
    KeyServer startKeyServer() throws GeneralSecurityException, IOException {
        TlsIdentity identity = TlsIdentity.of(
                ca.issue("keyserver", List.of("127.0.0.1"), KeyType.EC_P256, PASSWORD), PASSWORD, trust);
        return KeyServer.start(KeyServerConfig.builder().identity(identity).port(0).registerMBean(false).build());
    }

    /**
     * Issues {@code name}'s EC key and certificate (proving {@link #aor(String)} and naming {@code hosts}, the
     * TLS server names it may serve) and writes it as {@code name.p12}, the provider's key store.
     */
    KeyStore issue(String name, String... hosts) throws GeneralSecurityException, IOException {
        List<String> names = new ArrayList<>();
        names.add(aor(name));
        names.addAll(List.of(hosts));
        KeyStore keys = ca.issue(name, names, KeyType.EC_P256, PASSWORD);
        CertificateAuthority.write(keys, directory.resolve(name + ".p12"), PASSWORD);
        return keys;
    }

    /**
     * Writes {@code name.properties} for the key store {@link #issue} wrote, pointing at {@code keyServer},
     * with {@code settings} (e.g. {@code serve}, {@code suites}) on top, and configures a provider from it.
     * Starts nothing.
     */
    SipTlsProvider provider(String name, KeyServer keyServer, Map<String, String> settings) throws IOException {
        Properties p = new Properties();
        p.setProperty("aor", aor(name));
        p.setProperty("keyStore", name + ".p12");
        p.setProperty("keyStorePassword", new String(PASSWORD));
        p.setProperty("trustStore", "trust.p12");
        p.setProperty("trustStorePassword", new String(PASSWORD));
        p.setProperty("keyServer", "127.0.0.1:" + keyServer.address().getPort());
        settings.forEach(p::setProperty);
        Path file = directory.resolve(name + ".properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "SIP-TLS bench " + name);
        }
        return SipTlsProvider.withConfiguration(SipTlsConfiguration.load(file));
    }

    /** Deletes the directory and every file in it. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
