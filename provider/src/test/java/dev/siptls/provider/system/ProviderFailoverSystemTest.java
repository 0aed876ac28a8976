package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers configured with two key servers ({@code keyServer=127.0.0.1:A,127.0.0.1:B}), the first down when they
 * start: SIP resumption works through the second, and again through the first after the second dies and the first
 * comes back, with no provider restart. Real key servers, real providers, TLS over loopback.
 */
@Timeout(120)
class ProviderFailoverSystemTest {

    private static final Duration EVENTUALLY = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private SipTlsWorld world;
    private KeyServer first;
    private KeyServer second;
    private EchoServer echo;

    @BeforeEach
    void world() throws Exception {
        world = new SipTlsWorld(dir);
    }

    @AfterEach
    void close() throws Exception {
        if (echo != null) {
            echo.close();
        }
        world.close();
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void resumesViaSipThroughTheSecondKeyServerAndAgainThroughTheFirstWhenTheSecondDies() throws Exception {
        int firstPort = SipTlsWorld.freePort(); // nothing listens there yet
        second = keyServer(0);
        Map<String, String> both = Map.of("keyServer", "127.0.0.1:" + firstPort + ",127.0.0.1:"
                + second.address().getPort());
        int serverPort = SipTlsWorld.freePort();
        Terminal server = world.server(serverPort, both);
        Terminal client = world.client(both);
        echo = EchoServer.start(server.context(), serverPort);
        SipTlsWorld.awaitRegistered(server, client);
        awaitOn(client, second.address().getPort());
        awaitOn(server, second.address().getPort());

        assertResumedViaSip(client, "localhost", serverPort);

        second.close();
        first = keyServer(firstPort);

        awaitOn(client, firstPort);
        awaitOn(server, firstPort);
        // a host:port the client holds no SA for: the SA comes from the first key server
        long requests = client.provider().statistics().getAssociationRequests();
        assertResumedViaSip(client, "127.0.0.1", serverPort);
        assertEquals(requests + 1, client.provider().statistics().getAssociationRequests());
        assertEquals(1, client.provider().statistics().getAgentFailovers());
        assertEquals(1, server.provider().statistics().getAgentFailovers());
    }

    private KeyServer keyServer(int port) throws IOException {
        return KeyServer.start(KeyServerConfig.builder().identity(world.pki.keyServer()).port(port)
                .bindAddress("127.0.0.1").name("provider-failover-" + port).registerMBean(false)
                .relayTimeout(Duration.ofSeconds(2)).build());
    }

    /** Waits until the terminal's agent is registered with the key server on {@code port}, per its MXBean. */
    private static void awaitOn(Terminal t, int port) throws InterruptedException {
        long deadline = System.nanoTime() + EVENTUALLY.toNanos();
        while (!("127.0.0.1:" + port).equals(t.provider().statistics().getKeyServer())) {
            assertTrue(System.nanoTime() < deadline, "not registered with 127.0.0.1:" + port + ": "
                    + t.provider().health());
            Thread.sleep(5);
        }
    }

    private static void assertResumedViaSip(Terminal client, String host, int port) throws Exception {
        EchoClient.Exchange exchange = EchoClient.exchange(client.context(), host, port, "via SIP");
        assertEquals("echo: via SIP", exchange.answer());
        assertNotNull(exchange.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                "not resumed with an SA: " + client.provider().statistics().getFallbacksByReason());
    }
}
