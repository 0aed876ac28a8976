package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key server that hangs with its connections open (a SIGSTOPped process, seen from outside: a relay that
 * stops forwarding) is noticed by the client's keep-alives: its agent leaves REGISTERED, its handshakes fall
 * back at once (no SA request, no wait), and once the key server answers again the agent registers by itself
 * and SIP resumption returns. The TLS servers reach the key server directly, so only the client's flow hangs.
 */
@Timeout(120)
class HungKeyServerSystemTest {

    /** Generous: far above interval + timeout + a reconnect, only there to turn a hang into a failure. */
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private SipTlsWorld world;
    private FreezableRelay relay;
    private Terminal before;
    private Terminal during;
    private EchoServer beforeEcho;
    private EchoServer duringEcho;
    private int beforePort;
    private int duringPort;

    @BeforeEach
    void twoServersRegisteredDirectly() throws Exception {
        world = new SipTlsWorld(dir);
        relay = FreezableRelay.to(world.keyServer().address());
        beforePort = SipTlsWorld.freePort();
        before = world.server(beforePort, Map.of());
        beforeEcho = EchoServer.start(before.context(), beforePort);
        duringPort = SipTlsWorld.freePort();
        during = world.server(duringPort, Map.of());
        duringEcho = EchoServer.start(during.context(), duringPort);
    }

    @AfterEach
    void close() throws Exception {
        relay.close();
        beforeEcho.close();
        duringEcho.close();
        world.close();
    }

    @Test
    void keepAlivesNoticeAHungKeyServerAndTheAgentComesBackWhenItAnswersAgain() throws Exception {
        Terminal client = clientThroughRelay(Map.of("keepAliveInterval", "300ms", "keepAliveTimeout", "300ms"));
        assertResumedViaSip(client, "localhost", beforePort);

        relay.freeze();
        long frozen = System.nanoTime();

        awaitState(client, state -> state != RegistrationState.REGISTERED, "the agent never noticed the hung key server");
        long noticed = System.nanoTime();
        long requests = client.provider().statistics().getAssociationRequests();
        EchoClient.Exchange fallback = EchoClient.exchange(client.context(), "localhost", duringPort, "no SA");
        assertNull(fallback.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
        assertEquals(Map.of("key-server-unavailable", 1L), client.provider().statistics().getFallbacksByReason());
        assertEquals(requests, client.provider().statistics().getAssociationRequests(),
                "asked (and waited for) a key server known hung");

        relay.thaw();
        long thawed = System.nanoTime();

        SipTlsWorld.awaitRegistered(client);
        System.out.printf("hung key server noticed after %d ms (interval 300 ms, timeout 300 ms); registered again"
                + " %d ms after it answered%n", (noticed - frozen) / 1_000_000, (System.nanoTime() - thawed) / 1_000_000);
        // a host name the client has no session for yet, so the SA is asked for again
        assertResumedViaSip(client, "127.0.0.1", duringPort);
    }

    @Test
    void aTimedOutRequestProbesAtOnceAndARestartedKeyServerIsRegisteredWithAgain() throws Exception {
        // An interval no test waits out: only the probe after the timed-out request can notice the hang.
        Terminal client = clientThroughRelay(Map.of("keepAliveInterval", "1h", "keepAliveTimeout", "500ms",
                "requestTimeout", "500ms"));

        relay.freeze();
        EchoClient.Exchange waited = EchoClient.exchange(client.context(), "localhost", duringPort, "timed out");

        assertNull(waited.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
        assertEquals(Map.of("request-timeout", 1L), client.provider().statistics().getFallbacksByReason());
        awaitState(client, state -> state != RegistrationState.REGISTERED,
                "a timed-out SA request did not make the agent check the key server");

        relay.closeConnections(); // the hung process dies; a new one answers at the same address

        SipTlsWorld.awaitRegistered(client);
        assertResumedViaSip(client, "127.0.0.1", duringPort);
    }

    private Terminal clientThroughRelay(Map<String, String> more) throws Exception {
        Map<String, String> config = new java.util.HashMap<>(more);
        config.put("keyServer", "127.0.0.1:" + relay.port());
        Terminal client = world.client(config);
        SipTlsWorld.awaitRegistered(before, during, client);
        return client;
    }

    private void assertResumedViaSip(Terminal client, String host, int port) throws Exception {
        EchoClient.Exchange exchange = EchoClient.exchange(client.context(), host, port, "via SIP");
        assertEquals("echo: via SIP", exchange.answer());
        assertNotNull(exchange.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                "not resumed with an SA: " + client.provider().statistics().getFallbacksByReason());
    }

    private static void awaitState(Terminal t, java.util.function.Predicate<RegistrationState> wanted, String failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + EVENTUALLY.toNanos();
        while (!wanted.test(t.provider().health().registration())) {
            assertTrue(System.nanoTime() < deadline, failure + ": " + t.provider().health());
            Thread.sleep(20);
        }
    }
}
