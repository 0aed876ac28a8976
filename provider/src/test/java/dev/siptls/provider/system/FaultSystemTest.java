package dev.siptls.provider.system;

import dev.siptls.provider.CountingKeyManager;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;
import dev.siptls.sip.TlsIdentity;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults SIP-TLS must survive: the key server dies while it relays an SA request, and the TLS server's agent
 * restarts (losing its SAs) while clients still hold theirs. Each fault ends in a completed (or, under
 * {@code fallback=fail}, a clearly refused) handshake, never in a hang or a thread left behind.
 */
@Timeout(60)
class FaultSystemTest {

    /** Far above what any path takes; it only turns a hang into a failure. */
    private static final long HANG_SECONDS = 20;

    @TempDir
    Path dir;

    @Test
    void keyServerDyingMidRelayLetsAFallbackFullClientCompleteAFullHandshake() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (MidRelay fault = new MidRelay(dir, Map.of())) {
            CompletableFuture<EchoClient.Exchange> handshake = fault.connectWhileTheKeyServerDies();

            EchoClient.Exchange exchange = handshake.get(HANG_SECONDS, TimeUnit.SECONDS);

            assertEquals("echo: mid-relay", exchange.answer());
            assertNull(exchange.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
            fault.echo.next().handshaken();
            var stats = fault.client.provider().statistics();
            assertEquals(1, stats.getFullHandshakesAsClient());
            assertEquals(1, stats.getAssociationRequests());
            Evidence.eventually(1, stats::getAssociationRequestsFailed, "failed SA requests");
            assertEquals(1, stats.getFallbacksByReason().values().stream().mapToLong(Long::longValue).sum(),
                    "one fallback, counted with its reason: " + stats.getFallbacksByReason());
            assertTrue(stats.getFallbacksByReason().keySet().stream()
                    .allMatch(r -> r.equals("request-failed") || r.equals("request-timeout")),
                    stats.getFallbacksByReason().toString());
        }
        assertNoThreadLeft(before);
    }

    @Test
    void keyServerDyingMidRelayRefusesAFallbackFailClientSayingWhy() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (MidRelay fault = new MidRelay(dir, Map.of("fallback", "fail"))) {
            CompletableFuture<EchoClient.Exchange> handshake = fault.connectWhileTheKeyServerDies();

            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> handshake.get(HANG_SECONDS, TimeUnit.SECONDS));

            SSLHandshakeException refused = assertInstanceOf(SSLHandshakeException.class, failed.getCause());
            assertTrue(refused.getMessage().contains("fallback=fail"), refused.getMessage());
            assertTrue(refused.getMessage().contains("localhost:" + fault.port), refused.getMessage());
            var stats = fault.client.provider().statistics();
            assertEquals(1, stats.getRefusedHandshakes());
            assertEquals(0, stats.getFullHandshakesAsClient());
            assertEquals(0, fault.keys.serverKeyRequests.get(), "the server did work for a refused client");
        }
        assertNoThreadLeft(before);
    }

    /**
     * The TLS server's terminal restarts (same AOR, same port served): its new agent holds none of the SAs
     * the client still holds. Every connection succeeds; the stale SA costs one full handshake, after which the
     * client forgets it and its very next connection, in the same context, asks for a fresh SA and resumes via
     * SIP again: not the native session the full handshake left in BCJSSE's cache, nor the stale SA.
     */
    @Test
    void serverAgentRestartCostsTheClientOneFullHandshakeThenAFreshAssociation() throws Exception {
        try (SipTlsWorld world = new SipTlsWorld(dir)) {
            int port = SipTlsWorld.freePort();
            String serverAor = SipTlsWorld.aor("server");
            Terminal server = serverTerminal(world, serverAor, port);
            Terminal client = world.client(Map.of());
            SipTlsWorld.awaitRegistered(server, client);
            String stale;
            try (EchoServer echo = EchoServer.start(server.context(), port)) {
                EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "before");
                Evidence.sipResumption(client, first.session(), server, echo.next().handshaken(), 1);
                stale = HexFormat.of().formatHex(first.session().getId());
            }

            server.provider().close();
            Terminal restarted = serverTerminal(world, serverAor, port);
            SipTlsWorld.awaitRegistered(restarted);
            assertEquals(0, restarted.provider().associations().size(), "the restarted agent kept SAs");

            try (EchoServer echo = EchoServer.start(restarted.context(), port)) {
                var stats = client.provider().statistics();
                long sipBefore = stats.getSipResumptionsAsClient();
                connectInARow(client.context(), port, echo, 4);
                Evidence.eventually(5, stats::getHandshakesCompletedAsClient, "client handshakes");
                assertEquals(Map.of("association-not-resumed", 1L), stats.getFallbacksByReason());
                assertEquals(1, stats.getFullHandshakesAsClient(), "the stale SA cost more than one full handshake");
                assertEquals(Map.of("unknown-session", 1L),
                        restarted.provider().statistics().getFallbacksByReason());
                assertEquals(1, stats.getDeclinedAssociations());
                assertEquals(0, stats.getNativeResumptionsAsClient(), "the full handshake's session was resumed");
                assertEquals(2, stats.getAssociationRequests(), "a fresh SA should have been requested once");
                assertEquals(sipBefore + 3, stats.getSipResumptionsAsClient());
                List<String> held = client.provider().associations().held().stream()
                        .map(SecurityAssociation::sessionIdHex).toList();
                assertEquals(1, held.size(), held.toString());
                assertFalse(held.contains(stale), "the client kept the stale SA");
            }
        }
    }

    /**
     * With the key server gone, a client falls back to a full handshake and may resume that session natively, but
     * never once it is older than the SA lifetime bound ({@code maxLifetime}): no session of a SIP-TLS context
     * outlives what an SA could. On TLS 1.2: BCJSSE resumes no TLS 1.3 session natively.
     */
    @Test
    void aNativeSessionIsNotResumedPastTheLifetimeBound() throws Exception {
        try (SipTlsWorld world = new SipTlsWorld(dir)) {
            int port = SipTlsWorld.freePort();
            Terminal server = serverTerminal(world, SipTlsWorld.aor("server"), port);
            Terminal client = world.client(Map.of("maxLifetime", "3s", "protocols", "TLSv1.2"));
            SipTlsWorld.awaitRegistered(server, client);
            world.stopKeyServer();
            Evidence.eventually(1, () -> client.provider().health().registration() == RegistrationState.REGISTERED ? 0 : 1,
                    "client agent no longer registered");
            var stats = client.provider().statistics();
            try (EchoServer echo = EchoServer.start(server.context(), port)) {
                EchoClient.Exchange full = EchoClient.exchange(client.context(), "localhost", port, "full");
                echo.next().handshaken();
                EchoClient.Exchange resumed = EchoClient.exchange(client.context(), "localhost", port, "native");
                echo.next().handshaken();
                assertEquals(Evidence.hex(full.session().getId()), Evidence.hex(resumed.session().getId()));
                Evidence.eventually(1, stats::getNativeResumptionsAsClient, "native resumptions");

                Thread.sleep(3_500); // past the 3 s bound: the session must not be resumed any more
                EchoClient.Exchange late = EchoClient.exchange(client.context(), "localhost", port, "late");
                echo.next().handshaken();

                assertFalse(Arrays.equals(full.session().getId(), late.session().getId()),
                        "a session older than maxLifetime was resumed");
                assertEquals(1, stats.getNativeResumptionsAsClient());
                assertEquals(2, stats.getFullHandshakesAsClient());
            }
        }
    }

    /**
     * Under {@code fallback=fail} on both sides, a restarted TLS server no longer holds the client's SA and refuses
     * it with a fatal alert (it may not do a full handshake): that one connection fails, the client forgets the SA
     * at once, and its next connection gets a fresh SA and resumes via SIP: no outage until the SA expires.
     */
    @Test
    void underFallbackFailATlsServerRestartCostsAtMostOneRefusedConnection() throws Exception {
        try (SipTlsWorld world = new SipTlsWorld(dir)) {
            Map<String, String> fail = Map.of("fallback", "fail");
            int port = SipTlsWorld.freePort();
            String serverAor = SipTlsWorld.aor("server");
            Terminal server = serverTerminal(world, serverAor, port, fail);
            Terminal client = world.client(fail);
            SipTlsWorld.awaitRegistered(server, client);
            try (EchoServer echo = EchoServer.start(server.context(), port)) {
                EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "before");
                Evidence.sipResumption(client, first.session(), server, echo.next().handshaken(), 1);
            }

            server.provider().close();
            Terminal restarted = serverTerminal(world, serverAor, port, fail);
            SipTlsWorld.awaitRegistered(restarted);
            try (EchoServer echo = EchoServer.start(restarted.context(), port)) {
                int failed = 0;
                for (int i = 0; i < 4; i++) {
                    try {
                        EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "r" + i);
                        assertEquals("echo: r" + i, exchange.answer());
                        assertEquals(Evidence.hex(exchange.session().getId()),
                                exchange.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
                    } catch (java.io.IOException e) {
                        failed++;
                    }
                    echo.next();
                }
                var stats = client.provider().statistics();
                assertEquals(1, failed, "connections refused after the TLS server restarted");
                assertEquals(1, stats.getDeclinedAssociations());
                assertEquals(0, stats.getFullHandshakesAsClient());
                Evidence.eventually(4, stats::getSipResumptionsAsClient, "client SIP resumptions");
            }
        }
    }

    /**
     * The server's agent stops holding a live SA that the client still holds (what a server-side expiry
     * comes to; the provider has no clock to skew, so the test destroys the server agent's copy). The client's
     * next connection falls back once, counted on both sides, and later ones in its context succeed without
     * another fallback.
     */
    @Test
    void associationGoneAtTheServerOnlyCostsOneCountedFallback() throws Exception {
        try (SipTlsWorld world = new SipTlsWorld(dir)) {
            int port = SipTlsWorld.freePort();
            Terminal server = world.server(port, Map.of());
            Terminal client = world.client(Map.of());
            SipTlsWorld.awaitRegistered(server, client);
            try (EchoServer echo = EchoServer.start(server.context(), port)) {
                EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "first");
                Evidence.sipResumption(client, first.session(), server, echo.next().handshaken(), 1);
                byte[] id = first.session().getId();
                server.provider().associations().bySessionId(id).orElseThrow().destroy();
                assertTrue(server.provider().associations().bySessionId(id).isEmpty());
                assertTrue(client.provider().associations().bySessionId(id).isPresent());

                connectInARow(client.context(), port, echo, 3);

                var stats = client.provider().statistics();
                Evidence.eventually(4, stats::getHandshakesCompletedAsClient, "client handshakes");
                assertEquals(Map.of("association-not-resumed", 1L), stats.getFallbacksByReason());
                assertEquals(Map.of("unknown-session", 1L), server.provider().statistics().getFallbacksByReason());
                assertEquals(1, stats.getFullHandshakesAsClient());
                assertTrue(server.keys().serverKeyRequests.get() > 0, "the server did no full handshake");
            }
        }
    }

    /**
     * The TLS 1.3 twin of {@code FailModeTest}'s declined SA: under {@code fallback=fail}, a client whose TLS 1.3 SA
     * the server no longer holds gets the server's certificate instead of the PSK, and refuses that full handshake
     * saying why, counted as a refusal; it forgets the SA, so its next connection resumes with a fresh one.
     */
    @Test
    void underFallbackFailATls13SaTheServerDeclinesIsRefusedAndCounted() throws Exception {
        try (SipTlsWorld world = new SipTlsWorld(dir)) {
            int port = SipTlsWorld.freePort();
            Terminal server = world.server(port, Map.of());
            Terminal client = world.client(Map.of("fallback", "fail"));
            SipTlsWorld.awaitRegistered(server, client);
            try (EchoServer echo = EchoServer.start(server.context(), port)) {
                EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "first");
                Evidence.sipResumption(client, first.session(), server, echo.next().handshaken(), 1);
                assertEquals("TLSv1.3", first.session().getProtocol());
                byte[] id = first.session().getId();
                server.provider().associations().bySessionId(id).orElseThrow().destroy();

                SSLHandshakeException refused = assertThrows(SSLHandshakeException.class,
                        () -> EchoClient.exchange(client.context(), "localhost", port, "declined"));
                echo.next();

                assertTrue(refused.getMessage().contains("fallback=fail) refused a full handshake with localhost:"
                        + port), refused.getMessage());
                assertTrue(refused.getMessage().contains("did not resume security association"),
                        refused.getMessage());
                var stats = client.provider().statistics();
                assertEquals(1, stats.getRefusedHandshakes());
                assertEquals(Map.of("association-not-resumed", 1L), stats.getFallbacksByReason());
                assertEquals(0, stats.getFullHandshakesAsClient());
                assertEquals(1, stats.getDeclinedAssociations());

                EchoClient.Exchange after = EchoClient.exchange(client.context(), "localhost", port, "after");
                assertEquals("echo: after", after.answer());
                assertFalse(Arrays.equals(id, after.session().getId()));
                assertEquals(Evidence.hex(after.session().getId()),
                        after.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
                Evidence.eventually(2, stats::getSipResumptionsAsClient, "client SIP resumptions");
            }
        }
    }

    /**
     * The key server restarts and forgets every registration. The applications' providers notice, register
     * again on their own, and the next connection that needs a new SA gets it from the new key server.
     */
    @Test
    void keyServerRestartNeedsNoApplicationRestart() throws Exception {
        try (SipTlsWorld world = new SipTlsWorld(dir)) {
            int port = SipTlsWorld.freePort();
            Terminal server = world.server(port, Map.of());
            Terminal client = world.client(Map.of());
            SipTlsWorld.awaitRegistered(server, client);
            try (EchoServer echo = EchoServer.start(server.context(), port)) {
                EchoClient.Exchange before = EchoClient.exchange(client.context(), "localhost", port, "before");
                Evidence.sipResumption(client, before.session(), server, echo.next().handshaken(), 1);

                world.restartKeyServer();
                long restarted = System.nanoTime();
                Evidence.eventually(2, () -> world.keyServer().statistics().getCurrentRegistrations(),
                        "agents registered with the new key server");
                System.out.println("both agents registered again " + (System.nanoTime() - restarted) / 1_000_000
                        + " ms after the key server restarted");
                SipTlsWorld.awaitRegistered(server, client);
                client.provider().associations().remove(Evidence.hex(before.session().getId()));

                EchoClient.Exchange after = EchoClient.exchange(client.context(), "localhost", port, "after");
                Evidence.sipResumption(client, after.session(), server, echo.next().handshaken(), 2);
                assertFalse(Arrays.equals(before.session().getId(), after.session().getId()));
                assertEquals(1, world.keyServer().statistics().getSecurityAssociationsIssued());
            }
        }
    }

    /** {@code count} connections in a row, each answered, each handshake completed at the server. */
    private static void connectInARow(SSLContext context, int port, EchoServer echo, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            EchoClient.Exchange exchange = EchoClient.exchange(context, "localhost", port, "round " + i);
            assertEquals("echo: round " + i, exchange.answer());
            echo.next().handshaken();
        }
    }

    /** A TLS server terminal for {@code aor} serving {@code localhost:port}, as {@link SipTlsWorld#server}. */
    private static Terminal serverTerminal(SipTlsWorld world, String aor, int port) throws Exception {
        return serverTerminal(world, aor, port, Map.of());
    }

    private static Terminal serverTerminal(SipTlsWorld world, String aor, int port, Map<String, String> more)
            throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("serve", "localhost:" + port + ",127.0.0.1:" + port);
        config.putAll(more);
        TlsIdentity tls = world.pki.identity("localhost", List.of("localhost", "127.0.0.1"));
        CountingKeyManager keys = new CountingKeyManager(SipTlsWorld.keyManager(tls));
        SipTlsProvider provider = world.provider(aor, config);
        SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
        context.init(new KeyManager[]{keys}, world.trustingCa(), null);
        return new Terminal(provider, context, keys);
    }

    private static void assertNoThreadLeft(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    .filter(t -> !t.getName().startsWith("echo-"))
                    .map(Thread::getName).collect(Collectors.toSet());
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(Set.of(), left, whereTheyAre(before));
    }

    /** Each new thread still alive: its group (the SIP stack that started it) and where it waits. */
    private static String whereTheyAre(Set<Thread> before) {
        StringBuilder where = new StringBuilder("threads left:");
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (!before.contains(thread) && thread.isAlive() && !thread.getName().startsWith("echo-")) {
                ThreadGroup group = thread.getThreadGroup();
                where.append('\n').append(thread.getName()).append(" of ").append(group == null ? "?" : group.getName());
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    where.append("\n    at ").append(stack[i]);
                }
            }
        });
        return where.toString();
    }

    /**
     * A registered SIP-TLS client, and for {@code localhost:port} a plain JSSE TLS server whose SIP agent
     * holds every SA offer in its acceptor, so the key server is mid-relay when the test stops it.
     */
    private static final class MidRelay implements AutoCloseable {

        final SipTlsWorld world;
        final int port;
        final CountingKeyManager keys;
        final EchoServer echo;
        final SipTlsAgent serverAgent;
        final Terminal client;
        final CountDownLatch offered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        MidRelay(Path dir, Map<String, String> clientConfig) throws Exception {
            world = new SipTlsWorld(dir);
            port = SipTlsWorld.freePort();
            TlsIdentity tls = world.pki.identity("localhost", List.of("localhost", "127.0.0.1"));
            keys = new CountingKeyManager(SipTlsWorld.keyManager(tls));
            SSLContext plain = SSLContext.getInstance("TLSv1.2");
            plain.init(new KeyManager[]{keys}, null, null);
            echo = EchoServer.start(plain, port);
            String aor = SipTlsWorld.aor("server");
            serverAgent = SipTlsAgent.builder().aor(aor).identity(world.pki.agent(aor))
                    .keyServer(new InetSocketAddress("127.0.0.1", world.keyServer().address().getPort()))
                    .keyServerName("localhost")
                    .policy(SecurityPolicy.builder()
                            .cipherSuites(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                                    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))
                            .bindings(List.of(new HostPort("localhost", port), new HostPort("127.0.0.1", port)))
                            .certificateChain(tls.chain()).build())
                    .chainKey(tls.privateKey())
                    .acceptor(sa -> {
                        offered.countDown();
                        try {
                            release.await(HANG_SECONDS, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return Optional.of("test: held past the relay");
                    })
                    .build();
            serverAgent.start();
            client = world.client(clientConfig);
            SipTlsWorld.awaitRegistered(client);
            assertTrue(serverAgent.awaitRegistered(SipTlsWorld.REGISTERED_WITHIN), "server agent not registered");
        }

        /** Starts a handshake, waits until its SA offer sits in the server agent, then stops the key server. */
        CompletableFuture<EchoClient.Exchange> connectWhileTheKeyServerDies() throws Exception {
            CompletableFuture<EchoClient.Exchange> handshake = new CompletableFuture<>();
            Thread connecting = new Thread(() -> {
                try {
                    handshake.complete(EchoClient.exchange(client.context(), "localhost", port, "mid-relay"));
                } catch (Throwable t) {
                    handshake.completeExceptionally(t);
                }
            }, "fault-client");
            connecting.setDaemon(true);
            connecting.start();
            assertTrue(offered.await(HANG_SECONDS, TimeUnit.SECONDS), "the SA offer never reached the server agent");
            assertFalse(handshake.isDone(), "the handshake did not wait for the relay");
            world.stopKeyServer();
            return handshake;
        }

        @Override
        public void close() throws Exception {
            release.countDown();
            serverAgent.close();
            echo.close();
            world.close();
        }
    }
}
