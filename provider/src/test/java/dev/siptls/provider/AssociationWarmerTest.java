package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The warmer's bounds, with SAs held in memory: who is renewed, when, and how many a minute. */
class AssociationWarmerTest {

    private static final Duration LIFETIME = Duration.ofSeconds(8);

    private final Map<HostPort, SecurityAssociation> held = new ConcurrentHashMap<>();
    private final List<HostPort> fetched = new ArrayList<>();
    private final List<CompletableFuture<SecurityAssociation>> requests = new ArrayList<>();
    private final ProviderStatistics statistics = new ProviderStatistics();
    private Instant now = Instant.now();
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };

    private AssociationWarmer warmer(List<HostPort> prefetch) {
        return new AssociationWarmer("sip:test@example.com", new AssociationWarmer.Agent() {
            @Override public boolean policyAccepted() { return true; }
            @Override public Optional<SecurityAssociation> held(HostPort peer, List<String> suites) {
                return Optional.ofNullable(held.get(peer));
            }
            @Override public Optional<CompletableFuture<SecurityAssociation>> fetch(HostPort peer,
                                                                                   List<String> suites) {
                fetched.add(peer);
                CompletableFuture<SecurityAssociation> request = new CompletableFuture<>();
                requests.add(request);
                return Optional.of(request);
            }
        }, prefetch, List.of("TLS_AES_128_GCM_SHA256"), statistics, clock, (peer, sa) -> { });
    }

    /** An SA for localhost:port created {@code age} ago: offered until 6 s after creation. */
    private void hold(int port, Duration age) {
        held.put(new HostPort("localhost", port), Associations.fresh().lifetime(LIFETIME).createdAt(now.minus(age))
                .forTls13ServerAt(port));
    }

    @Test
    void onlyPeersUsedWithinALifetimeAreRenewedAndOnlyWhenDue() {
        AssociationWarmer warmer = warmer(List.of());
        hold(1, Duration.ofSeconds(1)); // used, not due yet
        hold(2, Duration.ofSeconds(5)); // used, due (offered for 1 s more, lead 2 s)
        hold(3, Duration.ofSeconds(5)); // due, never used
        warmer.offered(new HostPort("localhost", 1), null);
        warmer.offered(new HostPort("localhost", 2), null);
        warmer.tick();
        assertEquals(List.of(new HostPort("localhost", 2)), fetched);

        warmer.tick(); // its renewal is in flight: not a second one
        assertEquals(1, fetched.size());

        requests.get(0).complete(held.get(new HostPort("localhost", 2)));
        assertEquals(1, statistics.renewals());
        now = now.plus(LIFETIME).plusSeconds(1); // peer 1 now due, but unused for a lifetime: forgotten
        hold(1, Duration.ofSeconds(5));
        warmer.tick();
        assertEquals(1, fetched.size(), "renewed a peer not used within a lifetime: " + fetched);
    }

    @Test
    void renewalsAreBoundedPerMinuteAndCountedOncePerSa() {
        AssociationWarmer warmer = warmer(List.of());
        int peers = AssociationWarmer.RENEWALS_PER_MINUTE + 5;
        for (int port = 1; port <= peers; port++) {
            hold(port, Duration.ofSeconds(5));
            warmer.offered(new HostPort("localhost", port), null);
        }
        warmer.tick();
        warmer.tick();
        assertEquals(AssociationWarmer.RENEWALS_PER_MINUTE, fetched.size());
        assertEquals(5, statistics.renewalsLimited());
    }

    @Test
    void aFailedRenewalIsCountedAndNotRepeatedForThatSa() {
        AssociationWarmer warmer = warmer(List.of());
        hold(1, Duration.ofSeconds(5));
        warmer.offered(new HostPort("localhost", 1), null);
        warmer.tick();
        requests.get(0).completeExceptionally(new IOException("key server gone"));
        warmer.tick();
        assertEquals(1, fetched.size());
        assertEquals(1, statistics.renewalFailures());
    }

    @Test
    void prefetchAsksOnceForEachListedPeerNotHeld() {
        HostPort a = new HostPort("localhost", 1);
        HostPort b = new HostPort("localhost", 2);
        hold(2, Duration.ZERO);
        AssociationWarmer warmer = warmer(List.of(a, b));
        warmer.tick();
        warmer.tick();
        assertEquals(List.of(a), fetched);
        requests.get(0).complete(held.get(b));
        assertEquals(1, statistics.prefetched());
        assertTrue(statistics.renewals() == 0);
    }
}
