package dev.siptls.conformance;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.LogCapture;
import dev.siptls.sip.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * One deployment over loopback, as an operator would set it up: a throw-away CA, a real key server on a free
 * port, and SIP-TLS providers configured from real properties files and PKCS#12 stores in a temporary
 * directory. Closes everything it started, newest first.
 */
final class Deployment implements AutoCloseable {

    /** The suite the tests' SAs use: EC keys everywhere, and OpenSSL and BCJSSE both implement it. */
    static final String SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    static final String PASSWORD = new String(TestPki.PASSWORD);
    static final Duration REGISTRATION = Duration.ofSeconds(15);

    final TestPki pki;
    final Path dir;
    final KeyServer keyServer;
    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    private TlsIdentity tlsServer;
    /** Everything logged or printed while the deployment runs: searched for its SAs' master secrets. */
    private final LogCapture capture = LogCapture.start();

    private Deployment(TestPki pki, Path dir, KeyServer keyServer) {
        this.pki = pki;
        this.dir = dir;
        this.keyServer = keyServer;
    }

    static Deployment start(Path dir) throws IOException {
        return start(dir, b -> b);
    }

    /** A deployment whose key server is built with {@code tweak} applied (e.g. a plain-TCP listener). */
    static Deployment start(Path dir, UnaryOperator<KeyServerConfig.Builder> tweak) throws IOException {
        TestPki pki = new TestPki();
        KeyServer server = KeyServer.start(tweak.apply(KeyServerConfig.builder().identity(pki.keyServer())
                .port(0).name("conformance-keyserver").registerMBean(false)).build());
        return new Deployment(pki, dir, server);
    }

    /** The key server's TLS listener as agents are configured with it. */
    String keyServerHostPort() {
        return "127.0.0.1:" + keyServer.address().getPort();
    }

    /** The CA as a PKCS#12 trust store file (written once). */
    synchronized Path trustStore() {
        Path file = dir.resolve("trust.p12");
        if (!Files.exists(file)) {
            write(() -> CertificateAuthority.write(pki.ca().trustStore(), file, TestPki.PASSWORD));
        }
        return file;
    }

    /** The CA certificate as PEM, for OpenSSL and stunnel. */
    synchronized Path caPem() {
        Path file = dir.resolve("ca.pem");
        if (!Files.exists(file)) {
            write(() -> Files.writeString(file, Pem.certificate(pki.ca().certificate()), StandardCharsets.US_ASCII));
        }
        return file;
    }

    /** An identity's key store as a PKCS#12 file named {@code name}. */
    Path keyStore(String name, TlsIdentity identity) {
        Path file = dir.resolve(name);
        write(() -> CertificateAuthority.write(identity.keyStore(), file, TestPki.PASSWORD));
        return file;
    }

    /** The TLS servers' identity: a certificate for localhost and 127.0.0.1 (EC P-256). */
    synchronized TlsIdentity tlsServer() {
        if (tlsServer == null) {
            tlsServer = pki.identity("tls-server", List.of("localhost", "127.0.0.1"));
        }
        return tlsServer;
    }

    /**
     * A {@code sip-tls.properties} for an agent proving {@code aor}, with its key store and the trust store
     * beside it, and {@code more} keys (e.g. {@code serve}) added.
     */
    Path properties(String aor, Map<String, String> more) {
        String user = aor.substring(aor.indexOf(':') + 1).replace('@', '_');
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("aor", aor);
        keys.put("keyStore", keyStore(user + ".p12", pki.agent(aor)).getFileName().toString());
        keys.put("keyStorePassword", PASSWORD);
        keys.put("trustStore", trustStore().getFileName().toString());
        keys.put("trustStorePassword", PASSWORD);
        keys.put("keyServer", keyServerHostPort());
        keys.put("keyServerName", "localhost");
        keys.putAll(more);
        Path file = dir.resolve(user + ".properties");
        write(() -> {
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (Map.Entry<String, String> e : keys.entrySet()) {
                    out.write(e.getKey() + "=" + e.getValue() + "\n");
                }
            }
        });
        return file;
    }

    /** A configured (not started) provider for {@code aor}, the way java.security would configure it. */
    SipTlsProvider provider(String aor, Map<String, String> more) {
        SipTlsProvider provider = (SipTlsProvider) new SipTlsProvider().configure(properties(aor, more).toString());
        started.add(provider);
        return provider;
    }

    /** A started SIP-TLS agent without JSSE, registered with {@code policy}. */
    SipTlsAgent agent(String aor, SecurityPolicy policy) throws IOException, InterruptedException {
        SipTlsAgent agent = SipTlsAgent.builder().aor(aor).identity(pki.agent(aor))
                .keyServer(keyServer.address()).keyServerName("localhost").policy(policy)
                .requestTimeout(Duration.ofSeconds(5)).build();
        started.add(agent);
        agent.start();
        if (!agent.awaitRegistered(REGISTRATION)) {
            throw new IllegalStateException(aor + " did not register: " + agent.lastError().orElse("?"));
        }
        return agent;
    }

    /** A client policy offering {@link #SUITE}. */
    static SecurityPolicy clientPolicy() {
        return SecurityPolicy.builder().cipherSuite(SUITE).build();
    }

    /** Something else to close with the deployment. */
    <T extends AutoCloseable> T closing(T resource) {
        started.add(resource);
        return resource;
    }

    static KeyManager[] keyManagers(TlsIdentity identity) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(identity.keyStore(), TestPki.PASSWORD);
        return kmf.getKeyManagers();
    }

    TrustManager[] trustManagers() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(pki.ca().trustStore());
        return tmf.getTrustManagers();
    }

    /** A SIP-TLS context of {@code provider}; its init starts the provider's agent. */
    SSLContext context(SipTlsProvider provider, KeyManager[] keys) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
        context.init(keys, trustManagers(), null);
        return context;
    }

    /** A plain SunJSSE context that trusts the test CA: a client that knows nothing of SIP. */
    SSLContext plainClientContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS", "SunJSSE");
        context.init(null, trustManagers(), null);
        return context;
    }

    /**
     * A free loopback port, for servers whose {@code host:port} must be in their SIP-TLS configuration
     * before they bind (the OS may in principle hand it out again in between; on loopback it does not).
     */
    static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress plainTcp() {
        return keyServer.plainTcpAddress().orElseThrow(() -> new IllegalStateException("no plain-TCP listener"));
    }

    /**
     * Closes everything, newest first; then fails if the master secret of any SA its providers and agents
     * held shows up in what was logged (at any level) or printed while the deployment ran.
     */
    @Override
    public void close() {
        List<AutoCloseable> all;
        synchronized (started) {
            all = new ArrayList<>(started);
            started.clear();
        }
        List<byte[]> secrets = new ArrayList<>();
        for (AutoCloseable c : all) {
            heldBy(c).forEach(sa -> secrets.add(sa.masterSecret()));
        }
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
        if (keyServer != null) {
            keyServer.close();
        }
        capture.close();
        capture.assertNotLeaked(secrets);
    }

    private static List<SecurityAssociation> heldBy(AutoCloseable resource) {
        try {
            if (resource instanceof SipTlsProvider provider) {
                return provider.associations().held();
            }
            if (resource instanceof SipTlsAgent agent) {
                return agent.associations().held();
            }
        } catch (IllegalStateException notStarted) {
            // holds nothing
        }
        return List.of();
    }

    private interface IoAction {
        void run() throws IOException, GeneralSecurityException;
    }

    private static void write(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
