package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.Flow;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.LogCapture;
import dev.siptls.sip.testing.TestPki;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Connections cost the key server only while they are of use, and failed TLS authentications are visible. */
class ConnectionHygieneTest {

    @Test
    void anIdleConnectionWithNoRegistrationIsClosedAndARegisteredOneKept() throws Exception {
        try (Fixture f = new Fixture(b -> b.idleTimeout(Duration.ofMillis(500)).sweepInterval(Duration.ofMillis(100)))) {
            TestAgent carol = f.client("sip:carol@example.com");
            Flow carolsFlow = f.server.flowOf("sip:carol@example.com").orElseThrow();
            try (RawPeer idle = RawPeer.connect(f.server, f.pki.agent("sip:mallory@example.com"), 0, 0)) {
                assertTrue(idle.closedWithin(Duration.ofSeconds(10)), "an idle unregistered connection was kept");
            }
            assertEquals(1, f.server.statistics().getIdleConnectionsClosed());
            assertTrue(carolsFlow.isOpen(), "a registered connection was closed for being idle");
            assertEquals(200, carol.register(600).getStatusCode());
            assertEquals(carolsFlow, f.server.flowOf("sip:carol@example.com").orElseThrow());
        }
    }

    @Test
    void keepAlivesAndOptionsDoNotKeepAnUnregisteredConnectionOpen() throws Exception {
        try (Fixture f = new Fixture(b -> b.idleTimeout(Duration.ofMillis(500)).sweepInterval(Duration.ofMillis(100)))) {
            try (RawPeer chatty = RawPeer.connect(f.server, f.pki.agent("sip:mallory@example.com"), 0, 0)) {
                boolean closed = false;
                for (int i = 0; i < 100 && !closed; i++) {
                    try {
                        chatty.send(i % 2 == 0 ? "\r\n\r\n" : chatty.options("sip:mallory@example.com", 0));
                        closed = chatty.closedWithin(Duration.ofMillis(100));
                    } catch (java.io.IOException e) {
                        closed = true;
                    }
                }
                assertTrue(closed, "a connection kept sending and was never closed");
            }
            assertEquals(1, f.server.statistics().getIdleConnectionsClosed());
        }
    }

    @Test
    void aConnectionWhoseRegistrationEndedIsClosedOnceIdle() throws Exception {
        try (Fixture f = new Fixture(b -> b.idleTimeout(Duration.ofMillis(500)).sweepInterval(Duration.ofMillis(100)))) {
            try (RawPeer bob = FlowBindingTest.registeredRawPeer(f, "sip:bob@example.com")) {
                assertEquals(200, bob.call(bob.register("sip:bob@example.com", 0)));
                assertTrue(bob.closedWithin(Duration.ofSeconds(10)));
            }
        }
    }

    @Test
    void aRefusedClientCertificateIsLoggedWithItsReasonAndCounted() throws Exception {
        try (Fixture f = new Fixture(); LogCapture log = LogCapture.start()) {
            // Trusts the key server, but its own certificate comes from a CA the key server does not know.
            TlsIdentity stranger = TlsIdentity.of(new TestPki().agent("sip:eve@example.com").keyStore(),
                    TestPki.PASSWORD, f.pki.keyServer().trustStore());
            try (RawPeer eve = RawPeer.connect(f.server, stranger, 0, 0)) {
                eve.send(eve.register("sip:eve@example.com", 600));
            } catch (java.io.IOException refused) {
                // TLS 1.2 fails the client's handshake; TLS 1.3 its first read or write
            }
            Polling.until(() -> f.server.statistics().getFailedTlsHandshakes() == 1);
            Polling.until(() -> log.text().contains("TLS handshake from 127.0.0.1:"));
            String line = log.text().lines().filter(l -> l.contains("TLS handshake from")).findFirst().orElseThrow();
            assertTrue(line.contains("failed: its client certificate does not validate against the trust store")
                    && line.contains("CN=sip:eve@example.com"), line);
            assertEquals(0, f.server.statistics().getCurrentRegistrations());
        }
    }
}
