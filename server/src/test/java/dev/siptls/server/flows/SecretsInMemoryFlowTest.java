package dev.siptls.server.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.testing.HeapSecrets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Once an SA exchange is done and the agents have let their SAs go, no master secret is left anywhere in the
 * memory of the key server or the agents: searched for in a real heap dump of the JVM running all three,
 * unreachable objects included, in binary, hex and base64, a few seconds after the exchange.
 */
class SecretsInMemoryFlowTest {

    private static final int ASSOCIATIONS = 20;

    @Test
    void noMasterSecretIsFoundInAHeapDumpAfterTheExchange() throws Exception {
        HeapSecrets secrets = new HeapSecrets();
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.client("sip:bob@example.com");
            Flows.awaitRegistered(alice, bob);
            for (int i = 0; i < ASSOCIATIONS; i++) {
                SecurityAssociation sa = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);
                secrets.add(sa.masterSecret());
            }
            // The agents let go of their SAs, as when they expire: what is left is what nobody should hold.
            for (SipTlsAgent agent : List.of(alice, bob)) {
                for (SecurityAssociation sa : agent.associations().held()) {
                    agent.associations().remove(sa.sessionIdHex());
                }
            }
            Thread.sleep(2_000);
            List<String> found = secrets.findIn(Path.of("target", "secrets-in-memory.hprof"));
            assertEquals(List.of(), found, "master secrets still in memory after the exchange (of "
                    + secrets.size() + ")");
        }
    }
}
