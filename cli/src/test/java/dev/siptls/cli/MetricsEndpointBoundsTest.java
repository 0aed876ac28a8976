package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.siptls.server.KeyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The metrics port under sockets that never finish their request: health still answers, the connections held stay
 * within the limit, a request is closed at its deadline, an oversized head is refused. One real key server for all;
 * each test its own endpoint with the bounds it needs.
 */
class MetricsEndpointBoundsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Generous: how long a client waits for what must come (an answer, a close). */
    private static final int PATIENCE_MS = 10_000;

    @TempDir
    static Path dataDir;
    private static KeyServer server;

    @BeforeAll
    static void startKeyServer() throws Exception {
        CommandLine.ParseResult parsed = SipTlsCommand.commandLine()
                .parseArgs("server", "--port", "0", "--data-dir", dataDir.toString());
        server = ((ServerCommand) parsed.subcommand().commandSpec().userObject())
                .start(new PrintWriter(new StringWriter()));
    }

    @AfterAll
    static void stopKeyServer() {
        server.close();
    }

    @Test
    void healthAnswersWhileFiftySocketsHoldHalfSentRequests() throws Exception {
        // a deadline far off: what lets health in is the limit, not the deadline
        try (MetricsEndpoint endpoint = endpoint(16, Duration.ofSeconds(60))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    held.add(halfSent(endpoint));
                }
                HttpClient http = HttpClient.newHttpClient();
                HttpRequest live = HttpRequest.newBuilder(URI.create(base(endpoint) + "/health/live")).build();

                HttpResponse<String> answer = assertTimeoutPreemptively(Duration.ofMillis(PATIENCE_MS),
                        () -> http.send(live, HttpResponse.BodyHandlers.ofString()));

                assertEquals(200, answer.statusCode());
                assertTrue(endpoint.openConnections() <= 16, endpoint.openConnections() + " open");
                for (Socket oldest : held.subList(0, 50 - 16)) {
                    assertClosedByServer(oldest);
                }
                Socket newest = held.get(held.size() - 1);
                newest.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, () -> newest.getInputStream().read(),
                        "the newest is still open: only the oldest make room");
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aRequestThatNeverEndsIsClosedAtItsDeadline() throws Exception {
        try (MetricsEndpoint endpoint = endpoint(16, Duration.ofSeconds(1));
             Socket silent = halfSent(endpoint);
             Socket trickling = halfSent(endpoint)) {
            // a header line every 200 ms: each read is quick, the request never ends
            trickling.setSoTimeout(200);
            long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
            while (open(trickling)) {
                assertTrue(System.nanoTime() < giveUp, "a trickled request still open after " + PATIENCE_MS + " ms");
            }
            assertClosedByServer(silent);
        }
    }

    @Test
    void anOversizedRequestHeadIsAnswered431AndClosed() throws Exception {
        try (MetricsEndpoint endpoint = endpoint(16, Duration.ofSeconds(60));
             Socket s = new Socket(LOOPBACK, endpoint.address().getPort())) {
            String big = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n";
            s.getOutputStream().write(big.getBytes(StandardCharsets.US_ASCII));

            String answer = readToEnd(s);

            assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
        }
    }

    @Test
    void answersOneRequestPerConnectionAndClosesIt() throws Exception {
        try (MetricsEndpoint endpoint = endpoint(16, Duration.ofSeconds(60));
             Socket s = new Socket(LOOPBACK, endpoint.address().getPort())) {
            s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));

            String answer = readToEnd(s);

            assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
            assertTrue(answer.contains("\r\nConnection: close\r\n"), answer);
            assertTrue(answer.endsWith("\r\n\r\nUP " + server.liveness().detail() + "\n"), answer);
        }
    }

    private static MetricsEndpoint endpoint(int maxConnections, Duration deadline) throws Exception {
        MetricsEndpoint endpoint = MetricsEndpoint.bind(new InetSocketAddress(LOOPBACK, 0), maxConnections, deadline);
        endpoint.serve(server);
        return endpoint;
    }

    private static String base(MetricsEndpoint endpoint) {
        return "http://" + MetricsEndpoint.hostPort(endpoint.address());
    }

    /** A connection that sent a request line and then nothing. */
    private static Socket halfSent(MetricsEndpoint endpoint) throws IOException {
        Socket s = new Socket(LOOPBACK, endpoint.address().getPort());
        s.getOutputStream().write("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** Sends one more header line; false once the server closed the connection. */
    private static boolean open(Socket s) {
        try {
            s.getOutputStream().write("X-Trickle: 1\r\n".getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().read() >= 0;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false; // reset: closed with the trickle unread
        }
    }

    private static void assertClosedByServer(Socket s) throws IOException {
        s.setSoTimeout(PATIENCE_MS);
        try {
            assertEquals(-1, s.getInputStream().read(), "nothing but the close");
        } catch (SocketTimeoutException e) {
            fail("still open after " + PATIENCE_MS + " ms");
        } catch (IOException e) {
            // reset: closed too
        }
    }

    private static String readToEnd(Socket s) throws IOException {
        s.setSoTimeout(PATIENCE_MS);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }
}
