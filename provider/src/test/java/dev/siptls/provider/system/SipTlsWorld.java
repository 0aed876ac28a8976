package dev.siptls.provider.system;

import dev.siptls.provider.CountingKeyManager;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.LogCapture;
import dev.siptls.sip.testing.TestPki;

import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real key server on a free loopback port, one throw-away PKI, and SIP-TLS terminals: each a
 * {@link SipTlsProvider} configured the way a deployment does it (PKCS#12 files and a properties file, read by
 * {@code configure(path)}) with an initialised SIP-TLS {@code SSLContext}. Closes everything it made.
 */
final class SipTlsWorld implements AutoCloseable {

    static final Duration REGISTERED_WITHIN = Duration.ofSeconds(15);
    private static final AtomicInteger NAMES = new AtomicInteger();

    final TestPki pki = new TestPki();
    private final Path dir;
    private KeyServer keyServer;
    private final List<SipTlsProvider> closing = new ArrayList<>();
    /** Everything logged or printed while this world lives: searched for the SAs' master secrets. */
    private final LogCapture capture = LogCapture.start();
    private int secretsChecked;

    private static SipTlsWorld shared;

    /**
     * The world most test classes share (one key server, one PKI), made on first use and closed when the
     * test run ends; each test makes its own terminals with fresh AORs and ports.
     */
    static synchronized SipTlsWorld shared(ExtensionContext context) throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("sip-tls-provider-tests");
            SipTlsWorld world = new SipTlsWorld(dir);
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(SipTlsWorld.class.getName(),
                    (ExtensionContext.Store.CloseableResource) () -> {
                        world.close();
                        try (var files = Files.walk(dir)) {
                            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                        }
                    });
            shared = world;
        }
        return shared;
    }

    SipTlsWorld(Path dir) throws IOException, GeneralSecurityException {
        this.dir = dir;
        this.keyServer = startKeyServer(0);
        CertificateAuthority.write(pki.ca().trustStore(), dir.resolve("trust.p12"), TestPki.PASSWORD);
    }

    KeyServer keyServer() {
        return keyServer;
    }

    private KeyServer startKeyServer(int port) throws IOException {
        return KeyServer.start(KeyServerConfig.builder().identity(pki.keyServer()).port(port)
                .name("provider-tests-" + NAMES.incrementAndGet()).registerMBean(false)
                .relayTimeout(Duration.ofSeconds(2)).build());
    }

    /** Stops the key server and starts a new one on the same port, knowing no agent (as after a crash). */
    void restartKeyServer() throws IOException {
        int port = keyServer.address().getPort();
        keyServer.close();
        keyServer = startKeyServer(port);
    }

    /** Stops the key server (agents keep retrying against its address). */
    void stopKeyServer() {
        keyServer.close();
    }

    /** A fresh AOR in example.com (the key server lets peers of one domain reach each other). */
    static String aor(String role) {
        return "sip:" + role + "-" + NAMES.incrementAndGet() + "@example.com";
    }

    /** A free loopback port (bound and released: the tests bind it again at once). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The properties a terminal for {@code aor} is configured with; {@code more} adds or overrides keys. */
    Path properties(String aor, Map<String, String> more) throws IOException, GeneralSecurityException {
        String file = aor.substring(4).replaceAll("[^A-Za-z0-9-]", "_");
        KeyStore agentKeys = pki.agent(aor).keyStore();
        CertificateAuthority.write(agentKeys, dir.resolve(file + ".p12"), TestPki.PASSWORD);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("aor", aor);
        values.put("keyStore", file + ".p12");
        values.put("keyStorePassword", new String(TestPki.PASSWORD));
        values.put("trustStore", "trust.p12");
        values.put("trustStorePassword", new String(TestPki.PASSWORD));
        values.put("keyServer", "127.0.0.1:" + keyServer.address().getPort());
        values.put("requestTimeout", "2s");
        values.putAll(more);
        Properties properties = new Properties();
        values.forEach((k, v) -> {
            if (v != null) {
                properties.setProperty(k, v);
            }
        });
        Path path = dir.resolve(file + ".properties");
        try (Writer out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            properties.store(out, "SIP-TLS test terminal " + aor);
        }
        return path;
    }

    /** A configured, not yet started provider, closed with the world. */
    SipTlsProvider provider(String aor, Map<String, String> more) throws IOException, GeneralSecurityException {
        SipTlsProvider provider = (SipTlsProvider) new SipTlsProvider().configure(properties(aor, more).toString());
        synchronized (closing) {
            closing.add(provider);
        }
        return provider;
    }

    /**
     * A TLS server terminal serving {@code localhost:port} and {@code 127.0.0.1:port} with a certificate for
     * both; its SIP-TLS context is initialised (which starts its agent) and it is registered.
     */
    Terminal server(int port, Map<String, String> more) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("serve", "localhost:" + port + ",127.0.0.1:" + port);
        config.putAll(more);
        TlsIdentity tls = pki.identity("localhost", List.of("localhost", "127.0.0.1"));
        CountingKeyManager keys = new CountingKeyManager(keyManager(tls));
        return terminal(aor("server"), config, new KeyManager[]{keys}, keys);
    }

    /** A TLS server terminal serving only {@code host:port}, with a certificate for {@code host} only. */
    Terminal server(String host, int port) throws Exception {
        TlsIdentity tls = pki.identity(host, List.of(host));
        CountingKeyManager keys = new CountingKeyManager(keyManager(tls));
        return terminal(aor("server"), Map.of("serve", host + ":" + port), new KeyManager[]{keys}, keys);
    }

    /** A TLS client terminal without a certificate of its own, initialised and registered. */
    Terminal client(Map<String, String> more) throws Exception {
        return terminal(aor("client"), more, null, null);
    }

    /** A TLS client terminal with a client certificate (published in its policy, so carried in its SAs). */
    Terminal clientWithCertificate(Map<String, String> more) throws Exception {
        String aor = aor("client");
        TlsIdentity tls = pki.identity("client", List.of(aor));
        return terminal(aor, more, new KeyManager[]{keyManager(tls)}, null);
    }

    private Terminal terminal(String aor, Map<String, String> more, KeyManager[] keyManagers, CountingKeyManager keys)
            throws Exception {
        SipTlsProvider provider = provider(aor, more);
        SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
        context.init(keyManagers, trustingCa(), null);
        return new Terminal(provider, context, keys);
    }

    /** Waits until every terminal's agent is registered, failing with its health otherwise. */
    static void awaitRegistered(Terminal... terminals) throws InterruptedException {
        for (Terminal t : terminals) {
            t.provider().assertHealthy(REGISTERED_WITHIN);
        }
    }

    TrustManager[] trustingCa() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(pki.ca().trustStore());
        return factory.getTrustManagers();
    }

    static X509ExtendedKeyManager keyManager(TlsIdentity identity) throws GeneralSecurityException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
        factory.init(identity.keyStore(), TestPki.PASSWORD);
        for (KeyManager km : factory.getKeyManagers()) {
            if (km instanceof X509ExtendedKeyManager extended) {
                return extended;
            }
        }
        throw new IllegalStateException("no X509ExtendedKeyManager");
    }

    /**
     * Closes the providers made so far (the key server stays), then fails if the master secret of any SA
     * they held shows up in what the run logged or printed.
     */
    void closeTerminals() {
        List<byte[]> secrets = new ArrayList<>();
        for (SipTlsProvider provider : closing) {
            try {
                provider.associations().held().forEach(sa -> secrets.add(sa.masterSecret()));
            } catch (IllegalStateException notStartedOrDestroyed) {
                // nothing held
            }
        }
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
        closing.clear();
        secretsChecked += secrets.size();
        capture.assertNotLeaked(secrets);
    }

    /** How many master secrets {@link #closeTerminals} looked for in the captured output. */
    int secretsChecked() {
        return secretsChecked;
    }

    @Override
    public void close() {
        try {
            closeTerminals();
        } finally {
            keyServer.close();
            capture.close();
        }
    }

    /**
     * One TLS peer: its provider, its SIP-TLS context, and (for a server) its key manager counting the keys
     * handshakes asked for.
     */
    record Terminal(SipTlsProvider provider, SSLContext context, CountingKeyManager keys) {
    }
}
