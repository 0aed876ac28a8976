package dev.siptls.server.flows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SA bodies are sealed to each agent's own key, EC or RSA alike, and both agents open the same SA. */
class SealedDistributionFlowTest {

    @Test
    void agentsWithRsaAndEcCertificatesOpenTheSameAssociation() throws Exception {
        try (Flows flows = new Flows()) {
            TlsIdentity rsa = flows.pki.identity("sip:rsa-bob@example.com", List.of("sip:rsa-bob@example.com"),
                    KeyType.RSA_2048);
            SipTlsAgent bob = flows.agent(rsa, "sip:rsa-bob@example.com", flows.clientPolicy(), b -> b);
            SipTlsAgent alice = flows.client("sip:ec-alice@example.com");
            Flows.awaitRegistered(alice, bob);

            SecurityAssociation atClient = alice.requestAssociation("sip:rsa-bob@example.com").get(10, TimeUnit.SECONDS);
            SecurityAssociation atServer = bob.associations().bySessionId(atClient.sessionId()).orElseThrow();

            assertEquals("sip:rsa-bob@example.com", atClient.server().identity());
            assertArrayEquals(atClient.masterSecret(), atServer.masterSecret());
        }
    }
}
