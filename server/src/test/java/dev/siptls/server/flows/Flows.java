package dev.siptls.server.flows;

import dev.siptls.agent.AssociationAcceptor;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * One throw-away PKI, a real {@link KeyServer} on a free loopback port and real {@link SipTlsAgent}s
 * registered with it; closes them all. The key server can be restarted on the same port.
 */
final class Flows implements AutoCloseable {

    static final String SUITE_128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    static final String SUITE_256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    static final String SUITE_RSA = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    static final Duration REGISTERED_WITHIN = Duration.ofSeconds(10);

    final TestPki pki = new TestPki();
    private final UnaryOperator<KeyServerConfig.Builder> tweak;
    private final List<SipTlsAgent> agents = new ArrayList<>();
    private final Map<String, TlsIdentity> tlsServers = new ConcurrentHashMap<>();
    private volatile KeyServer server;
    private final InetSocketAddress address;

    Flows() throws IOException {
        this(b -> b);
    }

    Flows(UnaryOperator<KeyServerConfig.Builder> tweak) throws IOException {
        this.tweak = tweak;
        this.server = start(0);
        this.address = server.address();
    }

    private KeyServer start(int port) throws IOException {
        return KeyServer.start(tweak.apply(KeyServerConfig.builder()
                .identity(pki.keyServer()).port(port).name("flows-keyserver").registerMBean(false)
                .relayTimeout(Duration.ofSeconds(2))).build());
    }

    KeyServer server() {
        return server;
    }

    /** Where agents find the key server (the same across restarts). */
    InetSocketAddress address() {
        return address;
    }

    void stopServer() {
        server.close();
    }

    /** Starts a new key server on the same port (all registrations lost). */
    void restartServer() throws IOException {
        server.close();
        server = start(address.getPort());
    }

    /** A started agent (not yet necessarily registered) with a client policy of {@code suites}. */
    SipTlsAgent client(String aor, String... suites) throws IOException {
        return agent(aor, clientPolicy(suites), b -> b);
    }

    /** A started agent serving {@code binding} with a certificate for its host, and that certificate's key. */
    SipTlsAgent serverAgent(String aor, HostPort binding, String... suites) throws IOException {
        return agent(aor, serverPolicy(binding, suites), b -> b.chainKey(tlsServer(binding.host()).privateKey()));
    }

    SipTlsAgent serverAgent(String aor, HostPort binding, AssociationAcceptor acceptor, String... suites)
            throws IOException {
        return agent(aor, serverPolicy(binding, suites),
                b -> b.acceptor(acceptor).chainKey(tlsServer(binding.host()).privateKey()));
    }

    /** The TLS server identity for {@code host} (one per host and key server). */
    TlsIdentity tlsServer(String host) {
        return tlsServers.computeIfAbsent(host, h -> pki.identity(h, List.of(h)));
    }

    SipTlsAgent agent(String aor, SecurityPolicy policy, UnaryOperator<SipTlsAgent.Builder> more) throws IOException {
        return agent(pki.agent(aor), aor, policy, more);
    }

    SipTlsAgent agent(TlsIdentity identity, String aor, SecurityPolicy policy, UnaryOperator<SipTlsAgent.Builder> more)
            throws IOException {
        SipTlsAgent agent = more.apply(SipTlsAgent.builder()
                .aor(aor)
                .identity(identity)
                .keyServer(address)
                .keyServerName("localhost")
                .policy(policy)
                .requestTimeout(Duration.ofSeconds(3))).build();
        agents.add(agent);
        agent.start();
        return agent;
    }

    /** Waits for every agent given to be registered; fails the test with their last errors otherwise. */
    static void awaitRegistered(SipTlsAgent... agents) throws InterruptedException {
        for (SipTlsAgent agent : agents) {
            if (!agent.awaitRegistered(REGISTERED_WITHIN)) {
                throw new AssertionError(agent + " not registered: " + agent.lastError().orElse("(no error)"));
            }
        }
    }

    SecurityPolicy clientPolicy(String... suites) {
        return SecurityPolicy.builder().cipherSuites(List.of(suites.length == 0 ? new String[] {SUITE_128} : suites))
                .build();
    }

    /** A client policy carrying {@code chain}, so that SAs name it as the client's. */
    SecurityPolicy clientPolicyWithChain(List<java.security.cert.X509Certificate> chain) {
        return SecurityPolicy.builder().cipherSuite(SUITE_128).certificateChain(chain).build();
    }

    SecurityPolicy serverPolicy(HostPort binding, String... suites) {
        TlsIdentity tls = tlsServer(binding.host());
        return SecurityPolicy.builder().cipherSuites(List.of(suites.length == 0 ? new String[] {SUITE_128} : suites))
                .binding(binding).certificateChain(tls.chain()).maxLifetime(Duration.ofMinutes(30)).build();
    }

    @Override
    public void close() {
        for (SipTlsAgent agent : agents) {
            agent.close();
        }
        server.close();
    }
}
