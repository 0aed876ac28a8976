package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.CountingKeyManager;
import dev.siptls.provider.SipTlsProvider;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What JSSE applications rely on, on connections whose sessions were resumed with SIP-distributed SAs: plain
 * SSLSocket code between two SIP-TLS providers (client sip:alice, server sip:bob serving localhost), each with
 * its own agent registered at a real key server.
 */
@Timeout(120)
class JsseBehaviourTest {

    @TempDir
    static Path dir;
    private static Deployment deployment;
    private static SipTlsProvider serverSide;
    private static SipTlsProvider clientSide;
    private static CountingKeyManager serverKeys;
    private static SSLContext client;
    private static EchoServer lines;
    private static EchoServer bytes;

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.start(dir);
        int linesPort = Deployment.freePort();
        int bytesPort = Deployment.freePort();
        serverSide = deployment.provider("sip:bob@example.com",
                Map.of("serve", "localhost:" + linesPort + ",localhost:" + bytesPort));
        serverKeys = CountingKeyManager.wrap(Deployment.keyManagers(deployment.tlsServer()));
        SSLContext server = deployment.context(serverSide, new KeyManager[] {serverKeys});
        serverSide.assertHealthy(Deployment.REGISTRATION);
        lines = deployment.closing(EchoServer.start(server, linesPort, 64, EchoServer.LINES));
        bytes = deployment.closing(EchoServer.start(server, bytesPort, 4, EchoServer.BYTES));
        clientSide = deployment.provider("sip:alice@example.com", Map.of());
        client = deployment.context(clientSide, null);
        clientSide.assertHealthy(Deployment.REGISTRATION);
    }

    @AfterAll
    static void stop() {
        deployment.close();
    }

    @Test
    void handshakeCompletedListenerSeesTheSessionOfTheAssociation() throws Exception {
        CompletableFuture<HandshakeCompletedEvent> event = new CompletableFuture<>();
        try (SSLSocket socket = connect(lines)) {
            socket.addHandshakeCompletedListener(event::complete);
            assertEquals("echo: listener", exchange(socket, "listener"));

            HandshakeCompletedEvent completed = event.get(10, TimeUnit.SECONDS);

            SecurityAssociation sa = association(lines);
            assertEquals(sa.sessionIdHex(), HexFormat.of().formatHex(completed.getSession().getId()));
            assertEquals(sa.cipherSuite(), completed.getCipherSuite());
            assertEquals(deployment.tlsServer().certificate(), completed.getPeerCertificates()[0]);
            assertEquals(sa.sessionIdHex(), completed.getSession().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
            assertEquals(0, serverKeys.serverKeyRequests.get(), "the server did a full handshake");
        }
    }

    @Test
    void closeNotifyEndsTheServersStreamCleanly() throws Exception {
        drainEndings(lines);
        SSLSocket socket = connect(lines);
        assertEquals("echo: bye", exchange(socket, "bye"));

        socket.close();

        assertEquals(EchoServer.CLEAN_END, lines.nextEnding(), "the server read the close_notify as end of stream");
    }

    /**
     * TLS 1.2 has no half-close: a close_notify obliges the peer to answer with its own and close (RFC 5246
     * 7.2.1); TLS 1.3 has one, but Bouncy Castle's protocol closes both directions on close_notify. SIP-TLS
     * sockets say so, as BCJSSE's own do, by refusing {@code shutdownOutput()} rather than closing both directions
     * behind the application's back; the connection stays usable.
     */
    @Test
    void halfCloseIsRefusedAndLeavesTheConnectionUsable() throws Exception {
        try (SSLSocket socket = connect(lines)) {
            assertEquals("echo: before", exchange(socket, "before"));

            UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                    socket::shutdownOutput);

            assertTrue(refused.getMessage().contains("shutdownOutput"), refused.getMessage());
            assertEquals("echo: after", exchange(socket, "after"));
            assertEquals("TLSv1.3", socket.getSession().getProtocol(), "the TLS 1.3 PSK path");
        }
    }

    @Test
    void sixteenMebibytesTravelBothWaysIntact() throws Exception {
        byte[] payload = new byte[16 * 1024 * 1024];
        new Random(4475).nextBytes(payload);
        try (SSLSocket socket = connect(bytes)) {
            OutputStream out = socket.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int at = 0; at < payload.length; at += 100_000) {
                        out.write(payload, at, Math.min(100_000, payload.length - at));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] echoed = new byte[payload.length];
            new DataInputStream(socket.getInputStream()).readFully(echoed);
            writer.get(60, TimeUnit.SECONDS);

            assertArrayEquals(sha256(payload), sha256(echoed));
            assertEquals(association(bytes).sessionIdHex(), HexFormat.of().formatHex(socket.getSession().getId()));
        }
    }

    @Test
    void twoHundredConcurrentConnectionsAllResumeWithTheAssociation() throws Exception {
        try (SSLSocket first = connect(lines)) {
            assertEquals("echo: first", exchange(first, "first")); // the SA is there before the crowd comes
        }
        long resumedBefore = serverSide.statistics().getSipResumptionsAsServer();
        String expected = association(lines).sessionIdHex();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<String> ids = new CopyOnWriteArrayList<>();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                all.add(pool.submit(() -> {
                    try (SSLSocket socket = connect(lines)) {
                        assertEquals("echo: " + n, exchange(socket, String.valueOf(n)));
                        ids.add(HexFormat.of().formatHex(socket.getSession().getId()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }

        assertEquals(200, ids.size());
        assertTrue(ids.stream().allMatch(expected::equals), "every session is the SA's");
        assertEquals(0, serverKeys.serverKeyRequests.get(), "no full handshake on the server");
        assertTrue(Polling.until(() -> serverSide.statistics().getSipResumptionsAsServer() - resumedBefore >= 200,
                Duration.ofSeconds(10)), "server SIP resumptions: "
                + (serverSide.statistics().getSipResumptionsAsServer() - resumedBefore));
    }

    /**
     * Invalidating a session removes it from JSSE's cache, but not the SA it was built from: the SA is the key
     * server's grant and lives until it expires, so the next connection resumes with a fresh session built from
     * it. The invalidated session's own connection keeps working.
     */
    /**
     * As with any JSSE session, an invalidated one is not resumed again: the SA it was made from is forgotten, and
     * the next connection resumes with a fresh SA (new session ID, new master secret), still without a full
     * handshake; the connection it was used on goes on.
     */
    @Test
    void invalidatedSessionGivesWayToAFreshAssociation() throws Exception {
        try (SSLSocket first = connect(lines)) {
            assertEquals("echo: one", exchange(first, "one"));
            SSLSession invalidated = first.getSession();

            invalidated.invalidate();

            assertFalse(invalidated.isValid());
            assertEquals("echo: still", exchange(first, "still"));
            try (SSLSocket second = connect(lines)) {
                assertEquals("echo: two", exchange(second, "two"));
                SSLSession fresh = second.getSession();
                assertNotSame(invalidated, fresh);
                assertTrue(fresh.isValid());
                assertFalse(java.util.Arrays.equals(invalidated.getId(), fresh.getId()),
                        "the invalidated session's SA was resumed again");
                assertEquals(association(lines).sessionIdHex(), HexFormat.of().formatHex(fresh.getId()));
                assertEquals(0, serverKeys.serverKeyRequests.get(), "no full handshake after invalidation");
            }
        }
    }

    private static SSLSocket connect(EchoServer server) throws IOException {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", server.port());
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** The SA alice's agent holds for {@code server}. */
    private static SecurityAssociation association(EchoServer server) {
        return clientSide.associations().byPeer(new HostPort("localhost", server.port())).orElseThrow();
    }

    /** Writes a line and reads the answer byte by byte, so that no read-ahead swallows what comes next. */
    private static String exchange(SSLSocket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        StringBuilder answer = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            answer.append((char) c);
        }
        return answer.toString();
    }

    private static void drainEndings(EchoServer server) {
        // earlier tests' conversations may still be ending; only this test's connection counts
        while (true) {
            try {
                if (server.pollEnding() == null) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
