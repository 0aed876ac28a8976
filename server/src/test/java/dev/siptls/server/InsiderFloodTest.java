package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An enrolled insider whose INVITEs the key server refuses at once, who reads every answer (so the slow-reader
 * defence never applies) but never ACKs one, must cost only itself. Before this test was written the key server
 * kept every refused INVITE, body and all, for about 32 s after answering it (an INVITE transaction waiting for
 * the ACK of its non-2xx answer): one insider sending 400 INVITEs a second with 64 KB bodies to an AOR nobody
 * holds ran a {@code sip-tls server -Xmx1g} out of heap in 20 s; its TLS event loops ended on
 * {@code OutOfMemoryError}, the process stayed up, and nobody could register any more.
 */
class InsiderFloodTest {

    private static final int INVITES = 1_000;
    /** Under the 128 KiB message limit; bodies of types the key server does not know are ignored. */
    private static final int BODY_BYTES = 64 * 1024;
    /** What one insider's answered requests may still hold of the key server's heap, with slack for the rest. */
    private static final long HEAP_BOUND = 32L << 20;

    @Test
    void refusedInvitesThatAreNeverAckedAreNotKeptInMemory() throws Exception {
        try (Fixture f = new Fixture()) {
            RawPeer mallory = FlowBindingTest.registeredRawPeer(f, "sip:mallory@example.com");
            AtomicLong answered = new AtomicLong();
            mallory.countWhileReading("SIP/2.0 404 ", answered);
            long before = liveHeap();

            String body = "b".repeat(BODY_BYTES);
            for (int i = 0; i < INVITES; i++) {
                String invite = mallory.invite("sip:mallory@example.com", "sips:nobody@example.com");
                mallory.sendRecord(invite.replace("Content-Length: 0\r\n\r\n",
                        "Content-Type: text/plain\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
            }
            Polling.until(() -> answered.get() == INVITES);
            long grown = liveHeap() - before;

            System.out.printf("%,d INVITEs of %,d KiB refused 404 and never ACKed: live heap %,d MiB larger once "
                    + "all were answered%n", INVITES, BODY_BYTES >> 10, grown >> 20);
            assertEquals(INVITES, answered.get());
            assertTrue(grown < HEAP_BOUND, "the key server still holds " + (grown >> 20) + " MiB after refusing "
                    + INVITES + " INVITEs of one insider (" + ((long) INVITES * BODY_BYTES >> 20) + " MiB sent)");
            mallory.reset();
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
