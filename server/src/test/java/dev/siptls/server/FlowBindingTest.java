package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An SA goes only to the very connection its holder registered on. Attacked as an enrolled insider would:
 * from the departed agent's ip:port, and listening on it.
 */
class FlowBindingTest {

    @Test
    void aConnectionFromADepartedAgentsAddressGetsNoneOfItsSecurityAssociations() throws Exception {
        try (Fixture f = new Fixture()) {
            TestAgent alice = f.client("sip:alice@example.com");
            RawPeer bob = registeredRawPeer(f, "sip:bob@example.com");
            int port = bob.localPort();
            bob.reset();
            Polling.until(() -> f.server.flowOf("sip:bob@example.com").isEmpty());

            try (RawPeer mallory = RawPeer.connect(f.server, f.pki.agent("sip:mallory@example.com"), port, 0)) {
                assertEquals(port, mallory.localPort());
                assertEquals(480, alice.invite("sips:bob@example.com").getStatusCode());
                assertNull(mallory.readMessage(Duration.ofSeconds(1)),
                        "bob's security association reached another connection from bob's address");
            }
        }
    }

    @Test
    void theKeyServerNeverDialsTheAddressADepartedAgentHad() throws Exception {
        try (Fixture f = new Fixture()) {
            TestAgent alice = f.client("sip:alice@example.com");
            RawPeer bob = registeredRawPeer(f, "sip:bob@example.com");
            InetSocketAddress address = f.server.flowOf("sip:bob@example.com").orElseThrow().remote();
            bob.reset();
            Polling.until(() -> f.server.flowOf("sip:bob@example.com").isEmpty());

            try (ServerSocket trap = new ServerSocket()) {
                trap.setReuseAddress(true);
                trap.bind(address);
                assertEquals(480, alice.invite("sips:bob@example.com").getStatusCode());
                trap.setSoTimeout(1_000);
                assertThrows(SocketTimeoutException.class, trap::accept,
                        "the key server connected to the address bob's registration had");
            }
        }
    }

    @Test
    void aRegistrationDiesWithItsConnection() throws Exception {
        try (Fixture f = new Fixture()) {
            TestAgent alice = f.client("sip:alice@example.com");
            RawPeer bob = RawPeer.connect(f.server, f.pki.agent("sip:bob@example.com"), 0, 0);
            assertEquals(200, bob.call(bob.register("sip:bob@example.com", 600)));
            assertEquals(1 + 1, f.server.statistics().getCurrentRegistrations());
            bob.close();
            Polling.until(() -> f.server.statistics().getCurrentRegistrations() == 1);
            assertEquals(480, alice.invite("sips:bob@example.com").getStatusCode());
        }
    }

    /** A hand-made agent registered as {@code aor} with a client policy, on a connection of its own. */
    static RawPeer registeredRawPeer(Fixture f, String aor) throws Exception {
        RawPeer peer = RawPeer.connect(f.server, f.pki.agent(aor), 0, 0);
        assertEquals(200, peer.call(peer.register(aor, 600)));
        assertEquals(200, peer.call(peer.policy(aor,
                new String(TestAgent.CODEC.encode(f.clientPolicy()), StandardCharsets.UTF_8))));
        return peer;
    }
}
