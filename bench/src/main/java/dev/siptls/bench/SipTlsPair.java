package dev.siptls.bench;

import dev.siptls.provider.SipTlsConfiguration;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * An embedded key server and two SIP-TLS providers configured as deployers configure them (PKCS#12 files and
 * a properties file each): a TLS client terminal and a TLS server terminal serving {@code localhost:port}.
 */
final class SipTlsPair implements AutoCloseable {

    private static final char[] PASSWORD = "bench".toCharArray();

    private final KeyServer keyServer;
    final SipTlsProvider client;
    final SipTlsProvider server;

    private SipTlsPair(KeyServer keyServer, SipTlsProvider client, SipTlsProvider server) {
        this.keyServer = keyServer;
        this.client = client;
        this.server = server;
    }

    /** The server terminal serves {@code localhost:port}; both agents offer only {@code suite}. */
    static SipTlsPair start(CertificateAuthority ca, int port, String suite) throws Exception {
        Path dir = Files.createTempDirectory("sip-tls-bench");
        dir.toFile().deleteOnExit();
        KeyStore trust = ca.trustStore();
        CertificateAuthority.write(trust, dir.resolve("trust.p12"), PASSWORD);
        TlsIdentity keyServerId = TlsIdentity.of(
                ca.issue("keyserver", List.of("127.0.0.1"), KeyType.EC_P256, PASSWORD), PASSWORD, trust);
        KeyServer keyServer = KeyServer.start(KeyServerConfig.builder().identity(keyServerId).port(0)
                .registerMBean(false).build());
        SipTlsProvider client = provider(ca, dir, "client", keyServer, null, suite);
        SipTlsProvider server = provider(ca, dir, "server", keyServer, "localhost:" + port, suite);
        return new SipTlsPair(keyServer, client, server);
    }

    private static SipTlsProvider provider(CertificateAuthority ca, Path dir, String name, KeyServer keyServer,
            String serve, String suite) throws Exception {
        String aor = "sip:" + name + "@example.com";
        CertificateAuthority.write(ca.issue(name, List.of(aor), KeyType.EC_P256, PASSWORD),
                dir.resolve(name + ".p12"), PASSWORD);
        Properties p = new Properties();
        p.setProperty("aor", aor);
        p.setProperty("keyStore", name + ".p12");
        p.setProperty("keyStorePassword", new String(PASSWORD));
        p.setProperty("trustStore", "trust.p12");
        p.setProperty("trustStorePassword", new String(PASSWORD));
        p.setProperty("keyServer", "127.0.0.1:" + keyServer.address().getPort());
        p.setProperty("suites", suite);
        if (serve != null) {
            p.setProperty("serve", serve);
        }
        Path file = dir.resolve(name + ".properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "SIP-TLS bench " + name);
        }
        return SipTlsProvider.withConfiguration(SipTlsConfiguration.load(file));
    }

    void awaitRegistered() throws InterruptedException {
        client.assertHealthy(Duration.ofSeconds(20));
        server.assertHealthy(Duration.ofSeconds(20));
    }

    @Override
    public void close() {
        client.close();
        server.close();
        keyServer.close();
    }
}
