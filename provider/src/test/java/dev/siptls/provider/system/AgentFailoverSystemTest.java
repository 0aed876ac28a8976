package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.server.ServingRule;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent given several key servers keeps one registration and moves to the next key server when its own is
 * closed, hangs or refuses, republishing its policy there; SAs it holds survive the move, SA requests made while
 * it is between key servers fail at once. Real key servers (independent single nodes: a peer registered on
 * another one is unknown there, 404) and real agents over loopback TLS; an SRV name answered by a DNS server of
 * the test.
 */
@Timeout(180)
class AgentFailoverSystemTest {

    /** Generous: only there to turn a hang into a failure, never a claim about speed. */
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final String SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final TestPki pki = new TestPki();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void movesToTheNextKeyServerWhenItsKeyServerClosesAndKeepsItsAssociations() throws Exception {
        KeyServer a = keyServer(0);
        KeyServer b = keyServer(0);
        SipTlsAgent alice = agent(aor("alice"), k -> k.keyServers(List.of(local(a), local(b))));
        assertTrue(alice.awaitPolicyAccepted(EVENTUALLY), alice.lastError().orElse(""));
        assertEquals(local(a), alice.keyServer().orElseThrow());
        SipTlsAgent dave = agent(aor("dave"), k -> k.keyServer(local(a)));
        assertTrue(dave.awaitRegistered(EVENTUALLY));
        SecurityAssociation before = dave.requestAssociation(alice.aor()).get(10, TimeUnit.SECONDS);
        assertTrue(alice.associations().bySessionId(before.sessionId()).isPresent(), "alice holds no SA before");

        a.close();

        awaitOn(alice, local(b));
        assertTrue(alice.awaitPolicyAccepted(EVENTUALLY), "the policy was not published again on B");
        assertEquals(1, alice.statistics().failovers());
        assertEquals(describe(local(b)), alice.statistics().currentKeyServer().orElseThrow());
        assertTrue(alice.associations().bySessionId(before.sessionId()).isPresent(), "the SA held did not survive");
        SipTlsAgent carol = agent(aor("carol"), k -> k.keyServer(local(b)));
        assertTrue(carol.awaitRegistered(EVENTUALLY));
        SecurityAssociation after = carol.requestAssociation(alice.aor()).get(10, TimeUnit.SECONDS);
        assertTrue(alice.associations().bySessionId(after.sessionId()).isPresent(), "B's SA did not reach alice");
    }

    @Test
    void movesWhenItsKeyServerHangsWithItsConnectionOpen() throws Exception {
        KeyServer a = keyServer(0);
        KeyServer b = keyServer(0);
        FreezableRelay relay = FreezableRelay.to(a.address());
        closing.add(relay);
        InetSocketAddress viaRelay = new InetSocketAddress("127.0.0.1", relay.port());
        SipTlsAgent alice = agent(aor("alice"), k -> k.keyServers(List.of(viaRelay, local(b)))
                .keepAliveInterval(Duration.ofMillis(300)).keepAliveTimeout(Duration.ofMillis(300)));
        assertTrue(alice.awaitRegistered(EVENTUALLY));
        assertEquals(viaRelay, alice.keyServer().orElseThrow());

        relay.freeze();

        awaitOn(alice, local(b));
        assertTrue(alice.awaitPolicyAccepted(EVENTUALLY));
        assertEquals(1, alice.statistics().failovers());
    }

    @Test
    void movesWhenItsKeyServerRefusesToServe() throws Exception {
        // A key server whose serving rule cannot be consulted (its directory is down) answers the policy 500.
        KeyServer a = keyServer(0, (aor, host, certificate) -> {
            throw new IllegalStateException("test: the directory of who serves what is unreachable");
        });
        KeyServer b = keyServer(0);
        int port = SipTlsWorld.freePort();
        TlsIdentity tls = pki.identity("localhost", List.of("localhost", "127.0.0.1"));
        SipTlsAgent server = agent(aor("server"), k -> k.keyServers(List.of(local(a), local(b)))
                .policy(SecurityPolicy.builder().cipherSuite(SUITE).bindings(List.of(new HostPort("localhost", port)))
                        .certificateChain(tls.chain()).build())
                .chainKey(tls.privateKey()));

        awaitOn(server, local(b));
        assertTrue(server.awaitPolicyAccepted(EVENTUALLY));
        assertTrue(server.statistics().registrationFailures() >= 1);
        SipTlsAgent client = agent(aor("client"), k -> k.keyServer(local(b)));
        assertTrue(client.awaitRegistered(EVENTUALLY));
        SecurityAssociation sa = client.requestAssociation("localhost:" + port).get(10, TimeUnit.SECONDS);
        assertTrue(server.associations().bySessionId(sa.sessionId()).isPresent());
    }

    @Test
    void retriesEveryKeyServerWithBackoffWhileAllAreDownWithoutALineEachAndRegistersWhenOneReturns()
            throws Exception {
        int first = SipTlsWorld.freePort();
        int second = SipTlsWorld.freePort();
        List<String> lines = new ArrayList<>();
        Handler handler = lines(lines);
        Logger logger = Logger.getLogger("dev.siptls");
        logger.addHandler(handler);
        try {
            SipTlsAgent alice = agent(aor("alice"), k -> k.keyServers(List.of(local(first), local(second)))
                    .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200)));
            long failures = 0;
            long deadline = System.nanoTime() + EVENTUALLY.toNanos();
            while ((failures = alice.statistics().registrationFailures()) < 20 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(failures >= 20, "only " + failures + " attempts");
            List<String> during;
            synchronized (lines) {
                during = List.copyOf(lines);
            }
            assertTrue(during.size() <= 3, failures + " failed attempts logged " + during.size() + " lines: " + during);

            keyServer(second);

            awaitOn(alice, local(second));
            assertEquals(0, alice.statistics().failovers(), "a first registration is no failover");
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void requestsMadeWhileBetweenKeyServersFailAtOnceSayingWhy() throws Exception {
        KeyServer a = keyServer(0);
        KeyServer b = keyServer(0);
        Duration timeout = Duration.ofSeconds(10);
        SipTlsAgent alice = agent(aor("alice"), k -> k.keyServers(List.of(local(a), local(b))).requestTimeout(timeout));
        assertTrue(alice.awaitRegistered(EVENTUALLY));

        a.close();
        List<Long> tookMillis = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        long deadline = System.nanoTime() + EVENTUALLY.toNanos();
        while (!local(b).equals(alice.keyServer().orElse(null)) && System.nanoTime() < deadline) {
            long start = System.nanoTime();
            CompletableFuture<SecurityAssociation> f = alice.requestAssociation("sip:nobody@example.com");
            try {
                f.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                failures.add(e.getCause());
            }
            tookMillis.add((System.nanoTime() - start) / 1_000_000);
            Thread.sleep(5);
        }

        awaitOn(alice, local(b));
        assertFalse(failures.isEmpty(), "no request was made while between key servers");
        for (Throwable t : failures) {
            // a 404 is B's answer once registered there; everything before must be "not registered", not a timeout
            if (t instanceof dev.siptls.agent.AssociationRefusedException) {
                continue;
            }
            assertInstanceOf(IOException.class, t, "waited for an answer that could not come: " + t);
        }
        long[] sorted = tookMillis.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("SA requests while moving: %d, each failed after at most %d ms (median %d ms; request"
                + " timeout %d ms); reasons: %s%n", sorted.length, sorted[sorted.length - 1], sorted[sorted.length / 2],
                timeout.toMillis(), failures.stream().map(Throwable::getMessage).distinct().limit(4).toList());
    }

    @Test
    void registersWithTheFirstSrvTargetAndMovesToTheNextWhenItDies() throws Exception {
        String domain = "failover-" + NAMES.incrementAndGet() + ".test";
        KeyServer a = keyServer(0, pki.identity("ks1", List.of("ks1." + domain)), null);
        KeyServer b = keyServer(0, pki.identity("ks2", List.of("ks2." + domain)), null);
        TinyDns dns = new TinyDns();
        closing.add(dns);
        dns.srv("_sips._tcp." + domain, List.of(new TinyDns.Srv(10, 0, b.address().getPort(), "ks2." + domain),
                new TinyDns.Srv(0, 5, a.address().getPort(), "ks1." + domain)));
        dns.a("ks1." + domain, InetAddress.getLoopbackAddress());
        dns.a("ks2." + domain, InetAddress.getLoopbackAddress());
        // no keyServerName: each key server must prove its SRV target's name
        SipTlsAgent alice = agent(aor("alice"), k -> k.keyServer(null).keyServerSrv("_sips._tcp." + domain)
                .dnsResolver(dns.url()));

        awaitOn(alice, local(a));
        a.close();

        awaitOn(alice, local(b));
        assertTrue(alice.awaitPolicyAccepted(EVENTUALLY));
        assertEquals(1, alice.statistics().failovers());
    }

    @Test
    void measuresTheTimeToTheNextKeyServerAfterACloseAndAHang() throws Exception {
        int runs = 5;
        long[] afterClose = new long[runs];
        long[] afterHang = new long[runs];
        for (int i = 0; i < runs; i++) {
            KeyServer a = keyServer(0);
            KeyServer b = keyServer(0);
            SipTlsAgent alice = agent(aor("alice"), k -> k.keyServers(List.of(local(a), local(b))));
            assertTrue(alice.awaitRegistered(EVENTUALLY));
            long closed = System.nanoTime();
            a.close();
            awaitOn(alice, local(b));
            afterClose[i] = (System.nanoTime() - closed) / 1_000_000;

            KeyServer c = keyServer(0);
            FreezableRelay relay = FreezableRelay.to(c.address());
            closing.add(relay);
            InetSocketAddress viaRelay = new InetSocketAddress("127.0.0.1", relay.port());
            SipTlsAgent bob = agent(aor("bob"), k -> k.keyServers(List.of(viaRelay, local(b)))
                    .keepAliveInterval(Duration.ofMillis(500)).keepAliveTimeout(Duration.ofMillis(500)));
            assertTrue(bob.awaitRegistered(EVENTUALLY));
            long frozen = System.nanoTime();
            relay.freeze();
            awaitOn(bob, local(b));
            afterHang[i] = (System.nanoTime() - frozen) / 1_000_000;
            alice.close();
            bob.close();
        }
        Arrays.sort(afterClose);
        Arrays.sort(afterHang);
        System.out.printf("registered on the next key server after its key server closed: median %d ms (%s);"
                + " after it hung (keep-alive 500 ms + 500 ms): median %d ms (%s)%n", afterClose[runs / 2],
                Arrays.toString(afterClose), afterHang[runs / 2], Arrays.toString(afterHang));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private KeyServer keyServer(int port) throws IOException {
        return keyServer(port, pki.keyServer(), null);
    }

    private KeyServer keyServer(int port, ServingRule rule) throws IOException {
        return keyServer(port, pki.keyServer(), rule);
    }

    private KeyServer keyServer(int port, TlsIdentity identity, ServingRule rule) throws IOException {
        KeyServerConfig.Builder config = KeyServerConfig.builder().identity(identity).port(port)
                .bindAddress("127.0.0.1").name("failover-" + NAMES.incrementAndGet()).registerMBean(false)
                .relayTimeout(Duration.ofSeconds(2));
        if (rule != null) {
            config.serving(rule);
        }
        KeyServer server = KeyServer.start(config.build());
        closing.add(server);
        return server;
    }

    private SipTlsAgent agent(String aor, Consumer<SipTlsAgent.Builder> more) throws IOException {
        SipTlsAgent.Builder b = SipTlsAgent.builder().aor(aor).identity(pki.agent(aor))
                .policy(SecurityPolicy.builder().cipherSuite(SUITE).build())
                .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        more.accept(b);
        SipTlsAgent agent = b.build();
        closing.add(agent);
        agent.start();
        return agent;
    }

    private static String aor(String role) {
        return "sip:" + role + "-" + NAMES.incrementAndGet() + "@example.com";
    }

    private static InetSocketAddress local(KeyServer server) {
        return local(server.address().getPort());
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Waits until {@code agent} is registered with {@code keyServer}; fails after {@link #EVENTUALLY}. */
    private static void awaitOn(SipTlsAgent agent, InetSocketAddress keyServer) throws InterruptedException {
        long deadline = System.nanoTime() + EVENTUALLY.toNanos();
        while (!keyServer.equals(agent.keyServer().orElse(null))) {
            assertTrue(System.nanoTime() < deadline, agent + " not registered with " + keyServer + ": "
                    + agent.lastError().orElse("") + " " + agent.statistics());
            Thread.sleep(2);
        }
    }

    /** Collects the INFO-and-above lines logged under {@code dev.siptls}. */
    private static Handler lines(List<String> into) {
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                    synchronized (into) {
                        into.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage()
                                + " " + Arrays.toString(record.getParameters()));
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        h.setLevel(Level.ALL);
        return h;
    }
}
