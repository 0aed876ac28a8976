package dev.siptls.server;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** One throw-away PKI, a key server on a free port, and the agents a test connects; closes them all. */
final class Fixture implements AutoCloseable {

    static final String SUITE_128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    static final String SUITE_256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    static final String SUITE_RSA = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

    final TestPki pki = new TestPki();
    final KeyServer server;
    private final List<TestAgent> agents = new ArrayList<>();
    private final Map<String, TlsIdentity> tlsServers = new ConcurrentHashMap<>();

    Fixture() throws Exception {
        this(b -> b);
    }

    Fixture(UnaryOperator<KeyServerConfig.Builder> tweak) throws Exception {
        this.server = KeyServer.start(tweak.apply(KeyServerConfig.builder()
                .identity(pki.keyServer()).port(0).name("test-keyserver")
                .relayTimeout(Duration.ofSeconds(2))).build());
    }

    /** An agent whose certificate proves {@code aor}. */
    TestAgent agent(String aor) throws Exception {
        return agent(pki.agent(aor), aor);
    }

    TestAgent agent(TlsIdentity identity, String aor) throws Exception {
        TestAgent a = TestAgent.connect(server, identity, aor);
        agents.add(a);
        return a;
    }

    /** An agent registered (600 s) with a client policy. */
    TestAgent client(String aor, String... suites) throws Exception {
        TestAgent a = agent(aor);
        expect(200, a.register(600).getStatusCode());
        expect(200, a.publish(clientPolicy(suites)).getStatusCode());
        return a;
    }

    /**
     * An agent registered with a server policy binding {@code host:port} with a certificate for {@code host},
     * proving it holds that certificate's key.
     */
    TestAgent serverAgent(String aor, HostPort binding, String... suites) throws Exception {
        TestAgent a = agent(aor);
        expect(200, a.register(600).getStatusCode());
        expect(200, publishServerPolicy(a, binding, suites).getStatusCode());
        return a;
    }

    /** Publishes {@link #serverPolicy} with the proof of possession of {@link #tlsServer}'s key. */
    javax.sip.message.Response publishServerPolicy(TestAgent a, HostPort binding, String... suites) throws Exception {
        return a.publishProven(serverPolicy(binding, suites), tlsServer(binding.host()).privateKey());
    }

    /** The TLS server identity for {@code host} (one per host and fixture). */
    TlsIdentity tlsServer(String host) {
        return tlsServers.computeIfAbsent(host, h -> pki.identity(h, List.of(h)));
    }

    /** A client policy listing the versions its suites belong to (TLS 1.3 first), as agents publish them. */
    SecurityPolicy clientPolicy(String... suites) {
        return policyOf(suites).build();
    }

    SecurityPolicy serverPolicy(HostPort binding, String... suites) {
        TlsIdentity tls = tlsServer(binding.host());
        return policyOf(suites)
                .binding(binding).certificateChain(tls.chain()).maxLifetime(Duration.ofMinutes(30)).build();
    }

    private static SecurityPolicy.Builder policyOf(String... suites) {
        List<String> listed = List.of(suites.length == 0 ? new String[] {SUITE_128} : suites);
        List<String> versions = CipherSuites.PROTOCOL_VERSIONS.stream()
                .filter(v -> listed.stream().anyMatch(s -> CipherSuites.protocolVersion(s).equals(v))).toList();
        return SecurityPolicy.builder().protocolVersions(versions).cipherSuites(listed);
    }

    long refusals(int status, String key) {
        return ((Counters) server.statistics()).refusals(status, key);
    }

    private static void expect(int want, int got) {
        if (want != got) {
            throw new AssertionError("expected " + want + ", got " + got);
        }
    }

    @Override
    public void close() {
        agents.forEach(TestAgent::close);
        server.close();
    }
}
