package dev.siptls.bench;

import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import dev.siptls.sip.CertificateAuthority;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * An embedded key server and two SIP-TLS providers configured as deployers configure them (PKCS#12 files and
 * a properties file each, {@link ProviderFiles}): a TLS client terminal and a TLS server terminal serving
 * {@code localhost:port}.
 */
final class SipTlsPair implements AutoCloseable {

    private final ProviderFiles files;
    private final KeyServer keyServer;
    final SipTlsProvider client;
    final SipTlsProvider server;

    private SipTlsPair(ProviderFiles files, KeyServer keyServer, SipTlsProvider client, SipTlsProvider server) {
        this.files = files;
        this.keyServer = keyServer;
        this.client = client;
        this.server = server;
    }

    /** The server terminal serves {@code localhost:port}; both agents offer only {@code suite}. */
    static SipTlsPair start(CertificateAuthority ca, int port, String suite) throws Exception {
        ProviderFiles files = ProviderFiles.create(ca);
        KeyServer keyServer = files.startKeyServer();
        files.issue("client");
        files.issue("server");
        SipTlsProvider client = files.provider("client", keyServer, Map.of("suites", suite));
        SipTlsProvider server = files.provider("server", keyServer,
                Map.of("suites", suite, "serve", "localhost:" + port));
        return new SipTlsPair(files, keyServer, client, server);
    }

    void awaitRegistered() throws InterruptedException {
        client.assertHealthy(Duration.ofSeconds(20));
        server.assertHealthy(Duration.ofSeconds(20));
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
        keyServer.close();
        files.close();
    }
}
