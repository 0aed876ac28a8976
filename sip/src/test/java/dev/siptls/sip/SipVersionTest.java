package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.header.CallIdHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 3261 8.2.2 / RFC 4475 3.1.2.16: a request of a SIP version other than 2.0 is answered {@code 505} over
 * its own connection, and neither reaches the listener nor makes a transaction; a response of another version
 * is dropped. On each transport an endpoint reads: the key server's TLS and plain-TCP listeners, and an agent's
 * connection to its key server.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipVersionTest {

    private static final Pattern CALL_ID = Pattern.compile("(?im)^call-id:[ \\t]*(\\S+)");
    private static final Pattern LENGTH = Pattern.compile("(?im)^content-length:[ \\t]*(\\d+)");

    private final TestPki pki = new TestPki();
    /** Call-IDs of the requests and responses the listening endpoint's listener was given. */
    private final Queue<String> heard = new ConcurrentLinkedQueue<>();
    private SipEndpoint server;

    @BeforeAll
    void start() throws Exception {
        SipEndpoint[] self = new SipEndpoint[1];
        server = SipEndpoint.start(SipEndpointConfig.builder().name("versions").plainTcpPort(-1)
                .sslContext(pki.keyServer().serverContext()).build(), new SipEvents() {
                    @Override
                    public void processRequest(RequestEvent event) {
                        heard.add(((CallIdHeader) event.getRequest().getHeader(CallIdHeader.NAME)).getCallId());
                        try {
                            self[0].provider().getNewServerTransaction(event.getRequest()).sendResponse(
                                    self[0].messageFactory().createResponse(200, event.getRequest()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }

                    @Override
                    public void processResponse(ResponseEvent event) {
                        heard.add(((CallIdHeader) event.getResponse().getHeader(CallIdHeader.NAME)).getCallId());
                    }
                });
        self[0] = server;
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void aRequestOfAnotherVersionIsAnswered505OverItsTlsConnectionAndNothingElseSeesIt() throws Exception {
        try (SSLSocket socket = tlsTo(server.tlsAddress())) {
            write(socket, options("badvers-tls", "SIP/7.0", "TLS", socket.getLocalPort())
                    + options("sentinel-tls", "SIP/2.0", "TLS", socket.getLocalPort()));

            List<String> answers = List.of(readMessage(socket.getInputStream()), readMessage(socket.getInputStream()));

            assertEquals("SIP/2.0 505", statusOf(answers, "badvers-tls"), answers.toString());
            assertEquals("SIP/2.0 200", statusOf(answers, "sentinel-tls"), answers.toString());
            assertEquals(List.of("sentinel-tls"), heardOf("-tls"));
        }
    }

    /** RFC 3261 8.2.6, 17.2.1: an ACK is never answered, not even with 505; its body does not upset the stream. */
    @Test
    void anAckOfAnotherVersionIsDroppedUnansweredOverTls() throws Exception {
        try (SSLSocket socket = tlsTo(server.tlsAddress())) {
            write(socket, ack("badack-tls", "SIP/3.0", "TLS", socket.getLocalPort())
                    + options("sentinel-ack-tls", "SIP/2.0", "TLS", socket.getLocalPort()));

            String answer = readMessage(socket.getInputStream());

            assertTrue(answer.startsWith("SIP/2.0 200") && answer.contains("sentinel-ack-tls"), answer);
            assertEquals(List.of("sentinel-ack-tls"), heardOf("ack-tls"));
        }
    }

    @Test
    void anAckOfAnotherVersionIsDroppedUnansweredOverThePlainTcpListener() throws Exception {
        InetSocketAddress plain = server.plainTcpAddress().orElseThrow();
        try (Socket socket = new Socket(plain.getAddress(), plain.getPort())) {
            socket.setSoTimeout(10_000);
            write(socket, ack("badack-tcp", "SIP/3.0", "TCP", socket.getLocalPort())
                    + options("sentinel-ack-tcp", "SIP/2.0", "TCP", socket.getLocalPort()));

            String answer = readMessage(socket.getInputStream());

            assertTrue(answer.startsWith("SIP/2.0 200") && answer.contains("sentinel-ack-tcp"), answer);
            assertEquals(List.of("sentinel-ack-tcp"), heardOf("ack-tcp"));
        }
    }

    @Test
    void aResponseOfAnotherVersionIsDropped() throws Exception {
        try (SSLSocket socket = tlsTo(server.tlsAddress())) {
            write(socket, "SIP/7.0 200 OK\r\n"
                    + "Via: SIP/2.0/TLS " + server.tlsAddress().getAddress().getHostAddress() + ":"
                    + server.tlsAddress().getPort() + ";branch=z9hG4bK-badresp\r\n"
                    + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\n"
                    + "Call-ID: badresp-tls\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
                    + options("sentinel-resp-tls", "SIP/2.0", "TLS", socket.getLocalPort()));

            String answer = readMessage(socket.getInputStream());

            assertTrue(answer.startsWith("SIP/2.0 200") && answer.contains("sentinel-resp-tls"), answer);
            assertEquals(List.of("sentinel-resp-tls"), heardOf("resp-tls"));
        }
    }

    @Test
    void aRequestOfAnotherVersionIsAnswered505OverThePlainTcpListener() throws Exception {
        InetSocketAddress plain = server.plainTcpAddress().orElseThrow();
        try (Socket socket = new Socket(plain.getAddress(), plain.getPort())) {
            socket.setSoTimeout(10_000);
            write(socket, options("badvers-tcp", "SIP/7.0", "TCP", socket.getLocalPort()));

            String answer = readMessage(socket.getInputStream());

            assertTrue(answer.startsWith("SIP/2.0 505") && answer.contains("badvers-tcp"), answer);
            assertEquals(List.of(), heardOf("-tcp"));
        }
    }

    /**
     * An agent's connection, JAIN-SIP's own blocking TLS transport: a "key server" of raw sockets sends the agent
     * a request of version 7.0 over the connection the agent opened.
     */
    @Test
    void anAgentAnswers505OverItsConnectionToItsKeyServer() throws Exception {
        Queue<String> agentHeard = new ConcurrentLinkedQueue<>();
        try (SSLServerSocket keyServer = (SSLServerSocket) pki.keyServer().serverContext().getServerSocketFactory()
                .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             SipEndpoint agent = SipEndpoint.start(SipEndpointConfig.builder().name("agent").listening(false)
                     .sslContext(pki.agent("sip:alice@example.com").clientContext("127.0.0.1"))
                     .outboundProxy(new InetSocketAddress("127.0.0.1", keyServer.getLocalPort())).build(),
                     new SipEvents() {
                         @Override
                         public void processRequest(RequestEvent event) {
                             agentHeard.add(event.getRequest().getMethod());
                         }

                         @Override
                         public void processResponse(ResponseEvent event) {
                         }
                     })) {
            keyServer.setNeedClientAuth(true);
            keyServer.setSoTimeout(10_000);
            java.util.concurrent.CompletableFuture<SSLSocket> accepted = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            SSLSocket s = (SSLSocket) keyServer.accept();
                            s.startHandshake();
                            return s;
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            SipEndpointTest.send(agent, "OPTIONS", "sips:example.com");
            try (SSLSocket flow = accepted.get(10, TimeUnit.SECONDS)) {
                flow.setSoTimeout(10_000);
                assertNotNull(readMessage(flow.getInputStream()), "the agent's OPTIONS");

                write(flow, options("badvers-agent", "SIP/7.0", "TLS", keyServer.getLocalPort()));
                String answer = readMessage(flow.getInputStream());
                while (!answer.contains("badvers-agent")) {
                    answer = readMessage(flow.getInputStream()); // the OPTIONS' retransmissions, if any
                }

                assertTrue(answer.startsWith("SIP/2.0 505"), answer);
                assertEquals(List.of(), List.copyOf(agentHeard));
            }
        }
    }

    private SSLSocket tlsTo(InetSocketAddress address) throws Exception {
        SSLSocket socket = (SSLSocket) pki.agent("sip:alice@example.com").clientContext("127.0.0.1")
                .getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** What the listener heard with {@code suffix}, once the endpoint has had the time it takes to answer. */
    private List<String> heardOf(String suffix) {
        return heard.stream().filter(id -> id.endsWith(suffix)).toList();
    }

    private static String options(String callId, String version, String transport, int localPort) {
        String local = "127.0.0.1:" + localPort;
        return "OPTIONS sip:example.com " + version + "\r\n"
                + "Via: SIP/2.0/" + transport + " " + local + ";branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@example.com>;tag=" + callId.hashCode() + "\r\n"
                + "To: <sip:example.com>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** An ACK with a body (a late offer's answer), which the stream must step over. */
    private static String ack(String callId, String version, String transport, int localPort) {
        String body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n";
        return "ACK sips:example.com " + version + "\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@example.com>;tag=" + callId.hashCode() + "\r\n"
                + "To: <sip:example.com>;tag=1\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 ACK\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String statusOf(List<String> messages, String callId) {
        for (String m : messages) {
            Matcher id = CALL_ID.matcher(m);
            if (id.find() && id.group(1).equals(callId)) {
                return m.substring(0, Math.min(11, m.length()));
            }
        }
        return "no answer";
    }

    /** The next whole message (keep-alive CRLFs skipped); fails on EOF or silence. */
    private static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed by the peer after: " + head.toString(StandardCharsets.ISO_8859_1));
                }
                if (head.size() == 0 && (b == '\r' || b == '\n')) {
                    continue;
                }
                head.write(b);
                if (System.nanoTime() > deadline) {
                    throw new IOException("no whole message within 10 s");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("silence after: " + head.toString(StandardCharsets.ISO_8859_1), e);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        Matcher length = LENGTH.matcher(text);
        int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return text + new String(in.readNBytes(body), StandardCharsets.ISO_8859_1);
    }
}
