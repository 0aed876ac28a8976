package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * One peer that stops reading costs only itself: the key server's answers to everybody else keep the latency
 * they had a moment before, measured in the same run (the machine is shared: a ratio, not a time), and the
 * stalled connection is closed and counted.
 */
class HeadOfLineTest {

    private static final int SAMPLES = 25;
    /** Far more answer bytes than loopback TCP buffers hold, so the key server's writes to the peer block. */
    private static final int FLOOD_REQUESTS = 200;
    private static final int VIA_BYTES = 60_000;

    @Test
    void aPeerThatStopsReadingLeavesEveryoneElsesLatencyAlone() throws Exception {
        try (Fixture f = new Fixture(b -> b.writeTimeout(Duration.ofMinutes(5)).maxQueuedBytes(64 << 20))) {
            TestAgent carol = f.agent("sip:carol@example.com");
            long baseline = median(SAMPLES, () -> carol.register(600).getStatusCode());

            RawPeer mallory = registered(f, "sip:mallory@example.com");
            flood(mallory, "sip:mallory@example.com");
            long stalled = median(SAMPLES, () -> carol.register(600).getStatusCode());

            System.out.printf("REGISTER median: %d us before, %d us with a peer not reading%n",
                    baseline / 1000, stalled / 1000);
            assertTrue(stalled <= 10 * baseline, "REGISTER median went from " + baseline / 1000 + " us to "
                    + stalled / 1000 + " us while one peer did not read");
            mallory.close();
        }
    }

    @Test
    void aTargetThatStopsReadingStallsNoOtherDistributionAndItsClientGetsItsAnswer() throws Exception {
        try (Fixture f = new Fixture(b -> b.writeTimeout(Duration.ofMinutes(5)).maxQueuedBytes(64 << 20)
                .relayTimeout(Duration.ofSeconds(1)))) {
            TestAgent alice = f.client("sip:alice@example.com");
            TestAgent carol = f.client("sip:carol@example.com");
            f.client("sip:dave@example.com");
            long baseline = median(SAMPLES, () -> carol.invite("sips:dave@example.com").getStatusCode());

            RawPeer bob = FlowBindingTest.registeredRawPeer(f, "sip:bob@example.com");
            flood(bob, "sip:bob@example.com");
            assertEquals(408, alice.invite("sips:bob@example.com").getStatusCode(),
                    "the client of a stalled target must still get its answer");
            long stalled = median(SAMPLES, () -> carol.invite("sips:dave@example.com").getStatusCode());

            System.out.printf("INVITE median: %d us before, %d us with a target not reading%n",
                    baseline / 1000, stalled / 1000);
            assertTrue(stalled <= 10 * baseline, "INVITE median went from " + baseline / 1000 + " us to "
                    + stalled / 1000 + " us while one target did not read");
            bob.close();
        }
    }

    @Test
    void aPeerWhoseWriteBlocksTooLongIsDisconnectedAndCounted() throws Exception {
        try (Fixture f = new Fixture(b -> b.writeTimeout(Duration.ofSeconds(1)).maxQueuedBytes(64 << 20))) {
            RawPeer mallory = registered(f, "sip:mallory@example.com");
            flood(mallory, "sip:mallory@example.com");
            Polling.until(() -> f.server.statistics().getSlowPeersDisconnected() == 1);
            assertTrue(mallory.closedWithin(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aPeerThatLetsItsQueueOverflowIsDisconnectedAndCounted() throws Exception {
        try (Fixture f = new Fixture(b -> b.writeTimeout(Duration.ofMinutes(5)).maxQueuedBytes(256 * 1024))) {
            RawPeer mallory = registered(f, "sip:mallory@example.com");
            flood(mallory, "sip:mallory@example.com");
            Polling.until(() -> f.server.statistics().getSlowPeersDisconnected() == 1);
            assertTrue(mallory.closedWithin(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aPlainTcpPeerThatStopsReadingIsDisconnectedAndCostsNobodyElse() throws Exception {
        try (Fixture f = new Fixture(b -> b.plainTcpPort(-1).writeTimeout(Duration.ofSeconds(2))
                .maxQueuedBytes(64 << 20))) {
            TestAgent carol = f.agent("sip:carol@example.com");
            long baseline = median(SAMPLES, () -> carol.register(600).getStatusCode());

            try (java.net.Socket plain = new java.net.Socket()) {
                plain.setReceiveBufferSize(4096);
                plain.connect(f.server.plainTcpAddress().orElseThrow(), 5_000);
                java.io.OutputStream out = plain.getOutputStream();
                for (int i = 0; i < FLOOD_REQUESTS; i++) {
                    try {
                        out.write(plainOptions(plain.getLocalPort(), VIA_BYTES));
                    } catch (java.io.IOException closed) {
                        break;
                    }
                }
                long stalled = median(SAMPLES, () -> carol.register(600).getStatusCode());

                System.out.printf("REGISTER median: %d us before, %d us with a plain-TCP peer not reading%n",
                        baseline / 1000, stalled / 1000);
                assertTrue(stalled <= 10 * baseline, "REGISTER median went from " + baseline / 1000 + " us to "
                        + stalled / 1000 + " us while a plain-TCP peer did not read");
                Polling.until(() -> f.server.statistics().getSlowPeersDisconnected() == 1);
            }
        }
    }

    /** An OPTIONS over plain TCP whose answer repeats {@code viaBytes} of Via headers. */
    private static byte[] plainOptions(int localPort, int viaBytes) {
        String id = java.util.UUID.randomUUID().toString().replace("-", "");
        StringBuilder m = new StringBuilder("OPTIONS sip:example.com SIP/2.0\r\n");
        for (int written = 0; written < viaBytes; written += 4_000) {
            m.append("Via: SIP/2.0/TCP 127.0.0.1:").append(localPort).append(";branch=z9hG4bK").append(id)
                    .append(written).append(";x=").append("a".repeat(4_000)).append("\r\n");
        }
        m.append("Max-Forwards: 70\r\nFrom: <sip:plain@example.com>;tag=1\r\nTo: <sip:plain@example.com>\r\n")
                .append("Call-ID: ").append(id).append("\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
        return m.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * A peer with a small receive buffer, registered: before a registration a connection may not hold more than a
     * short unfinished message, and the flood's requests are 60 KB each.
     */
    private static RawPeer registered(Fixture f, String aor) throws Exception {
        RawPeer peer = RawPeer.connect(f.server, f.pki.agent(aor), 0, 4096);
        assertEquals(200, peer.call(peer.register(aor, 600)));
        return peer;
    }

    /** Sends requests whose answers outgrow every buffer between the key server and {@code peer}, never reading. */
    private static void flood(RawPeer peer, String aor) throws Exception {
        for (int i = 0; i < FLOOD_REQUESTS; i++) {
            try {
                peer.send(peer.options(aor, VIA_BYTES));
            } catch (java.io.IOException closed) {
                return; // the key server gave up on this peer already
            }
        }
    }

    /** The median wall time of {@code samples} calls, each expected to answer 2xx or the same status. */
    private static long median(int samples, Callable<Integer> call) throws Exception {
        long[] nanos = new long[samples];
        Integer first = null;
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            Integer status = call.call();
            nanos[i] = System.nanoTime() - start;
            first = first == null ? status : first;
            assertEquals(first, status);
        }
        Arrays.sort(nanos);
        return nanos[samples / 2];
    }
}
