package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How a registered connection ends on the key server's non-blocking transport when its peer ends it at the TLS
 * layer: a close_notify, a TLS 1.2 renegotiation (refused: the connection's identity is the certificate of its
 * one handshake), an alert injected mid-stream. Each ends the connection and the registration on it, and
 * leaves nothing behind: no open connection, no buffered byte. A TLS 1.3 KeyUpdate is part of the protocol:
 * the connection goes on.
 */
class TlsEndingsTest {

    private static final String BOB = "sip:bob@example.com";

    private static RawPeer registered(Fixture f, String protocol) throws Exception {
        RawPeer peer = RawPeer.connect(f.server, f.pki.agent(BOB), protocol);
        assertEquals(protocol, peer.protocol());
        assertEquals(200, peer.call(peer.register(BOB, 600)));
        assertEquals(1, f.server.statistics().getCurrentRegistrations());
        return peer;
    }

    /** Nothing left of the connection: no registration, no open connection, no byte kept for it. */
    private static void assertNothingLeft(Fixture f) throws InterruptedException {
        Polling.until(() -> f.server.statistics().getCurrentRegistrations() == 0);
        Polling.until(() -> f.server.statistics().getOpenConnections() == 0);
        Polling.until(() -> f.server.tlsConnectionState()[0] == 0);
        assertArrayEquals(new long[] {0, 0}, java.util.Arrays.copyOf(f.server.tlsConnectionState(), 2));
    }

    @Test
    void aCloseNotifyEndsTheConnectionAndItsRegistration() throws Exception {
        for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
            try (Fixture f = new Fixture()) {
                RawPeer bob = registered(f, protocol);
                bob.close(); // sends close_notify

                assertNothingLeft(f);
            }
        }
    }

    @Test
    void aTls12RenegotiationEndsTheConnectionAndItsRegistration() throws Exception {
        try (Fixture f = new Fixture(); RawPeer bob = registered(f, "TLSv1.2")) {
            try {
                bob.handshakeAgain();
                bob.send(bob.options(BOB, 0));
            } catch (java.io.IOException refused) {
                // the key server closed the connection
            }

            assertTrue(bob.closedWithin(Duration.ofSeconds(10)), "a renegotiated connection was kept");
            assertNothingLeft(f);
        }
    }

    @Test
    void aTls13KeyUpdateKeepsTheConnectionServed() throws Exception {
        try (Fixture f = new Fixture()) {
            try (RawPeer bob = registered(f, "TLSv1.3")) {
                for (int i = 0; i < 3; i++) {
                    bob.handshakeAgain(); // a KeyUpdate asking for the key server's too
                    assertEquals(200, bob.call(bob.register(BOB, 600)), "after KeyUpdate " + (i + 1));
                }
            }
            assertNothingLeft(f);
        }
    }

    @Test
    void anAlertInjectedMidStreamEndsTheConnectionAndItsRegistration() throws Exception {
        for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
            try (Fixture f = new Fixture(); RawPeer bob = registered(f, protocol)) {
                // a fatal internal_error alert in a plaintext record, as an on-path attacker could inject
                bob.sendUnderTls(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50});

                assertTrue(bob.closedWithin(Duration.ofSeconds(10)), protocol + ": the connection was kept");
                assertNothingLeft(f);
            }
        }
    }
}
