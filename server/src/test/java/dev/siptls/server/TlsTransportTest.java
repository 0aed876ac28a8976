package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.SipEndpoint;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The key server's non-blocking TLS transport against peers that misbehave at the transport level: a handshake
 * never finished, a keep-alive flow whose peer vanished without closing, a message announcing 10 MiB, and the
 * framing of messages that share a TLS record or span many.
 */
class TlsTransportTest {

    @Test
    void aHandshakeNeverFinishedIsClosedAfterTheTimeoutAndCostsNoThread() throws Exception {
        try (Fixture f = new Fixture(b -> b.handshakeTimeout(Duration.ofMillis(500)))) {
            InetSocketAddress tls = f.server.address();
            long stackThreads = stackThreads();
            try (Socket silent = new Socket(); Socket half = new Socket()) {
                silent.connect(tls, 5_000);
                half.connect(tls, 5_000);
                // The first bytes of a TLS 1.2 ClientHello record announcing 512 bytes, then nothing.
                half.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc});
                half.getOutputStream().flush();
                Polling.until(() -> f.server.tlsConnectionState()[0] == 2);
                assertEquals(stackThreads, stackThreads(), "a connection in its handshake must cost no thread");
                assertTrue(closedWithin(silent, Duration.ofSeconds(10)), "a silent connection was kept");
                assertTrue(closedWithin(half, Duration.ofSeconds(10)), "half a ClientHello was kept");
            }
            Polling.until(() -> f.server.statistics().getFailedTlsHandshakes() == 2);
            Polling.until(() -> f.server.tlsConnectionState()[0] == 0);
        }
    }

    @Test
    void aKeepAlivePingGetsAPongAndAFlowSilentPastTheKeepAliveIsClosed() throws Exception {
        try (Fixture f = new Fixture(b -> b.keepAlive(Duration.ofSeconds(1)).sweepInterval(Duration.ofMillis(100)));
                RawPeer bob = FlowBindingTest.registeredRawPeer(f, "sip:bob@example.com")) {
            bob.sendRecord("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals('\r', bob.readByte(Duration.ofSeconds(10)));
            assertEquals('\n', bob.readByte(Duration.ofSeconds(10)));
            // The peer vanishes without a FIN (half-open): it just never sends again.
            assertTrue(bob.closedWithin(Duration.ofSeconds(20)), "a silent keep-alive flow was kept");
            Polling.until(() -> f.server.statistics().getCurrentRegistrations() == 0);
        }
    }

    @Test
    void pipelinedMessagesInOneRecordAndOneMessageOverManyRecordsAreEachAnswered() throws Exception {
        try (Fixture f = new Fixture(); RawPeer bob = FlowBindingTest.registeredRawPeer(f, "sip:bob@example.com")) {
            String first = bob.options("sip:bob@example.com", 0);
            String second = bob.options("sip:bob@example.com", 0);
            bob.sendRecord((first + "\r\n\r\n" + second).getBytes(StandardCharsets.UTF_8));
            assertEquals(callId(first), callId(bob.readMessage(Duration.ofSeconds(10))));
            assertEquals(callId(second), callId(bob.readMessage(Duration.ofSeconds(10))));

            String split = bob.options("sip:bob@example.com", 0);
            bob.sendByteByByte(split);
            assertEquals(callId(split), callId(bob.readMessage(Duration.ofSeconds(10))));
        }
    }

    /**
     * The client's Finished and its first request in one TCP write: the key server reads the end of the
     * handshake and the first record together, and must answer it (no further read event will come for it).
     */
    @Test
    void aFirstRequestArrivingWithTheHandshakesEndIsAnswered() throws Exception {
        try (Fixture f = new Fixture()) {
            javax.net.ssl.SSLContext context = f.pki.agent("sip:bob@example.com").clientContext("127.0.0.1");
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                for (int i = 0; i < 10; i++) {
                    String callId = java.util.UUID.randomUUID().toString();
                    try (CoalescingClient bob = CoalescingClient.connect(context, f.server.address(), protocol,
                            register(callId).getBytes(StandardCharsets.US_ASCII))) {
                        assertEquals(protocol, bob.protocol());
                        assertTrue(bob.coalesced() || protocol.equals("TLSv1.2"), "the Finished went alone");
                        String answer = bob.readMessage();
                        assertEquals(callId, callId(answer), protocol + ": " + answer);
                        assertTrue(answer.startsWith("SIP/2.0 200 "), protocol + ": " + answer);
                        assertTrue(bob.recordsWithoutData() > 0 || protocol.equals("TLSv1.2"),
                                "no NewSessionTicket reached the client");
                    }
                }
            }
        }
    }

    private static String register(String callId) {
        return "REGISTER sips:example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK" + callId.replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:bob@example.com>;tag=" + callId.substring(0, 8) + "\r\n"
                + "To: <sip:bob@example.com>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "Contact: <sips:bob@127.0.0.1:5061>\r\nExpires: 600\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** More records in one write than the key server reads at once: every request is answered. */
    @Test
    void manyRequestsInOneWriteAreEachAnswered() throws Exception {
        try (Fixture f = new Fixture(); RawPeer bob = FlowBindingTest.registeredRawPeer(f, "sip:bob@example.com")) {
            java.util.Set<String> sent = new java.util.HashSet<>();
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                String options = bob.options("sip:bob@example.com", 0);
                sent.add(callId(options));
                burst.append(options);
            }
            bob.sendRecord(burst.toString().getBytes(StandardCharsets.UTF_8));

            java.util.Set<String> answered = new java.util.HashSet<>();
            while (answered.size() < sent.size()) {
                String answer = bob.readMessage(Duration.ofSeconds(30));
                if (answer == null) {
                    break;
                }
                answered.add(callId(answer));
            }
            assertEquals(sent, answered);
        }
    }

    @Test
    void aTenMebibyteMessageIsRefusedWithoutBeingBuffered() throws Exception {
        int limit = 128 * 1024;
        try (Fixture f = new Fixture(b -> b.maxMessageSize(limit));
                RawPeer mallory = RawPeer.connect(f.server, f.pki.agent("sip:mallory@example.com"), 0, 0)) {
            String head = mallory.options("sip:mallory@example.com", 0)
                    .replace("Content-Length: 0\r\n", "Content-Length: " + (10 << 20) + "\r\n");
            byte[] chunk = "x".repeat(16_000).getBytes(StandardCharsets.US_ASCII);
            try {
                mallory.sendRecord(head.getBytes(StandardCharsets.US_ASCII));
                for (int sent = 0; sent < 10 << 20; sent += chunk.length) {
                    mallory.sendRecord(chunk);
                }
            } catch (java.io.IOException dropped) {
                // expected: the key server closed the connection
            }
            assertTrue(mallory.closedWithin(Duration.ofSeconds(10)));
            long peak = f.server.tlsConnectionState()[2];
            assertTrue(peak <= limit, "one connection kept " + peak + " bytes of a message over the limit");
        }
    }

    private static String callId(String message) {
        return RawPeer.header(message, "Call-ID");
    }

    static long stackThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && SipEndpoint.isStackThread(t)).count();
    }

    private static boolean closedWithin(Socket socket, Duration within) throws Exception {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketException reset) {
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }
}
