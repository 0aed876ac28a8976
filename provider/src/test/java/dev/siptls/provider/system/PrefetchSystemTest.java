package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.SipTlsProviderMXBean;
import dev.siptls.provider.system.SipTlsWorld.Terminal;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SAs kept ready with the real key server: a {@code prefetch} peer's SA is held (its chain already checked by the
 * application's trust manager) before the first connection, which resumes with it and asks the key server nothing; a peer the application used gets a new SA before the old one
 * stops being offered, and a prefetched peer it never used does not.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class PrefetchSystemTest {

    @Test
    void aPrefetchedPeersFirstConnectionResumesWithoutAskingTheKeyServer(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        SipTlsWorld.awaitRegistered(server);
        // the application's trust manager, counted: the prefetched SA's chain is checked ahead, not at connect
        X509TrustManager ca = (X509TrustManager) world.trustingCa()[0];
        AtomicInteger chainChecks = new AtomicInteger();
        X509TrustManager counting = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                ca.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                chainChecks.incrementAndGet();
                ca.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return ca.getAcceptedIssuers();
            }
        };
        SipTlsProvider provider = world.provider(SipTlsWorld.aor("client"), Map.of("prefetch", "localhost:" + port));
        SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
        context.init(null, new TrustManager[]{counting}, null);
        Terminal client = new Terminal(provider, context, null);
        SipTlsWorld.awaitRegistered(client);
        SipTlsProviderMXBean stats = client.provider().statistics();
        Evidence.eventually(1, stats::getAssociationsPrefetched, "SAs prefetched");
        Evidence.eventually(1, chainChecks::get, "checks of the prefetched SA's server chain ahead of a connection");
        SecurityAssociation ready = client.provider().associations().byPeer(new HostPort("localhost", port))
                .orElseThrow(() -> new AssertionError("no SA held for the prefetched peer"));
        assertTrue(ready.isTls13(), "a prefetch with the policy's suites gives a TLS 1.3 SA: " + ready);
        long requests = stats.getAssociationRequests();

        try (EchoPeers peers = new EchoPeers(server, client, port, EchoServer.start(server.context(), port))) {
            EchoPeers.Connection first = peers.resumedViaSip("first contact", 1);

            assertEquals(ready.sessionIdHex(), Evidence.hex(first.client().getId()), "not the prefetched SA");
            assertEquals(requests, stats.getAssociationRequests(), "the first connection asked the key server");
            assertEquals(1, chainChecks.get(), "the first connection checked the SA's chain again");
            assertEquals(0, stats.getAssociationPrefetchFailures());
        }
    }

    @Test
    void aUsedPeerIsRenewedBeforeItsSaStopsBeingOfferedAndAnUnusedOneIsNot(SipTlsWorld world) throws Exception {
        Map<String, String> shortLived = Map.of("maxLifetime", "8");
        int used = SipTlsWorld.freePort();
        int unused = SipTlsWorld.freePort();
        Terminal server = world.server(used, shortLived);
        Terminal idle = world.server(unused, shortLived);
        SipTlsWorld.awaitRegistered(server, idle);
        Terminal client = world.client(Map.of("maxLifetime", "8",
                "prefetch", "localhost:" + used + ",localhost:" + unused));
        SipTlsWorld.awaitRegistered(client);
        SipTlsProviderMXBean stats = client.provider().statistics();
        Evidence.eventually(2, stats::getAssociationsPrefetched, "SAs prefetched");
        HostPort usedPeer = new HostPort("localhost", used);
        HostPort unusedPeer = new HostPort("localhost", unused);
        SecurityAssociation old = client.provider().associations().byPeer(usedPeer).orElseThrow();
        SecurityAssociation idleSa = client.provider().associations().byPeer(unusedPeer).orElseThrow();
        assertEquals(Duration.ofSeconds(8), old.lifetime());

        try (EchoPeers peers = new EchoPeers(server, client, used, EchoServer.start(server.context(), used))) {
            peers.resumedViaSip("once", 1);

            SecurityAssociation renewed = awaitNewer(client, usedPeer, old, old.offeredUntil());
            assertTrue(renewed.creationTime().isBefore(old.offeredUntil()), "renewed too late: " + renewed);
            waitUntil(idleSa.offeredUntil().plusMillis(500));
            assertEquals(Optional.empty(), client.provider().associations().byPeer(unusedPeer),
                    "an SA for a peer never used was renewed");
            long renewals = stats.getAssociationRenewals();
            assertTrue(renewals >= 1, "renewals: " + renewals);
            assertEquals(0, stats.getAssociationRenewalFailures());
            assertEquals(0, stats.getAssociationRenewalsLimited());
            // every request was a prefetch or a renewal of the used peer: none for the idle one, none at connect
            assertEquals(2 + renewals, stats.getAssociationRequests());

            long before = stats.getAssociationRequests();
            SecurityAssociation current = client.provider().associations().byPeer(usedPeer).orElseThrow();
            EchoPeers.Connection later = peers.resumedViaSip("again", 2);
            assertNotEquals(old.sessionIdHex(), Evidence.hex(later.client().getId()));
            assertEquals(before + (stats.getAssociationRenewals() - renewals), stats.getAssociationRequests(),
                    "the later connection asked the key server (current SA " + current.sessionIdHex() + ")");
        }
    }

    /** Polls until the client holds an SA for {@code peer} other than {@code old}, failing at {@code deadline}. */
    private static SecurityAssociation awaitNewer(Terminal client, HostPort peer, SecurityAssociation old,
                                                  Instant deadline) throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            Optional<SecurityAssociation> held = client.provider().associations().byPeer(peer);
            if (held.isPresent() && !held.get().sessionIdHex().equals(old.sessionIdHex())) {
                return held.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no new SA for " + peer + " before the old one stopped being offered");
    }

    private static void waitUntil(Instant instant) throws InterruptedException {
        long millis = Duration.between(Instant.now(), instant).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
