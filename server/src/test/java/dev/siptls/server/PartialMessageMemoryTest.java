package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An insider's connections cost the key server about 14 KB of heap each until the 30 s timeout closes the
 * unregistered ones (docs/SECURITY.md): that must hold for a connection that sends all but the last bytes of a
 * message under the size limit, too, or one certificate buys as much heap as its connections times the limit.
 * Before this test was written, 1,500 such connections (one certificate, 12 s to open) held a
 * {@code sip-tls server} 189 MiB larger, about 126 KB each.
 */
class PartialMessageMemoryTest {

    private static final int CONNECTIONS = 150;
    private static final int BODY_BYTES = 120_000;
    /** What an unfinished message may add to a connection's cost: a bounded share, not the message. */
    private static final long EXTRA_BYTES_BOUND = 32 * 1024;
    private static final AtomicInteger DROPPED = new AtomicInteger();

    @Test
    void connectionsHoldingAnUnfinishedMessageCostLittleMoreHeapThanIdleOnes() throws Exception {
        try (Fixture f = new Fixture()) {
            // the raw peers live in this JVM too: idle connections, measured the same way, are the baseline
            long idle = heapPerConnection(f, false);
            long partial = heapPerConnection(f, true);

            System.out.printf("%d connections, live heap each (both ends, this JVM): %,d B idle, %,d B each holding "
                    + "%,d of a %,d-byte message (%d dropped by the key server)%n", CONNECTIONS, idle, partial,
                    BODY_BYTES - 1_000, BODY_BYTES, DROPPED.get());
            assertTrue(partial - idle < EXTRA_BYTES_BOUND, "a connection holding an unfinished message cost the key "
                    + "server " + (partial - idle) + " B of heap more than an idle one");
        }
    }

    private static long heapPerConnection(Fixture f, boolean sendPartial) throws Exception {
        var identity = f.pki.agent("sip:mallory@example.com");
        long before = liveHeap();
        List<RawPeer> peers = new ArrayList<>();
        ExecutorService opener = Executors.newFixedThreadPool(4);
        try {
            List<Future<RawPeer>> opened = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                opened.add(opener.submit(() -> {
                    RawPeer peer = RawPeer.connect(f.server, identity, 0, 0);
                    if (sendPartial) {
                        String message = peer.options("sip:mallory@example.com", 0)
                                .replace("Content-Length: 0\r\n\r\n", "Content-Type: text/plain\r\nContent-Length: "
                                        + BODY_BYTES + "\r\n\r\n" + "b".repeat(BODY_BYTES - 1_000));
                        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
                        try {
                            for (int at = 0; at < bytes.length; at += 16_000) {
                                peer.sendRecord(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 16_000)));
                            }
                        } catch (IOException dropped) {
                            DROPPED.incrementAndGet(); // the key server may close it: what is measured is its heap
                        }
                    }
                    return peer;
                }));
            }
            for (Future<RawPeer> peer : opened) {
                try {
                    peers.add(peer.get());
                } catch (ExecutionException refused) {
                    // a source port the previous batch used (bound with SO_REUSEADDR) is refused for 64 s
                }
            }
            assertTrue(peers.size() >= CONNECTIONS / 2, "only " + peers.size() + " connections opened");
            Thread.sleep(1_000); // let the key server read what is in flight
            return (liveHeap() - before) / peers.size();
        } finally {
            opener.shutdownNow();
            for (RawPeer peer : peers) {
                peer.close(); // not a reset: TIME_WAIT keeps these ports from the next batch (64 s refusal)
            }
            liveHeap();
        }
    }

    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
