package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;
import dev.siptls.sip.testing.LogCapture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code awaitRegistration}: {@code SSLContext.init} returns once the agent is registered (a TLS server's with its
 * certificate chain accepted), so a plain-JSSE application's very first connection resumes via SIP; with the key
 * server out of reach, init returns after the wait anyway and says so in one line.
 */
@Timeout(60)
class AwaitRegistrationSystemTest {

    @TempDir
    Path dir;
    private SipTlsWorld world;

    @BeforeEach
    void start() throws Exception {
        world = new SipTlsWorld(dir);
    }

    @AfterEach
    void close() {
        world.close();
    }

    @Test
    void theFirstConnectionAfterInitResumesViaSip() throws Exception {
        Map<String, String> await = Map.of("awaitRegistration", "20s");
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, await);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            Terminal client = world.client(await);

            EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "first");

            assertNotNull(first.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                    "fell back: " + client.provider().statistics().getFallbacksByReason());
            assertEquals(0, server.keys().serverKeyRequests.get(), "the server did a full handshake");
        }
    }

    @Test
    void initReturnsAfterTheWaitWhenTheKeyServerIsOutOfReachAndSaysSo() throws Exception {
        int closedPort = SipTlsWorld.freePort();
        SipTlsProvider provider = world.provider(SipTlsWorld.aor("client"),
                Map.of("keyServer", "127.0.0.1:" + closedPort, "awaitRegistration", "500ms"));
        try (LogCapture log = LogCapture.start()) {
            SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);

            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> context.init(null, world.trustingCa(), null));

            assertNotEquals(RegistrationState.REGISTERED, provider.health().registration());
            assertTrue(log.text().contains("not registered with the key server within awaitRegistration=500 ms"),
                    log.text());
        }
    }
}
