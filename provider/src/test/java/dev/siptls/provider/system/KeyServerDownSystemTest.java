package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key server goes down after both peers registered: a client with {@code fallback=full} completes an
 * ordinary full handshake and counts why; with {@code fallback=fail} its handshake fails with an
 * {@code SSLHandshakeException} that says why. Neither waits for the key server (its agent knows it lost it).
 */
@Timeout(60)
class KeyServerDownSystemTest {

    /** Far above what either path takes; it only turns a hang into a failure. */
    private static final Duration HANG = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private SipTlsWorld world;
    private Terminal server;
    private EchoServer echo;
    private int port;

    @BeforeEach
    void registerThenStopTheKeyServer() throws Exception {
        world = new SipTlsWorld(dir);
        port = SipTlsWorld.freePort();
        server = world.server(port, Map.of());
        echo = EchoServer.start(server.context(), port);
    }

    @AfterEach
    void close() throws Exception {
        echo.close();
        world.close();
    }

    @Test
    void fallbackFullCompletesAFullHandshakeAndCountsTheReason() throws Exception {
        Terminal client = keyServerLost(Map.of());

        EchoClient.Exchange exchange = assertTimeoutPreemptively(HANG,
                () -> EchoClient.exchange(client.context(), "localhost", port, "without SA"));

        assertEquals("echo: without SA", exchange.answer());
        assertNull(exchange.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
        echo.next().handshaken();
        assertTrue(server.keys().serverKeyRequests.get() > 0, "the server did no full handshake");
        assertEquals(1, client.provider().statistics().getFullHandshakesAsClient());
        assertEquals(Map.of("key-server-unavailable", 1L), client.provider().statistics().getFallbacksByReason());
        assertEquals(Map.of("client-offered-none", 1L), server.provider().statistics().getFallbacksByReason());
        assertEquals(0, client.provider().statistics().getAssociationRequests(), "asked a key server known down");
    }

    @Test
    void fallbackFailRefusesTheHandshakeSayingWhy() throws Exception {
        Terminal client = keyServerLost(Map.of("fallback", "fail"));

        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> assertTimeoutPreemptively(
                HANG, () -> EchoClient.exchange(client.context(), "localhost", port, "without SA")));

        assertTrue(refused.getMessage().contains("fallback=fail"), refused.getMessage());
        assertTrue(refused.getMessage().contains("localhost:" + port), refused.getMessage());
        assertTrue(refused.getMessage().contains("not registered with its key server"), refused.getMessage());
        assertEquals(1, client.provider().statistics().getRefusedHandshakes());
        assertEquals(0, client.provider().statistics().getFullHandshakesAsClient());
        assertEquals(0, server.keys().serverKeyRequests.get(), "the server did work for a refused client");
    }

    @Test
    void serverWithFallbackFailRefusesClientsThatOfferNoAssociation() throws Exception {
        echo.close();
        int failingPort = SipTlsWorld.freePort();
        Terminal failing = world.server(failingPort, Map.of("fallback", "fail"));
        SipTlsWorld.awaitRegistered(failing);
        Terminal client = keyServerLost(Map.of());
        try (EchoServer failingEcho = EchoServer.start(failing.context(), failingPort)) {
            assertThrows(Exception.class, () -> EchoClient.exchange(client.context(), "localhost", failingPort, "x"));

            Exception failure = failingEcho.next().failure();
            assertInstanceOf(SSLHandshakeException.class, failure);
            assertTrue(failure.getMessage().contains("offered no security association"), failure.getMessage());
            assertEquals(1, failing.provider().statistics().getRefusedHandshakes());
            assertEquals(0, failing.keys().serverKeyRequests.get(), "the refused server still asked for its key");
        }
    }

    /** A client terminal that registered, then lost the key server (and knows it). */
    private Terminal keyServerLost(Map<String, String> config) throws Exception {
        Terminal client = world.client(config);
        SipTlsWorld.awaitRegistered(server, client);
        world.stopKeyServer();
        long deadline = System.nanoTime() + HANG.toNanos();
        while (client.provider().health().registration() == RegistrationState.REGISTERED
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertNotEquals(RegistrationState.REGISTERED, client.provider().health().registration());
        return client;
    }
}
