package dev.siptls.bench;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;

/** The agents of the distribution benches, one JVM or as deployed: made alike so their figures compare. */
public final class DistributionAgents {

    /** Protects only throw-away bench keys held in memory. */
    private static final char[] PASSWORD = "bench".toCharArray();

    private DistributionAgents() {
    }

    /**
     * A started agent of {@code keyServer}.
     *
     * @param chainKey the key of the policy's chain, if that is not {@code id}'s own
     */
    public static SipTlsAgent agent(InetSocketAddress keyServer, TlsIdentity id, String aor, SecurityPolicy policy,
            PrivateKey chainKey) throws Exception {
        SipTlsAgent agent = SipTlsAgent.builder().aor(aor).identity(id).keyServer(keyServer)
                .keyServerName("127.0.0.1").policy(policy).chainKey(chainKey).requestTimeout(Duration.ofSeconds(5))
                .maxAssociations(1_000).build();
        agent.start();
        return agent;
    }

    /** An EC P-256 identity for {@code cn} with {@code names}, issued by {@code ca}. */
    public static TlsIdentity identity(CertificateAuthority ca, String cn, List<String> names, KeyStore trust)
            throws Exception {
        return TlsIdentity.of(ca.issue(cn, names, KeyType.EC_P256, PASSWORD), PASSWORD, trust);
    }
}
