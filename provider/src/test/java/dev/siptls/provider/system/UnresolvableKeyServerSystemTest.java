package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.provider.SipTlsHealth;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key-server host name that does not resolve (RFC 6761 reserves {@code .invalid} for that) is a key server
 * out of reach like a closed port: {@code SSLContext.init} succeeds, the agent says why it is not registered,
 * and {@code fallback=full} makes the handshake a full one.
 */
@Timeout(60)
class UnresolvableKeyServerSystemTest {

    @TempDir
    Path dir;

    @Test
    void initSucceedsAndFallbackFullCompletesAFullHandshake() throws Exception {
        try (SipTlsWorld world = new SipTlsWorld(dir)) {
            int port = SipTlsWorld.freePort();
            Terminal server = world.server(port, Map.of());
            SipTlsWorld.awaitRegistered(server);

            Terminal client = world.client(Map.of("keyServer", "keyserver.invalid:5061", "fallback", "full"));
            try (EchoServer echo = EchoServer.start(server.context(), port)) {
                EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "no SA");

                assertEquals("echo: no SA", exchange.answer());
                assertNull(exchange.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
                assertEquals(Map.of("key-server-unavailable", 1L), client.provider().statistics().getFallbacksByReason());
                assertTrue(server.keys().serverKeyRequests.get() > 0, "the server did no full handshake");
            }
            SipTlsHealth health = client.provider().health();
            assertEquals(RegistrationState.RETRYING, health.registration(), health.toString());
            assertTrue(health.lastError().orElse("").contains("cannot resolve the key server host keyserver.invalid"),
                    health.toString());
        }
    }
}
