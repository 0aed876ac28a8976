package dev.siptls.server.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real agents prove they hold the key of the chain they publish, again for every new connection. */
class PossessionFlowTest {

    private static final HostPort WWW = new HostPort("www.example.com", 8443);

    @Test
    void aServerAgentProvesItsChainAgainAfterTheKeyServerRestarts() throws Exception {
        try (LogCapture logs = LogCapture.start(); Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            Flows.awaitRegistered(alice, bob);
            assertEquals(WWW.host(), served(alice).server().address().orElseThrow().host());

            flows.restartServer();
            KeyServerOutageFlowTest.awaitWithin(Duration.ofSeconds(10), () -> bob.statistics().registrations() == 2
                    && alice.state() == RegistrationState.REGISTERED && bob.state() == RegistrationState.REGISTERED);

            SecurityAssociation sa = served(alice);
            assertEquals(flows.tlsServer(WWW.host()).chain(), sa.server().certificateChain());
            assertEquals(0L, flows.server().statistics().getRefusals().getOrDefault("403 no-proof-of-possession", 0L));
            logs.assertNotLeaked(List.of(flows.tlsServer(WWW.host()).privateKey().getEncoded()));
        }
    }

    @Test
    void anAgentNeedsTheKeyOfAChainThatIsNotItsOwnIdentity() throws Exception {
        try (Flows flows = new Flows()) {
            TlsIdentity bob = flows.pki.agent("sip:bob@example.com");
            TlsIdentity other = flows.pki.identity("other", List.of("other.example.com"));
            SipTlsAgent.Builder builder = SipTlsAgent.builder().aor("sip:bob@example.com").identity(bob)
                    .keyServer(flows.address()).policy(flows.serverPolicy(WWW));

            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, builder::build);
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> builder.chainKey(other.privateKey()).build());

            assertTrue(none.getMessage().contains("chainKey"), none.getMessage());
            assertTrue(wrong.getMessage().contains("not the private key"), wrong.getMessage());
        }
    }

    @Test
    void anAgentPublishingItsOwnIdentityChainNeedsNoChainKey() throws Exception {
        try (Flows flows = new Flows()) {
            TlsIdentity carol = flows.pki.agent("sip:carol@example.com");
            SipTlsAgent client = flows.agent(carol, "sip:carol@example.com",
                    flows.clientPolicyWithChain(carol.chain()), b -> b);
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            Flows.awaitRegistered(client, bob);

            SecurityAssociation sa = client.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);

            assertEquals(carol.chain(), sa.client().certificateChain());
        }
    }

    private static SecurityAssociation served(SipTlsAgent client) throws Exception {
        return client.requestAssociation(WWW.toString()).get(10, TimeUnit.SECONDS);
    }
}
