package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.OpenSslSession;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.CountingKeyManager;
import dev.siptls.provider.SipTlsProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Phase 3 with a TLS peer nobody here wrote: OpenSSL's {@code s_client}, given the SA the key server handed
 * to a Java client agent (written as an OpenSSL session), resumes against a Java SIP-TLS server whose agent
 * received the same SA over SIP.
 */
@Timeout(120)
class OpenSslInteropTest {

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

    /**
     * With {@code -connect 127.0.0.1:port} s_client sends no SNI (an IP literal is no host name); with
     * {@code -servername localhost} it does, and the SIP-TLS server resumes an SA only for the SNI host it was
     * issued for: so the SA is requested for the host s_client names.
     */
    @ParameterizedTest(name = "s_client {0}")
    @ValueSource(strings = {"-noservername", "-servername localhost"})
    void opensslClientResumesWithTheDistributedAssociationAgainstAJavaServer(String sni) throws Exception {
        Tools.require(Tools.Tool.OPENSSL);
        int port = Deployment.freePort();
        SipTlsProvider serverSide = deployment.provider("sip:bob" + sni.length() + "@example.com",
                Map.of("serve", "127.0.0.1:" + port + ",localhost:" + port));
        CountingKeyManager serverKeys = CountingKeyManager.wrap(Deployment.keyManagers(deployment.tlsServer()));
        SSLContext serverContext = deployment.context(serverSide, new KeyManager[] {serverKeys});
        serverSide.assertHealthy(Deployment.REGISTRATION);
        try (EchoServer server = EchoServer.start(serverContext, port, 4, EchoServer.LINES)) {
            SipTlsAgent client = deployment.agent("sip:alice" + sni.length() + "@example.com", Deployment.clientPolicy());
            String host = sni.startsWith("-servername ") ? sni.substring("-servername ".length()) : "127.0.0.1";
            SecurityAssociation sa = client.requestAssociation(host + ":" + port).get(10, TimeUnit.SECONDS);
            Path session = dir.resolve("alice-to-bob" + sni.length() + ".pem");
            OpenSslSession.writePem(sa, session);

            String output;
            List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-tls1_2",
                    "-connect", "127.0.0.1:" + port, "-sess_in", session.toString()));
            command.addAll(List.of(sni.split(" ")));
            try (ExternalProcess openssl = ExternalProcess.start(command)) {
                openssl.write("hello from openssl\n");
                boolean answered = openssl.awaitOutput(o -> o.contains("echo: hello from openssl"),
                        Duration.ofSeconds(20));
                openssl.closeInput();
                openssl.awaitExit(Duration.ofSeconds(10));
                output = openssl.output();
                System.out.println(String.join(" ", command) + ":\n" + withoutSecrets(output));
                assertTrue(answered, "no answer from the Java server:\n" + withoutSecrets(output));
            }
            SSLSession serverSession = server.nextSession();

            String shown = withoutSecrets(output);
            assertTrue(output.contains("Reused, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"), shown);
            assertTrue(output.contains("Extended master secret: yes"), shown);
            assertTrue(output.contains("Session-ID: " + sa.sessionIdHex().toUpperCase(Locale.ROOT)), shown);
            assertEquals(sa.sessionIdHex(), HexFormat.of().formatHex(serverSession.getId()));
            assertEquals(sa.sessionIdHex(), serverSession.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
            assertEquals(0, serverKeys.serverKeyRequests.get(), "the Java server did a full handshake");
            assertTrue(Polling.until(() -> serverSide.statistics().getSipResumptionsAsServer() == 1,
                    Duration.ofSeconds(5)), "provider counters: " + serverSide.statistics().getSipResumptionsAsServer());
            assertEquals(0, serverSide.statistics().getFullHandshakesAsServer());
        }
    }

    @Test
    void opensslClientWithoutSessionIsServedByAFullHandshake() throws Exception {
        Tools.require(Tools.Tool.OPENSSL);
        int port = Deployment.freePort();
        SipTlsProvider serverSide = deployment.provider("sip:dave@example.com", Map.of("serve", "127.0.0.1:" + port));
        CountingKeyManager serverKeys = CountingKeyManager.wrap(Deployment.keyManagers(deployment.tlsServer()));
        SSLContext serverContext = deployment.context(serverSide, new KeyManager[] {serverKeys});
        serverSide.assertHealthy(Deployment.REGISTRATION);
        try (EchoServer server = EchoServer.start(serverContext, port, 4, EchoServer.LINES);
             ExternalProcess openssl = ExternalProcess.start(List.of("openssl", "s_client", "-tls1_2",
                     "-connect", "127.0.0.1:" + port, "-CAfile", deployment.caPem().toString()))) {
            openssl.write("no SIP here\n");
            boolean answered = openssl.awaitOutput(o -> o.contains("echo: no SIP here"), Duration.ofSeconds(20));
            openssl.closeInput();
            openssl.awaitExit(Duration.ofSeconds(10));
            String output = withoutSecrets(openssl.output());
            server.nextSession();

            assertTrue(answered, output);
            assertTrue(output.contains("New, TLSv1.2"), output);
            assertTrue(output.contains("Verify return code: 0 (ok)"), output);
            assertTrue(serverKeys.serverKeyRequests.get() > 0, "a full handshake asks the key manager");
            assertTrue(Polling.until(() -> serverSide.statistics().getFallbacksByReason()
                    .getOrDefault("client-offered-none", 0L) == 1, Duration.ofSeconds(5)),
                    "fallbacks: " + serverSide.statistics().getFallbacksByReason());
        }
    }

    /**
     * The reverse direction, Java SIP-TLS client against {@code openssl s_server}, cannot resume: s_server has
     * no way to load a TLS 1.2 session into its cache. It reads sessions only with {@code -psk_session}, and
     * only consults that file for TLS 1.3 external PSKs (its psk_find_session callback), never for a TLS 1.2
     * ClientHello's session id ({@code -sess_in}/{@code -sess_out} exist only in s_client). So the honest test
     * is that the SIP-TLS client, offering the SA the key server gave it, is answered with a full handshake,
     * completes it, and counts the fallback as "association-not-resumed".
     */
    @Test
    void javaClientFallsBackToAFullHandshakeWithOpensslServerWhichCannotLoadASession() throws Exception {
        Tools.require(Tools.Tool.OPENSSL);
        int port = Deployment.freePort();
        // the agent beside s_server: it registers the binding and accepts SAs s_server itself cannot use
        SipTlsProvider serverAgent = deployment.provider("sip:carol@example.com", Map.of("serve", "127.0.0.1:" + port));
        deployment.context(serverAgent, Deployment.keyManagers(deployment.tlsServer()));
        serverAgent.assertHealthy(Deployment.REGISTRATION);
        Path cert = dir.resolve("s_server-chain.pem");
        Path key = dir.resolve("s_server-key.pem");
        java.nio.file.Files.writeString(cert, Pem.chain(deployment.tlsServer().chain()));
        java.nio.file.Files.writeString(key, Pem.privateKey(deployment.tlsServer().privateKey()));
        SipTlsProvider clientSide = deployment.provider("sip:erin@example.com", Map.of());
        SSLContext client = deployment.context(clientSide, null);
        clientSide.assertHealthy(Deployment.REGISTRATION);

        try (ExternalProcess openssl = ExternalProcess.start(List.of("openssl", "s_server", "-tls1_2", "-rev",
                "-accept", "127.0.0.1:" + port, "-cert", cert.toString(), "-key", key.toString()))) {
            assertTrue(openssl.awaitOutput(o -> o.contains("ACCEPT"), Duration.ofSeconds(20)), openssl.output());
            String answer;
            SSLSession session;
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) client.getSocketFactory()
                    .createSocket("127.0.0.1", port)) {
                socket.getOutputStream().write("siptls\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                answer = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
                session = socket.getSession();
            }
            assertEquals("sltpis", answer, "s_server -rev answers each line reversed");
            assertEquals(null, session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                    "s_server cannot have resumed the SA");
            assertTrue(clientSide.associations().byPeer(new dev.siptls.protocol.HostPort("127.0.0.1", port)).isEmpty(),
                    "the SA s_server did not resume is forgotten");
            assertTrue(Polling.until(() -> clientSide.statistics().getFullHandshakesAsClient() == 1,
                    Duration.ofSeconds(5)), "full handshakes: " + clientSide.statistics().getFullHandshakesAsClient());
            assertEquals(Map.of("association-not-resumed", 1L), clientSide.statistics().getFallbacksByReason(),
                    "the SA was offered and the server answered with a full handshake");
        }
    }

    /** s_client prints the session's master key: never into a test log. */
    private static String withoutSecrets(String output) {
        return output.lines().map(l -> l.strip().startsWith("Master-Key:") ? "    Master-Key: (removed)" : l)
                .collect(java.util.stream.Collectors.joining("\n"));
    }
}
