package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The PSK engines against OpenSSL over loopback sockets, both ways: {@code s_client -psk} resumes ("Reused,
 * TLSv1.3") against our server engine, and our client engine completes against {@code s_server -nocert -psk}.
 *
 * <p>OpenSSL's {@code -psk} always makes a SHA-256 PSK (its session is TLS_AES_128_GCM_SHA256), so a SHA-384 PSK
 * is given to OpenSSL as {@code -psk_session}: an {@code SSL_SESSION} with TLS 1.3, the suite and the PSK as
 * its master key. With {@code -psk} and only TLS_AES_256_GCM_SHA384, OpenSSL fails even against itself.
 */
class PskOpenSslInteropTest {

    private static final String IDENTITY = new String(PskEnginePair.IDENTITY, StandardCharsets.US_ASCII);
    /** What {@code -msg} prints for a KeyUpdate received: our engine's answer to OpenSSL's. */
    private static final String PEER_KEY_UPDATE = "<<< TLS 1.3, Handshake \\[length 0005\\], KeyUpdate";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @BeforeAll
    static void needsOpenSsl() {
        boolean present;
        try {
            present = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        assumeTrue(present, "openssl is not on PATH (.ci/run installs it): OpenSSL interop not tested");
    }

    @TempDir
    Path directory;

    @ParameterizedTest
    @CsvSource({"TLS_AES_128_GCM_SHA256, 32", "TLS_AES_256_GCM_SHA384, 48"})
    void opensslClientResumesWithOurServerEngine(String suite, int keyLength) throws Exception {
        byte[] key = PskEnginePair.randomKey(keyLength);
        SSLParameters parameters = new SSLParameters();
        parameters.setApplicationProtocols(new String[] {"sip", "h2"});
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, suite), parameters);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            List<String> command = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port, "-tls1_3",
                    "-psk_identity", IDENTITY, "-ciphersuites", suite, "-servername", "sip.example.org",
                    "-alpn", "h2,sip", "-msg"));
            command.addAll(pskArguments(key, suite));
            OpenSsl client = OpenSsl.start(command);
            try (SocketChannel channel = listener.accept()) {
                EngineChannel engine = new EngineChannel(server, channel);
                engine.handshake();
                client.send("hello from openssl\n");
                assertEquals("hello from openssl\n", readLine(engine));
                engine.write("hello from java\n".getBytes(StandardCharsets.US_ASCII));
                client.awaitOutput("hello from java");
                // "K": s_client sends a KeyUpdate asking for ours; data both ways under the new keys.
                client.send("K\n");
                client.awaitOutput("KEYUPDATE");
                client.send("after the key update\n");
                assertEquals("after the key update\n", readLine(engine));
                engine.write("ours too\n".getBytes(StandardCharsets.US_ASCII));
                client.awaitOutput("ours too");
                client.awaitOutput(PEER_KEY_UPDATE);
            } finally {
                client.stop();
            }
            String output = client.output();
            assertTrue(output.contains("Reused, TLSv1.3, Cipher is " + suite), output);
            assertTrue(output.contains("ALPN protocol: sip"), output);
            assertEquals("sip", server.getApplicationProtocol());
            assertEquals(List.of(new SNIHostName("sip.example.org")),
                    ((ExtendedSSLSession) server.getSession()).getRequestedServerNames());
        }
    }

    /** s_client's first key share is P-521, which the engine does not take: a HelloRetryRequest, then x25519. */
    @Test
    void opensslClientCompletesAfterAHelloRetryRequest() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        String suite = "TLS_AES_128_GCM_SHA256";
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, suite), null);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            OpenSsl client = OpenSsl.start(List.of("s_client", "-connect", "127.0.0.1:" + port, "-tls1_3",
                    "-psk_identity", IDENTITY, "-psk", HexFormat.of().formatHex(key), "-ciphersuites", suite,
                    "-groups", "P-521:X25519", "-msg"));
            try (SocketChannel channel = listener.accept()) {
                EngineChannel engine = new EngineChannel(server, channel);
                engine.handshake();
                client.send("after a retry\n");
                assertEquals("after a retry\n", readLine(engine));
            } finally {
                client.stop();
            }
            String output = client.output();
            assertTrue(output.contains("Reused, TLSv1.3, Cipher is " + suite), output);
            assertEquals(2, output.lines().filter(line -> line.matches("<<< TLS 1.3, Handshake .*, ServerHello"))
                    .count(), "a HelloRetryRequest (a ServerHello) before the ServerHello:\n" + output);
        }
    }

    @ParameterizedTest
    @CsvSource({"TLS_AES_128_GCM_SHA256, 32", "TLS_AES_256_GCM_SHA384, 48"})
    void ourClientEngineCompletesAgainstOpensslServer(String suite, int keyLength) throws Exception {
        byte[] key = PskEnginePair.randomKey(keyLength);
        // s_server ends when its input ends, so its stdin stays open until the test is done.
        List<String> command = new ArrayList<>(List.of("s_server", "-tls1_3", "-nocert", "-psk_identity", IDENTITY,
                "-ciphersuites", suite, "-accept", "127.0.0.1:0", "-naccept", "1", "-msg"));
        command.addAll(pskArguments(key, suite));
        OpenSsl server = OpenSsl.start(command);
        try {
            Matcher accept = server.awaitOutput("ACCEPT 127\\.0\\.0\\.1:(\\d+)");
            Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, suite), null);
            try (SocketChannel channel = SocketChannel.open(
                    new InetSocketAddress("127.0.0.1", Integer.parseInt(accept.group(1))))) {
                EngineChannel engine = new EngineChannel(client, channel);
                engine.handshake();
                assertEquals("TLSv1.3", client.getSession().getProtocol());
                assertEquals(suite, client.getSession().getCipherSuite());
                engine.write("hello from java\n".getBytes(StandardCharsets.US_ASCII));
                server.awaitOutput("hello from java");
                server.send("hello from openssl\n");
                assertEquals("hello from openssl\n", readLine(engine));
                // s_server sent a NewSessionTicket after the handshake, which the engine passed over; now "K":
                // a KeyUpdate asking for ours, and data both ways under the new keys.
                server.send("K\n");
                server.awaitOutput(">>> TLS 1.3, Handshake \\[length 0005\\], KeyUpdate");
                server.send("after the key update\n");
                assertEquals("after the key update\n", readLine(engine));
                engine.write("ours too\n".getBytes(StandardCharsets.US_ASCII));
                server.awaitOutput("ours too");
                server.awaitOutput(PEER_KEY_UPDATE);
            }
            server.awaitOutput("CIPHER is " + suite);
        } finally {
            server.stop();
        }
    }

    /** {@code -psk HEX} for a SHA-256 PSK, else {@code -psk_session FILE}. */
    private List<String> pskArguments(byte[] key, String suite) throws IOException {
        if (key.length == 32) {
            return List.of("-psk", HexFormat.of().formatHex(key));
        }
        Path file = directory.resolve("psk-session.pem");
        Files.writeString(file, OpenSslPskSession.pem(key, Tls13Suite.named(suite).orElseThrow().code()));
        return List.of("-psk_session", file.toString());
    }

    private static String readLine(EngineChannel engine) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.indexOf("\n") < 0) {
            line.append(new String(engine.read(), StandardCharsets.US_ASCII));
        }
        return line.toString();
    }

    /** An openssl process whose output is collected line by line, and whose input stays open until stopped. */
    private static final class OpenSsl {
        private final Process process;
        private final OutputStream input;
        private final List<String> lines = new ArrayList<>();

        private OpenSsl(Process process) {
            this.process = process;
            this.input = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "openssl output");
            reader.setDaemon(true);
            reader.start();
        }

        static OpenSsl start(List<String> args) throws IOException {
            List<String> command = new ArrayList<>(List.of("openssl"));
            command.addAll(args);
            return new OpenSsl(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        void send(String text) throws IOException {
            input.write(text.getBytes(StandardCharsets.US_ASCII));
            input.flush();
        }

        /** Waits for a line matching {@code regex}; fails with the output so far if none comes. */
        Matcher awaitOutput(String regex) throws InterruptedException {
            Pattern pattern = Pattern.compile(".*" + regex + ".*");
            Instant deadline = Instant.now().plus(PATIENCE);
            synchronized (lines) {
                for (int seen = 0; ; ) {
                    for (; seen < lines.size(); seen++) {
                        Matcher matcher = pattern.matcher(lines.get(seen));
                        if (matcher.matches()) {
                            return matcher;
                        }
                    }
                    long left = Duration.between(Instant.now(), deadline).toMillis();
                    if (left <= 0) {
                        throw new AssertionError("openssl never printed " + regex + ":\n" + String.join("\n", lines));
                    }
                    lines.wait(left);
                }
            }
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        void stop() throws Exception {
            input.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            // Let the reader take in the last lines.
            Thread.sleep(0);
        }
    }
}
