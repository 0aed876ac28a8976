package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.testing.LogCapture;
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
    void aConnectionFromADepartedAgentsAddressIsRefusedAndGetsNothingOfIt() throws Exception {
        try (Fixture f = new Fixture(b -> b.relayTimeout(Duration.ofSeconds(3)))) {
            TestAgent alice = f.client("sip:alice@example.com");
            TestAgent dave = f.client("sip:dave@example.com");
            dave.answer = request -> TestAgent.SILENT;
            RawPeer bob = registeredRawPeer(f, "sip:bob@example.com");
            int port = bob.localPort();
            // bob leaves with an SA request pending: its transaction would still answer (100, then 408)
            bob.send(bob.invite("sip:bob@example.com", "sips:dave@example.com"));
            assertNotNull(dave.nextInvite());
            bob.reset();
            // at once, before or after the key server has read the reset: refused either way

            assertThrows(java.io.IOException.class, () -> {
                try (RawPeer mallory = RawPeer.connect(f.server, f.pki.agent("sip:mallory@example.com"), port, 0)) {
                    mallory.send(mallory.register("sip:mallory@example.com", 600));
                    String leaked = mallory.readMessage(Duration.ofSeconds(5));
                    throw new AssertionError("a connection from bob's address was served: " + leaked);
                }
            });
            assertEquals(1, f.server.statistics().getReusedAddressesRefused());
            Polling.until(() -> f.server.flowOf("sip:bob@example.com").isEmpty());
            assertEquals(480, alice.invite("sips:bob@example.com").getStatusCode());
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

    /**
     * A second process registering an AOR whose registration is still open on another connection takes it over;
     * the key server says so, since two processes sharing an AOR take each other's SAs.
     */
    @Test
    void aRegistrationThatMovesToAnotherOpenConnectionIsLogged() throws Exception {
        try (Fixture f = new Fixture(); LogCapture log = LogCapture.start();
             RawPeer first = RawPeer.connect(f.server, f.pki.agent("sip:bob@example.com"), 0, 0);
             RawPeer second = RawPeer.connect(f.server, f.pki.agent("sip:bob@example.com"), 0, 0)) {
            assertEquals(200, first.call(first.register("sip:bob@example.com", 600)));
            assertEquals(200, first.call(first.register("sip:bob@example.com", 600)));
            assertFalse(log.text().contains("while its registration on another connection was still open"),
                    "a refresh on the same connection is no move:\n" + log.text());

            assertEquals(200, second.call(second.register("sip:bob@example.com", 600)));

            Polling.until(() -> log.text().contains("sip:bob@example.com registered from"));
            assertTrue(log.text().contains("two processes share this AOR"), log.text());
            assertEquals(1, f.server.statistics().getCurrentRegistrations());
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
