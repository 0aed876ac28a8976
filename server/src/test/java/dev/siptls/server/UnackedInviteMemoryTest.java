package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A peer whose INVITEs the key server refuses at once, who reads every answer (so the slow-reader defence never
 * applies) but never ACKs one, must cost only itself: an enrolled insider over TLS, or anyone at all over the
 * plain-TCP listener for conformance tools (where every INVITE is refused {@code 403 TLS required}). Before this test was written the key server
 * kept every refused INVITE, body and all, for about 32 s after answering it (an INVITE transaction waiting for
 * the ACK of its non-2xx answer): one insider sending 400 INVITEs a second with 64 KB bodies to an AOR nobody
 * holds ran a {@code sip-tls server -Xmx1g} out of heap in 20 s; its TLS event loops ended on
 * {@code OutOfMemoryError}, the process stayed up, and nobody could register any more.
 */
class UnackedInviteMemoryTest {

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

    @Test
    void invitesRefusedOnThePlainTcpListenerAreNotKeptInMemory() throws Exception {
        try (Fixture f = new Fixture(b -> b.plainTcpPort(-1));
                java.net.Socket outsider = new java.net.Socket()) {
            outsider.connect(f.server.plainTcpAddress().orElseThrow(), 5_000);
            java.io.OutputStream out = outsider.getOutputStream();
            java.io.InputStream in = outsider.getInputStream();
            long before = liveHeap();

            String body = "b".repeat(BODY_BYTES);
            int refused = 0;
            for (int i = 0; i < INVITES; i++) {
                String id = java.util.UUID.randomUUID().toString().replace("-", "");
                out.write(("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:"
                        + outsider.getLocalPort() + ";branch=z9hG4bK" + id + "\r\nMax-Forwards: 70\r\n"
                        + "From: <sip:anyone@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: " + id
                        + "\r\nCSeq: 1 INVITE\r\nContact: <sip:anyone@127.0.0.1>\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + BODY_BYTES + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                refused += finalStatus(in) >= 300 ? 1 : 0;
            }
            long grown = liveHeap() - before;

            System.out.printf("%,d INVITEs of %,d KiB over plain TCP, refused and never ACKed: live heap %,d MiB "
                    + "larger once all were answered%n", INVITES, BODY_BYTES >> 10, grown >> 20);
            assertEquals(INVITES, refused);
            assertTrue(grown < HEAP_BOUND, "the key server still holds " + (grown >> 20) + " MiB after refusing "
                    + INVITES + " INVITEs of an unauthenticated peer on its plain-TCP listener");
        }
    }

    /** Reads answers until a final one and returns its status (the key server's answers carry no body). */
    private static int finalStatus(java.io.InputStream in) throws java.io.IOException {
        while (true) {
            StringBuilder head = new StringBuilder();
            while (!(head.length() > 0 && head.toString().endsWith("\r\n\r\n"))) {
                int b = in.read();
                if (b < 0) {
                    throw new java.io.IOException("closed by the key server");
                }
                if (head.length() == 0 && (b == '\r' || b == '\n')) {
                    continue;
                }
                head.append((char) b);
            }
            int status = Integer.parseInt(head.substring(8, 11));
            int length = Integer.parseInt(RawPeer.header(head.toString(), "Content-Length").trim());
            in.readNBytes(length);
            if (status >= 200) {
                return status;
            }
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
