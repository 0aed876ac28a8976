package dev.siptls.bench.memory;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;

/**
 * The memory bench's identities and agents, all from one throw-away CA that the key server trusts: agents
 * proving their AORs, and the policies they publish. A TLS server's policy is the heavier kind the key
 * server keeps (suites, a {@code host:443} binding and a two-certificate chain), so the figures are for it.
 */
public final class BenchAgents {

    public static final String DOMAIN = "example.com";
    private static final char[] PASSWORD = "memory-bench".toCharArray();
    private static final List<String> SUITES = List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    private final CertificateAuthority ca;
    private final KeyStore trust;
    private final TlsIdentity webServer;

    public BenchAgents() throws Exception {
        this.ca = CertificateAuthority.create("SIP-TLS memory bench CA");
        this.trust = ca.trustStore();
        this.webServer = identity("*." + DOMAIN, List.of("*." + DOMAIN));
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public static String aor(String user) {
        return "sip:" + user + "@" + DOMAIN;
    }

    /** An identity whose certificate carries {@code names} as subjectAltNames (AOR URIs or DNS names). */
    public TlsIdentity identity(String commonName, List<String> names) throws Exception {
        return TlsIdentity.of(ca.issue(commonName, names, KeyType.EC_P256, PASSWORD), PASSWORD, trust);
    }

    /** What a TLS server serving {@code host:443} publishes; the chain is valid for any host of the domain. */
    public SecurityPolicy serverPolicy(String host) {
        return SecurityPolicy.builder().cipherSuites(SUITES).maxLifetime(Duration.ofHours(1))
                .binding(new HostPort(host + "." + DOMAIN, 443)).certificateChain(webServer.chain()).build();
    }

    /** The private key of {@link #serverPolicy}'s chain, with which an agent proves it holds it. */
    public java.security.PrivateKey webServerKey() {
        return webServer.privateKey();
    }

    /** What a TLS client publishes: only the suites it accepts. */
    public SecurityPolicy clientPolicy() {
        return SecurityPolicy.builder().cipherSuites(SUITES).maxLifetime(Duration.ofHours(1)).build();
    }

    /**
     * A started agent for {@code user}, registering with {@code policy}; registrations and SAs last long
     * enough (an hour) that nothing expires or is evicted while the bench measures.
     */
    public SipTlsAgent start(InetSocketAddress keyServer, String user, SecurityPolicy policy, int maxAssociations)
            throws Exception {
        SipTlsAgent agent = SipTlsAgent.builder().aor(aor(user)).identity(identity(user, List.of(aor(user))))
                .keyServer(keyServer).keyServerName("127.0.0.1").policy(policy).chainKey(webServer.privateKey())
                .registrationExpiry(Duration.ofHours(1)).requestTimeout(Duration.ofSeconds(10))
                .maxAssociations(maxAssociations).build();
        agent.start();
        return agent;
    }

    /** Waits for every agent to be registered with its policy accepted. */
    public static void awaitRegistered(List<SipTlsAgent> agents, Duration each) throws InterruptedException {
        for (SipTlsAgent agent : agents) {
            if (!agent.awaitRegistered(each)) {
                throw new IllegalStateException(agent.aor() + " did not register: "
                        + agent.lastError().orElse("no error reported"));
            }
        }
    }
}
