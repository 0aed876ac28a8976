package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plain-TCP listener exists for conformance tools (sipp); nothing security-relevant succeeds on it. */
class PlainTcpTest {

    private static Fixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new Fixture(b -> b.plainTcpPort(-1));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void refusesRegisterOverPlainTcp() throws Exception {
        assertEquals("SIP/2.0 403 TLS required", exchange("REGISTER", "sip:example.com", "Expires: 600\r\n"));
    }

    @Test
    void refusesInviteOverPlainTcp() throws Exception {
        TestAgent server = fixture.serverAgent("sip:tcp-target@example.com",
                new dev.siptls.protocol.HostPort("tcp.example.com", 443));

        assertEquals("SIP/2.0 403 TLS required", exchange("INVITE", "sip:tcp-target@example.com", ""));
        assertEquals(0, server.invites.size());
    }

    @Test
    void refusesPolicyMessagesOverPlainTcp() throws Exception {
        assertEquals("SIP/2.0 403 TLS required", exchange("MESSAGE", "sip:example.com", ""));
    }

    @Test
    void answersOptionsOverPlainTcpForConformanceTools() throws Exception {
        assertEquals("SIP/2.0 200 OK", exchange("OPTIONS", "sip:example.com", ""));
    }

    /** Sends one request the way sipp would and returns the status line of the final response. */
    private static String exchange(String method, String uri, String extraHeaders) throws Exception {
        InetSocketAddress plain = fixture.server.plainTcpAddress().orElseThrow();
        try (Socket socket = new Socket(plain.getAddress(), plain.getPort())) {
            socket.setSoTimeout(10_000);
            String local = "127.0.0.1:" + socket.getLocalPort();
            String request = method + " " + uri + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/TCP " + local + ";branch=z9hG4bK-" + System.nanoTime() + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:alice@example.com>;tag=1\r\n"
                    + "To: <" + uri + ">\r\n"
                    + "Call-ID: " + System.nanoTime() + "@127.0.0.1\r\n"
                    + "CSeq: 1 " + method + "\r\n"
                    + "Contact: <sip:alice@" + local + ";transport=tcp>\r\n"
                    + extraHeaders
                    + "Content-Length: 0\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("SIP/2.0 ") && !line.startsWith("SIP/2.0 1")) {
                    return line;
                }
            }
            throw new AssertionError("no final response");
        }
    }
}
