package dev.siptls.server.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The paper's figure 3: both TLS peers authenticate to the key server (REGISTER 200, MESSAGE 200). */
class AuthenticationFlowTest {

    @Test
    void twoAgentsRegisterAndPublishTheirPolicies() throws Exception {
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", new HostPort("www.example.com", 8443));

            Flows.awaitRegistered(alice, bob);

            assertEquals(RegistrationState.REGISTERED, alice.state());
            assertEquals(RegistrationState.REGISTERED, bob.state());
            assertEquals(Optional.empty(), alice.lastError());
            assertEquals(1, alice.statistics().registrations());
            assertEquals(2, flows.server().statistics().getCurrentRegistrations());
            assertEquals(2, flows.server().statistics().getCurrentPolicies());
        }
    }

    @Test
    void anAgentRefreshesItsRegistrationBeforeItExpires() throws Exception {
        try (Flows flows = new Flows(b -> b.minExpires(Duration.ofSeconds(2)).defaultExpires(Duration.ofSeconds(2)))) {
            SipTlsAgent alice = flows.agent("sip:alice@example.com", flows.clientPolicy(),
                    b -> b.registrationExpiry(Duration.ofSeconds(2)));
            Flows.awaitRegistered(alice);

            KeyServerOutageFlowTest.awaitWithin(Duration.ofSeconds(10), () -> alice.statistics().refreshes() >= 2);

            assertEquals(RegistrationState.REGISTERED, alice.state());
            assertEquals(1, alice.statistics().registrations());
            assertTrue(flows.server().statistics().getRefreshedRegistrations() >= 2);
            assertEquals(1, flows.server().statistics().getCurrentPolicies());
        }
    }

    @Test
    void anAgentAsksAgainWithTheMinimumExpiryWhenTheKeyServerFindsItsTooBrief() throws Exception {
        try (Flows flows = new Flows(b -> b.minExpires(Duration.ofSeconds(120)))) {
            SipTlsAgent alice = flows.agent("sip:alice@example.com", flows.clientPolicy(),
                    b -> b.registrationExpiry(Duration.ofSeconds(30)));

            Flows.awaitRegistered(alice);

            assertEquals(0, alice.statistics().registrationFailures());
            assertEquals(1, flows.server().statistics().getRefusals().getOrDefault("423 interval-too-brief", 0L));
        }
    }

    @Test
    void aNewPolicyIsPublishedAtOnceAndUsedForTheNextSa() throws Exception {
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com", Flows.SUITE_256, Flows.SUITE_128);
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", new HostPort("www.example.com", 8443),
                    Flows.SUITE_128);
            Flows.awaitRegistered(alice, bob);
            long accepted = flows.server().statistics().getTotalPolicies();

            bob.publish(flows.serverPolicy(new HostPort("www.example.com", 8443), Flows.SUITE_256));
            KeyServerOutageFlowTest.awaitWithin(Duration.ofSeconds(10),
                    () -> flows.server().statistics().getTotalPolicies() > accepted);

            assertEquals(Flows.SUITE_256,
                    alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS).cipherSuite());
        }
    }

    @Test
    void anAgentWhoseKeyServerIsDownKeepsRetryingAndSaysWhy() throws Exception {
        try (Flows flows = new Flows()) {
            flows.stopServer();
            SipTlsAgent alice = flows.client("sip:alice@example.com");

            assertTrue(!alice.awaitRegistered(Duration.ofSeconds(1)));

            assertEquals(RegistrationState.RETRYING, alice.state());
            assertTrue(alice.lastError().isPresent());
            assertTrue(alice.statistics().registrationFailures() >= 1);
        }
    }

    @Test
    void anAgentRefusedByTheKeyServerRetriesAndReportsTheRefusal() throws Exception {
        try (Flows flows = new Flows()) {
            HostPort notMine = new HostPort("www.example.com", 8443);
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", notMine);
            Flows.awaitRegistered(bob);
            SipTlsAgent carol = flows.serverAgent("sip:carol@example.com", notMine);

            assertTrue(!carol.awaitRegistered(Duration.ofSeconds(1)));

            assertTrue(carol.lastError().orElseThrow().contains("409"), carol.lastError().orElseThrow());
        }
    }
}
