package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** An SA past its lifetime is used by neither side: the next connection gets a new SA from the key server. */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class AssociationLifetimeSystemTest {

    @Test
    void associationPastItsLifetimeIsNotUsed(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        // The key server takes the least maximum; long enough for one handshake on a busy machine.
        Terminal client = world.client(Map.of("maxLifetime", "3"));
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "first");
            SecurityAssociation expiring = Evidence.sipResumption(client, first.session(), server,
                    echo.next().handshaken(), 1);
            assertEquals(Duration.ofSeconds(3), expiring.lifetime());

            waitUntil(expiring.expiryTime());
            EchoClient.Exchange second = EchoClient.exchange(client.context(), "localhost", port, "second");

            assertEquals("echo: second", second.answer());
            assertFalse(Arrays.equals(first.session().getId(), second.session().getId()),
                    "the expired SA was resumed");
            SecurityAssociation fresh = Evidence.sipResumption(client, second.session(), server,
                    echo.next().handshaken(), 2);
            // a new SA from the key server: renewed ahead (the peer was used) or asked for by this connection
            assertTrue(fresh.creationTime().isAfter(expiring.creationTime()), fresh + " after " + expiring);
            assertTrue(client.provider().statistics().getAssociationRequests() >= 2);
        }
    }

    private static void waitUntil(Instant instant) throws InterruptedException {
        long millis = Duration.between(Instant.now(), instant).toMillis() + 50;
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
