package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.OpenSslSession;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.provider.CountingKeyManager;
import dev.siptls.provider.SipTlsProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * TLS 1.3 SAs with a TLS peer nobody here wrote: OpenSSL, given a TLS 1.3 SA as an external PSK (the arguments
 * {@code sip-tls export-session} prints), makes a PSK handshake with (EC)DHE with a SIP-TLS peer in both roles.
 */
@Timeout(120)
class OpenSslPskInteropTest {

    private static final String SUITE = "TLS_AES_128_GCM_SHA256";

    @TempDir
    static Path dir;
    private static Deployment deployment;

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.start(dir);
    }

    @AfterAll
    static void stop() {
        deployment.close();
    }

    @Test
    void opensslClientMakesAPskHandshakeWithATls13SaAgainstAJavaServer() throws Exception {
        Tools.require(Tools.Tool.OPENSSL);
        int port = Deployment.freePort();
        SipTlsProvider serverSide = deployment.provider("sip:frank@example.com", Map.of("serve", "127.0.0.1:" + port));
        CountingKeyManager serverKeys = CountingKeyManager.wrap(Deployment.keyManagers(deployment.tlsServer()));
        SSLContext serverContext = deployment.context(serverSide, new KeyManager[] {serverKeys});
        serverSide.assertHealthy(Deployment.REGISTRATION);
        try (EchoServer server = EchoServer.start(serverContext, port, 4, EchoServer.LINES)) {
            SipTlsAgent client = deployment.agent("sip:grace@example.com", SecurityPolicy.builder()
                    .protocolVersions(List.of("TLSv1.3")).cipherSuite(SUITE).build());
            SecurityAssociation sa = client.requestAssociation("127.0.0.1:" + port).get(10, TimeUnit.SECONDS);
            assertTrue(sa.isTls13(), sa.toString());

            List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
            command.addAll(OpenSslSession.pskArguments(sa));
            String output;
            try (ExternalProcess openssl = ExternalProcess.start(command)) {
                openssl.write("hello over a PSK\n");
                boolean answered = openssl.awaitOutput(o -> o.contains("echo: hello over a PSK"),
                        Duration.ofSeconds(20));
                openssl.closeInput();
                openssl.awaitExit(Duration.ofSeconds(10));
                output = openssl.output();
                assertTrue(answered, "no answer from the Java server:\n" + output);
            }
            SSLSession serverSession = server.nextSession();

            assertTrue(output.contains("Reused, TLSv1.3, Cipher is " + SUITE), output);
            assertEquals("TLSv1.3", serverSession.getProtocol());
            assertEquals(sa.sessionIdHex(), serverSession.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
            assertEquals(0, serverKeys.serverKeyRequests.get(), "the Java server did a full handshake");
            assertTrue(Polling.until(() -> serverSide.statistics().getSipTls13HandshakesAsServer() == 1,
                    Duration.ofSeconds(5)), "TLS 1.3 PSK handshakes: "
                    + serverSide.statistics().getSipTls13HandshakesAsServer());
            assertEquals(0, serverSide.statistics().getFullHandshakesAsServer());
        }
    }

    /**
     * The Java client's first connection gets the SA (a Java server takes it); then {@code openssl s_server}, given
     * the server agent's copy of the SA, stands in for the Java server, and the client's next connection makes a PSK
     * handshake with it.
     */
    @Test
    void javaClientMakesAPskHandshakeWithOpensslServerGivenTheSa() throws Exception {
        Tools.require(Tools.Tool.OPENSSL);
        int port = Deployment.freePort();
        SipTlsProvider serverSide = deployment.provider("sip:heidi@example.com", Map.of("serve", "127.0.0.1:" + port));
        SSLContext serverContext = deployment.context(serverSide, Deployment.keyManagers(deployment.tlsServer()));
        SipTlsProvider clientSide = deployment.provider("sip:ivan@example.com", Map.of());
        SSLContext client = deployment.context(clientSide, null);
        serverSide.assertHealthy(Deployment.REGISTRATION);
        clientSide.assertHealthy(Deployment.REGISTRATION);
        try (EchoServer server = EchoServer.start(serverContext, port, 4, EchoServer.LINES)) {
            exchange(client, port, "first");
            server.nextSession();
        }
        SecurityAssociation sa = clientSide.associations().byPeer(new HostPort("127.0.0.1", port)).orElseThrow();
        assertTrue(sa.isTls13(), sa.toString());
        SecurityAssociation serverCopy = serverSide.associations().bySessionId(sa.sessionId()).orElseThrow();

        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-nocert", "-rev"));
        command.addAll(OpenSslSession.pskArguments(serverCopy));
        try (ExternalProcess openssl = ExternalProcess.start(command)) {
            assertTrue(openssl.awaitOutput(o -> o.contains("ACCEPT"), Duration.ofSeconds(20)), openssl.output());
            Exchanged second = exchange(client, port, "siptls");

            assertEquals("sltpis", second.answer(), "s_server -rev answers each line reversed");
            assertEquals("TLSv1.3", second.session().getProtocol());
            assertEquals(SUITE, second.session().getCipherSuite());
            assertEquals(sa.sessionIdHex(), second.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
        }
        assertTrue(Polling.until(() -> clientSide.statistics().getSipTls13HandshakesAsClient() == 2,
                Duration.ofSeconds(5)), "TLS 1.3 PSK handshakes: "
                + clientSide.statistics().getSipTls13HandshakesAsClient());
        assertEquals(0, clientSide.statistics().getFullHandshakesAsClient());
        assertEquals(1, clientSide.statistics().getAssociationRequests());
    }

    private record Exchanged(String answer, SSLSession session) {
    }

    /** One line over a new connection of {@code client}'s socket factory; the answer and the session. */
    private static Exchanged exchange(SSLContext client, int port, String line) throws Exception {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return new Exchanged(answer, socket.getSession());
        }
    }
}
