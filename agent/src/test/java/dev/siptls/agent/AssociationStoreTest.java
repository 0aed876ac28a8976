package dev.siptls.agent;

import static dev.siptls.agent.TestAssociations.T0;
import static dev.siptls.agent.TestAssociations.sa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.AssociationStore.Role;
import dev.siptls.agent.TestAssociations.MutableClock;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AssociationStoreTest {

    private static final String ALICE = "sip:alice@example.com";
    private static final String BOB = "sip:bob@example.com";
    private static final HostPort WWW = new HostPort("www.example.com", 8443);

    private final MutableClock clock = new MutableClock(T0);
    private final AssociationStore store = new AssociationStore(clock, 100);

    @Test
    void findsAnSaBySessionIdWhileItLives() {
        SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        assertTrue(store.put(sa, Role.SERVER));
        assertSame(sa, store.bySessionId(sa.sessionId()).orElseThrow());
        clock.advance(Duration.ofSeconds(59));
        assertTrue(store.bySessionId(sa.sessionId()).isPresent());
    }

    @Test
    void hidesAnSaFromItsExpiryTimeOnEvenBeforeItIsSwept() {
        SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        store.put(sa, Role.CLIENT);
        clock.advance(Duration.ofSeconds(60));
        assertEquals(Optional.empty(), store.bySessionId(sa.sessionId()));
        assertEquals(Optional.empty(), store.byPeer(WWW));
        assertEquals(1, store.size());
    }

    @Test
    void stopsOfferingAnSaAsClientBeforeTheServerDropsIt() {
        SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        store.put(sa, Role.CLIENT);
        clock.advance(Duration.ofSeconds(60).minus(SecurityAssociation.CLOCK_SKEW_ALLOWANCE));
        assertEquals(Optional.empty(), store.byPeer(WWW));
        assertTrue(store.bySessionId(sa.sessionId()).isPresent(), "a server still resumes it until it expires");
    }

    @Test
    void listsTheLiveSasOfBothSides() {
        SecurityAssociation asClient = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        SecurityAssociation asServer = sa(BOB, ALICE, null, T0, Duration.ofSeconds(120));
        store.put(asClient, Role.CLIENT);
        store.put(asServer, Role.SERVER);
        assertEquals(2, store.held().size());
        clock.advance(Duration.ofSeconds(60));
        assertEquals(List.of(asServer), store.held());
    }

    @Test
    void sweepingRemovesExpiredSasAndDestroysTheirSecrets() {
        SecurityAssociation old = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(10));
        SecurityAssociation young = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(100));
        store.put(old, Role.CLIENT);
        store.put(young, Role.CLIENT);
        clock.advance(Duration.ofSeconds(10));
        assertEquals(1, store.sweep());
        assertEquals(1, store.size());
        assertTrue(old.isDestroyed());
        assertThrows(IllegalStateException.class, old::masterSecret);
        assertFalse(young.isDestroyed());
    }

    @Test
    void refusesAnSaAlreadyExpired() {
        clock.advance(Duration.ofSeconds(60));
        SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        assertFalse(store.put(sa, Role.SERVER));
        assertEquals(0, store.size());
    }

    @Test
    void refusesASecondSaWithTheSameSessionId() {
        SecurityAssociation first = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        SecurityAssociation copy = TestAssociations.builder(ALICE, BOB, WWW, T0, Duration.ofSeconds(90))
                .sessionId(first.sessionId()).build();
        assertTrue(store.put(first, Role.SERVER));
        assertFalse(store.put(copy, Role.SERVER));
        assertSame(first, store.bySessionId(first.sessionId()).orElseThrow());
        assertFalse(first.isDestroyed());
    }

    @Test
    void whenFullEvictsTheSoonestExpiringAndDestroysIt() {
        AssociationStore small = new AssociationStore(clock, 3);
        SecurityAssociation a = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(300));
        SecurityAssociation soonest = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(100));
        SecurityAssociation c = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(200));
        SecurityAssociation d = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(400));
        small.put(a, Role.CLIENT);
        small.put(soonest, Role.CLIENT);
        small.put(c, Role.CLIENT);
        assertTrue(small.put(d, Role.CLIENT));
        assertEquals(3, small.size());
        assertTrue(soonest.isDestroyed());
        assertEquals(Optional.empty(), small.bySessionId(soonest.sessionId()));
        for (SecurityAssociation kept : List.of(a, c, d)) {
            assertFalse(kept.isDestroyed());
            assertTrue(small.bySessionId(kept.sessionId()).isPresent());
        }
    }

    @Test
    void whenFullSweepsExpiredSasBeforeEvictingLiveOnes() {
        AssociationStore small = new AssociationStore(clock, 2);
        SecurityAssociation expiring = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(10));
        SecurityAssociation live = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(100));
        small.put(live, Role.CLIENT);
        small.put(expiring, Role.CLIENT);
        clock.advance(Duration.ofSeconds(20));
        small.put(sa(ALICE, BOB, WWW, clock.instant(), Duration.ofSeconds(50)), Role.CLIENT);
        assertTrue(expiring.isDestroyed());
        assertFalse(live.isDestroyed());
    }

    @Test
    void byPeerFindsTheNewestLiveClientSaForThatServer() {
        SecurityAssociation older = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(300));
        SecurityAssociation newer = sa(ALICE, BOB, WWW, T0.plusSeconds(1), Duration.ofSeconds(30));
        store.put(older, Role.CLIENT);
        store.put(newer, Role.CLIENT);
        assertSame(newer, store.byPeer(WWW).orElseThrow());
        clock.advance(Duration.ofSeconds(31));
        assertSame(older, store.byPeer(WWW).orElseThrow());
    }

    @Test
    void aNewClientSaReplacesTheHeldOneOfItsSuiteAfterAGrace() {
        SecurityAssociation older = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(300));
        SecurityAssociation newer = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(300));
        store.put(older, Role.CLIENT);
        store.put(newer, Role.CLIENT);

        assertSame(newer, store.byPeer(WWW).orElseThrow());
        assertFalse(older.isDestroyed(), "a handshake just handed the older one can still build its session");
        clock.advance(AssociationStore.SUPERSEDED_GRACE);
        store.put(sa(ALICE, BOB, new HostPort("other.example.com", 443), T0, Duration.ofSeconds(300)), Role.CLIENT);

        assertTrue(older.isDestroyed());
        assertEquals(Optional.empty(), store.bySessionId(older.sessionId()));
        assertFalse(newer.isDestroyed());
        assertEquals(2, store.size());
        clock.advance(Duration.ofSeconds(200));
        assertSame(newer, store.byPeer(WWW).orElseThrow(), "the replaced one is never offered again");
    }

    @Test
    void clientSasOfOtherSuitesStayForTheConnectionsThatOfferThem() {
        SecurityAssociation chacha = withSuite(CHACHA, T0, Duration.ofSeconds(300));
        SecurityAssociation aes = withSuite(AES256, T0, Duration.ofSeconds(300));
        store.put(chacha, Role.CLIENT);
        store.put(aes, Role.CLIENT);
        clock.advance(AssociationStore.SUPERSEDED_GRACE.multipliedBy(2));
        store.put(sa(ALICE, BOB, new HostPort("other.example.com", 443), T0, Duration.ofSeconds(300)), Role.CLIENT);

        assertSame(aes, store.byPeer(WWW).orElseThrow());
        assertSame(aes, store.byPeer(WWW, List.of(AES256, CHACHA)).orElseThrow());
        assertSame(chacha, store.byPeer(WWW, List.of(CHACHA)).orElseThrow());
        assertEquals(Optional.empty(), store.byPeer(WWW, List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")));
        assertFalse(chacha.isDestroyed());
    }

    @Test
    void aTls13SaIsFoundForTheConnectionsThatOfferItsSuite() {
        SecurityAssociation tls12 = withSuite(AES256, T0, Duration.ofSeconds(300));
        SecurityAssociation tls13 = TestAssociations.tls13(ALICE, BOB, WWW, T0, Duration.ofSeconds(300),
                "TLS_AES_128_GCM_SHA256");
        store.put(tls12, Role.CLIENT);
        store.put(tls13, Role.CLIENT);

        assertSame(tls13, store.byPeer(WWW, List.of("TLS_AES_128_GCM_SHA256", AES256)).orElseThrow());
        assertSame(tls12, store.byPeer(WWW, List.of(AES256)).orElseThrow(), "a TLS 1.2-only connection");
        assertEquals(Optional.empty(), store.byPeer(WWW, List.of("TLS_AES_256_GCM_SHA384")));
        assertSame(tls13, store.bySessionId(tls13.sessionId()).orElseThrow(), "keyed by session id as any SA");
        assertFalse(tls12.isDestroyed(), "an SA of the other version is no replacement");
    }

    private static final String AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    private static final String CHACHA = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";

    private static SecurityAssociation withSuite(String suite, java.time.Instant created, Duration lifetime) {
        return TestAssociations.builder(ALICE, BOB, WWW, created, lifetime).cipherSuite(suite).build();
    }

    @Test
    void byPeerIgnoresOtherServersAndSasHeldAsServer() {
        store.put(sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60)), Role.SERVER);
        store.put(sa(ALICE, BOB, new HostPort("www.example.com", 443), T0, Duration.ofSeconds(60)), Role.CLIENT);
        assertEquals(Optional.empty(), store.byPeer(WWW));
    }

    @Test
    void aLookupByRoleFindsAnSaOnlyInTheRoleItWasReceivedIn() {
        SecurityAssociation asClient = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        SecurityAssociation asServer = sa(BOB, ALICE, null, T0, Duration.ofSeconds(60));
        store.put(asClient, Role.CLIENT);
        store.put(asServer, Role.SERVER);

        assertEquals(Optional.empty(), store.bySessionId(asClient.sessionId(), Role.SERVER));
        assertSame(asClient, store.bySessionId(asClient.sessionId(), Role.CLIENT).orElseThrow());
        assertEquals(Optional.empty(), store.bySessionId(asServer.sessionId(), Role.CLIENT));
        assertSame(asServer, store.bySessionId(asServer.sessionId(), Role.SERVER).orElseThrow());
        assertFalse(asClient.isDestroyed(), "a lookup in the other role leaves the SA as it is");
    }

    @Test
    void byPeerMatchesHostsCaseInsensitively() {
        SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        store.put(sa, Role.CLIENT);
        assertSame(sa, store.byPeer(HostPort.parse("WWW.Example.COM:8443")).orElseThrow());
    }

    @Test
    void removingAnSaForgetsItEverywhereAndDestroysIt() {
        SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60));
        store.put(sa, Role.CLIENT);
        assertTrue(store.remove(sa.sessionIdHex()));
        assertEquals(Optional.empty(), store.byPeer(WWW));
        assertEquals(Optional.empty(), store.bySessionId(sa.sessionId()));
        assertEquals(0, store.size());
        assertTrue(sa.isDestroyed());
    }

    @Test
    void clearingDestroysEverySa() {
        List<SecurityAssociation> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(60 + i));
            all.add(sa);
            store.put(sa, i % 2 == 0 ? Role.CLIENT : Role.SERVER);
        }
        store.clear();
        assertEquals(0, store.size());
        assertTrue(all.stream().allMatch(SecurityAssociation::isDestroyed));
        assertEquals(Optional.empty(), store.byPeer(WWW));
    }

    @Test
    void unknownOrEmptySessionIdsFindNothing() {
        assertEquals(Optional.empty(), store.bySessionId(new byte[32]));
        assertEquals(Optional.empty(), store.bySessionId(new byte[0]));
        assertEquals(Optional.empty(), store.bySessionId(null));
    }

    @Test
    void staysWithinItsBoundUnderConcurrentPuts() throws Exception {
        AssociationStore bounded = new AssociationStore(clock, 50);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<SecurityAssociation>>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            results.add(pool.submit(() -> {
                go.await();
                List<SecurityAssociation> mine = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    SecurityAssociation sa = sa(ALICE, BOB, WWW, T0, Duration.ofSeconds(1 + i));
                    bounded.put(sa, Role.CLIENT);
                    mine.add(sa);
                    bounded.byPeer(WWW);
                }
                return mine;
            }));
        }
        go.countDown();
        List<SecurityAssociation> all = new ArrayList<>();
        for (Future<List<SecurityAssociation>> f : results) {
            all.addAll(f.get());
        }
        pool.shutdown();
        assertEquals(50, bounded.size());
        long live = all.stream().filter(sa -> !sa.isDestroyed()).count();
        assertEquals(50, live);
        assertTrue(all.stream().filter(sa -> !sa.isDestroyed())
                .allMatch(sa -> bounded.bySessionId(sa.sessionId()).isPresent()));
    }
}
