package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Agents each on their own connection cost the key server no thread: 500 mutual-TLS connections, each with a
 * live registration, leave it with a fixed handful of threads (JAIN-SIP's blocking transport had two per
 * connection), and every one of them is still served.
 */
class ManyFlowsTest {

    private static final int CONNECTIONS = 500;
    private static final int MAX_THREADS = 64;

    @Test
    void fiveHundredRegisteredConnectionsCostABoundedNumberOfThreads() throws Exception {
        List<RawPeer> peers = new ArrayList<>();
        try (Fixture f = new Fixture()) {
            long before = TlsTransportTest.stackThreads();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    String aor = "sip:many" + i + "@example.com";
                    RawPeer peer = RawPeer.connect(f.server, f.pki.agent(aor), 0, 0);
                    peers.add(peer);
                    assertEquals(200, peer.call(peer.register(aor, 600)), aor);
                }
                assertEquals(CONNECTIONS, f.server.statistics().getCurrentRegistrations());
                assertEquals(CONNECTIONS, f.server.tlsConnectionState()[0]);
                long threads = TlsTransportTest.stackThreads();
                System.out.printf("key server threads: %d before, %d with %d registered connections%n", before,
                        threads, CONNECTIONS);
                assertTrue(threads <= MAX_THREADS, threads + " threads for " + CONNECTIONS + " connections");
                assertTrue(threads - before < 10, "threads grew from " + before + " to " + threads);
                assertEquals(0, f.server.tlsConnectionState()[1], "idle connections keep no buffered bytes");
                RawPeer first = peers.get(0);
                assertEquals(200, first.call(first.register("sip:many0@example.com", 600)));
            } finally {
                for (RawPeer peer : peers) {
                    peer.close();
                }
            }
        }
    }
}
