package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sip-tls check} against a real key server (demo credentials) and files written here, as an operator
 * would write them. The cases that depend on what the JDK itself loads run the check in a child JVM started with
 * {@code -Djava.security.properties}, as the application would be.
 */
class CheckCommandTest {

    @TempDir
    static Path demo;
    @TempDir
    Path dir;

    private static KeyServer server;
    private static String password;
    /** The first number after the JDK's own providers. */
    private static int next;

    @BeforeAll
    static void startKeyServer() throws Exception {
        var parsed = SipTlsCommand.commandLine().parseArgs("server", "--port", "0", "--data-dir", demo.toString());
        server = ((ServerCommand) parsed.subcommand().commandSpec().userObject()).start(new PrintWriter(new StringWriter()));
        password = Files.readString(demo.resolve("password")).strip();
        Properties jdk = new Properties();
        try (InputStream in = Files.newInputStream(JavaSecurityFiles.jdkFile(Path.of(System.getProperty("java.home"))))) {
            jdk.load(in);
        }
        next = 1;
        while (jdk.getProperty("security.provider." + next) != null) {
            next++;
        }
    }

    @AfterAll
    static void stopKeyServer() {
        server.close();
    }

    @Test
    void reportsAnInstalledWorkingProviderAtItsPositionAndExitsZero() throws Exception {
        Path properties = properties(dir, "");
        Path fragment = fragment("security.provider." + next + "=SipTls " + properties);

        Result result = inChildJvm(fragment);

        assertEquals(0, result.exit(), result.out());
        assertTrue(result.out().contains("ok    SipTls is provider " + next + " of " + next), result.out());
        assertTrue(result.out().contains("agrees: Security.getProvider(\"SipTls\") is provider " + next + ", configured"),
                result.out());
        assertTrue(result.out().contains("registered as sip:alice@example.com and its policy was accepted"),
                result.out());
        assertTrue(result.out().contains("the BCJSSE session bridge fits"), result.out());
        assertTrue(result.out().contains("sip-tls check: all "), result.out());
        assertFalse(result.out().contains(password), "the check printed a password");
    }

    @Test
    void namesTheGapAfterWhichTheJdkReadsNoProviderAndTheJdkAgrees() throws Exception {
        int beyond = next + 1;
        Path properties = properties(dir, "");
        Path fragment = fragment("security.provider." + beyond + "=SipTls " + properties);

        Result result = inChildJvm(fragment);

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("FAIL  security.provider." + beyond + " is ignored: the JDK stops reading at"
                + " the gap at " + next + "; number it " + next), result.out());
        // the JDK of the child JVM, started with that file, really has no SipTls
        assertTrue(result.out().contains("info  this JVM (-Djava.security.properties=" + fragment + ") agrees that"
                + " SipTls is absent: Security.getProvider(\"SipTls\") is null"), result.out());
        assertFalse(result.out().contains("ok    this JVM"), "no ok for a provider that is missing: " + result.out());
        // the file named past the gap is still checked
        assertTrue(result.out().contains("registered as sip:alice@example.com"), result.out());
    }

    @Test
    void namesAnUnknownKeyAndTheFileItIsIn() throws Exception {
        Path properties = properties(dir, "keyStorPassword=typo\n");
        Path fragment = fragment("security.provider." + next + "=SipTls " + properties);

        Result result = check("--java-security", fragment.toString());

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("FAIL  " + properties + ": unknown SIP-TLS configuration key(s)"
                + " [keyStorPassword]"), result.out());
        assertTrue(result.out().contains("ok    SipTls is provider " + next), result.out());
        assertTrue(result.out().contains("skip  key server and registration"), result.out());
    }

    @Test
    void namesAMissingKeyStore() throws Exception {
        Path properties = properties(dir, "").resolveSibling("missing.properties");
        Files.writeString(properties, Files.readString(properties(dir, "")).replace(
                demo.resolve("alice@example.com.p12").toString(), dir.resolve("gone.p12").toString()));

        Result result = check("--properties", properties.toString());

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("'keyStore' cannot load PKCS12 key store " + dir.resolve("gone.p12")),
                result.out());
        assertFalse(result.out().contains("\tat "), "a stack trace without --verbose: " + result.out());
    }

    @Test
    void namesTheAddressOfAKeyServerThatDoesNotListen() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Path properties = properties(dir, "").resolveSibling("down.properties");
        Files.writeString(properties, Files.readString(properties(dir, ""))
                .replace("keyServer=127.0.0.1:" + server.address().getPort(), "keyServer=127.0.0.1:" + closed));

        Result result = check("--properties", properties.toString());

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("FAIL  key server 127.0.0.1:" + closed + ": connection refused"), result.out());
        assertTrue(result.out().contains("skip  registration: no key server answered"), result.out());
    }

    @Test
    void saysTheKeyServerRefusedACertificateFromAnotherCa() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("Another CA");
        Path stranger = dir.resolve("stranger.p12");
        KeyStore keys = other.issue("alice", List.of("sip:alice@example.com"), CertificateAuthority.KeyType.EC_P256,
                password.toCharArray());
        CertificateAuthority.write(keys, stranger, password.toCharArray());
        Path properties = dir.resolve("stranger.properties");
        Files.writeString(properties, Files.readString(properties(dir, ""))
                .replace(demo.resolve("alice@example.com.p12").toString(), stranger.toString()));

        Result result = check("--properties", properties.toString());

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("the key server refused this agent's certificate"), result.out());
    }

    @Test
    void saysItDoesNotTrustAKeyServerOfAnotherCa() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("Another CA");
        Path trust = dir.resolve("other-trust.p12");
        CertificateAuthority.write(other.trustStore(), trust, password.toCharArray());
        Path properties = dir.resolve("distrust.properties");
        Files.writeString(properties, Files.readString(properties(dir, ""))
                .replace(demo.resolve("truststore.p12").toString(), trust.toString()));

        Result result = check("--properties", properties.toString());

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("this agent does not trust the key server's certificate"), result.out());
    }

    /**
     * Run on the configuration of an application that is running, check asks the key server (a REGISTER without
     * Contact) and registers nothing: a registration of its own would take the application's over.
     */
    @Test
    void leavesTheRegistrationOfARunningApplicationWithTheSameConfigurationAlone() throws Exception {
        Path properties = properties(dir, "");
        SipTlsProvider running = (SipTlsProvider) new SipTlsProvider().configure(properties.toString());
        try {
            running.start();
            try {
                running.assertHealthy(Duration.ofSeconds(10));
            } catch (IllegalStateException e) {
                // the session bridge is not what this test is about: the registration below is
            }
            assertEquals(RegistrationState.REGISTERED, running.health().registration());
            long created = server.statistics().getTotalRegistrations();
            long refreshed = server.statistics().getRefreshedRegistrations();
            long current = server.statistics().getCurrentRegistrations();

            Path fragment = fragment("security.provider." + next + "=SipTls " + properties);

            Result result = inChildJvm(fragment);

            assertEquals(0, result.exit(), result.out());
            assertTrue(result.out().contains("accepted this agent's certificate as proof of sip:alice@example.com"),
                    result.out());
            assertTrue(result.out().contains("sip:alice@example.com is registered now from 127.0.0.1:"), result.out());
            assertTrue(result.out().contains("check did not register itself"), result.out());
            assertTrue(result.out().contains("the policy was not checked"), result.out());
            assertFalse(result.out().contains("the provider's agent registered as"), result.out());
            // the key server's registration is still the running agent's: nothing registered, moved or removed
            assertEquals(created, server.statistics().getTotalRegistrations());
            assertEquals(refreshed, server.statistics().getRefreshedRegistrations(), "a takeover counts as a refresh");
            assertEquals(current, server.statistics().getCurrentRegistrations());
            assertEquals(RegistrationState.REGISTERED, running.health().registration());
            assertTrue(check("--properties", properties.toString()).out().contains("is registered now from 127.0.0.1:"),
                    "a second check still finds the running application registered");
        } finally {
            running.close();
        }
    }

    /**
     * A fake key server (it holds a certificate the agents' CA issued for the key server's name) answers with
     * terminal escape sequences in its reason phrase and in the node name of its Contact: check prints them as
     * escapes, so they cannot recolour or rewrite the lines on the operator's terminal.
     */
    @Test
    void printsNoEscapeSequenceAFakeKeyServerSent() throws Exception {
        char[] pw = password.toCharArray();
        SSLContext context = TlsIdentity.fromPkcs12(demo.resolve("keyserver.p12"), pw, demo.resolve("truststore.p12"),
                pw).serverContext();
        try (SSLServerSocket fake = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            fake.setNeedClientAuth(true);
            fake.setSoTimeout(30_000);
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
                try (SSLSocket peer = (SSLSocket) fake.accept()) {
                    peer.setSoTimeout(30_000);
                    InputStream in = peer.getInputStream();
                    OutputStream out = peer.getOutputStream();
                    readHead(in); // OPTIONS
                    out.write("SIP/2.0 200 OK\u001b[31m(red)\u001b[0m\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.UTF_8));
                    readHead(in); // the registration query
                    out.write(("SIP/2.0 200 OK\r\nContact: <sips:alice@example.com>;expires=60;"
                            + "node=\"prod\u001b[1A\u001b[2Kok    everything fine\"\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    while (in.read() >= 0) {
                        // until check closes
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Path properties = dir.resolve("fake.properties");
            Files.writeString(properties, Files.readString(properties(dir, ""))
                    .replace("keyServer=127.0.0.1:" + server.address().getPort(),
                            "keyServer=127.0.0.1:" + fake.getLocalPort()));

            Result result = check("--properties", properties.toString());

            answered.get(30, TimeUnit.SECONDS);
            assertTrue(result.out().contains("answers SIP: 200 OK\\u001B[31m(red)\\u001B[0m"), result.out());
            assertTrue(result.out().contains("on key server node prod\\u001B[1A\\u001B[2Kok"), result.out());
            assertEquals(-1, result.out().indexOf('\u001b'), result.out());
        }
    }

    /** Reads a request's head, up to its blank line. */
    private static void readHead(InputStream in) throws IOException {
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                return;
            }
        }
        throw new IOException("closed before a whole request");
    }

    @Test
    void aFileFlagNamingNoFileIsAUsageErrorInOneLine() throws Exception {
        Path missing = dir.resolve("nonexist");
        for (String flag : List.of("--java-security", "--properties")) {
            for (Path wrong : List.of(missing, dir)) {
                Result result = check(flag, wrong.toString());

                assertEquals(2, result.exit(), result.out());
                assertEquals(1, result.out().lines().count(), result.out());
                assertTrue(result.out().contains(flag + " " + wrong), result.out());
                assertFalse(result.out().contains("-Djava.security.properties"), result.out());
            }
        }
    }

    @Test
    void namesTheFlagItWasGivenNotThisJvmsProperty() throws Exception {
        Path fragment = fragment("security.provider." + next + "=SipTls " + properties(dir, ""));

        Result result = check("--java-security", fragment.toString());

        assertTrue(result.out().contains("ok    --java-security " + fragment + ": read"), result.out());
        assertTrue(result.out().contains("info  this JVM was started without -Djava.security.properties, not with"
                + " --java-security " + fragment), result.out());
    }

    /** A sip-tls.properties for alice of the demo credentials, plus {@code extra} lines. */
    private static Path properties(Path in, String extra) throws IOException {
        Path file = in.resolve("sip-tls.properties");
        Files.writeString(file, "aor=sip:alice@example.com\n"
                + "keyStore=" + demo.resolve("alice@example.com.p12") + "\n"
                + "keyStorePassword=" + password + "\n"
                + "trustStore=" + demo.resolve("truststore.p12") + "\n"
                + "trustStorePassword=" + password + "\n"
                + "keyServer=127.0.0.1:" + server.address().getPort() + "\n"
                + extra);
        return file;
    }

    private Path fragment(String line) throws IOException {
        Path file = dir.resolve("java.security");
        Files.writeString(file, line + "\n");
        return file;
    }

    record Result(int exit, String out) { }

    private static Result check(String... args) {
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of("check", "--timeout", "10"));
        all.addAll(List.of(args));
        int exit = SipTlsCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
                .execute(all.toArray(String[]::new));
        return new Result(exit, out.toString());
    }

    /** {@code java -Djava.security.properties=FRAGMENT ... sip-tls check}, as an operator runs it. */
    private static Result inChildJvm(Path fragment) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Djava.security.properties=" + fragment,
                "-cp", System.getProperty("java.class.path"), SipTlsCommand.class.getName(), "check")
                .redirectErrorStream(true).start();
        child.getOutputStream().close();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
        return new Result(child.exitValue(), out);
    }
}
