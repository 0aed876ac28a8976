package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.siptls.sip.testing.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * A 10 MiB SIP message from an authenticated peer: the stack refuses it by its Content-Length, before
 * reading the body, and drops that connection (RFC 3261 21.4.11 lets a server close instead of answering
 * 413). Nothing changes, the refusal is one log line rather than a stack trace, and others are still served.
 */
class OversizeMessageTest {

    private static final int TEN_MIB = 10 * 1024 * 1024;

    @Test
    void aTenMebibyteMessageGetsItsConnectionDroppedAndTheKeyServerServesOthers() throws Exception {
        try (LogCapture capture = LogCapture.start(); Fixture fixture = new Fixture()) {
            String aor = "sip:huge@example.com";
            InetSocketAddress keyServer = fixture.server.address();
            long registrationsBefore = fixture.server.statistics().getTotalRegistrations();

            String answer;
            try (SSLSocket socket = (SSLSocket) fixture.pki.agent(aor).clientContext("localhost").getSocketFactory()
                    .createSocket(keyServer.getAddress(), keyServer.getPort())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                sendHuge(socket.getOutputStream(), aor, socket);
                answer = readUntilClosed(socket.getInputStream());
            }

            assertFalse(answer.startsWith("SIP/2.0"), "no SIP answer, the connection is dropped: " + answer);
            assertEquals(registrationsBefore, fixture.server.statistics().getTotalRegistrations());
            TestAgent other = fixture.agent("sip:after-huge@example.com");
            assertEquals(200, other.register(600).getStatusCode());
            Polling.until(() -> capture.text().contains("its connection is dropped"));
            assertFalse(capture.text().contains("Exception in thread"), "no stack trace of a dead thread on stderr");
        }
    }

    private static void sendHuge(OutputStream out, String aor, SSLSocket socket) {
        String local = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
        String head = "MESSAGE sip:example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-huge\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + aor + ">;tag=huge\r\n"
                + "To: <" + aor + ">\r\n"
                + "Call-ID: huge@" + local + "\r\n"
                + "CSeq: 1 MESSAGE\r\n"
                + "Content-Type: application/siptls-policy+xml\r\n"
                + "Content-Length: " + TEN_MIB + "\r\n\r\n";
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        try {
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (int sent = 0; sent < TEN_MIB; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
        } catch (IOException closedByTheServer) {
            // expected once the key server has dropped the connection
        }
    }

    /** What arrives until the peer closes (or resets) the connection. */
    private static String readUntilClosed(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
        } catch (java.net.SocketException reset) {
            // the same: closed
        }
        return text.toString();
    }
}
