package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.TlsIdentity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sip-tls server} as a user runs it: a child JVM on this test's class path. */
class ServerProcessTest {

    private static final Pattern LISTENING = Pattern.compile("listening on tls:([0-9.]+):(\\d+)");

    @TempDir
    Path temp;

    @Test
    void verboseShowsTheKeyServersDecisionsOnStderr() throws Exception {
        Run run = distributeAnAssociationWith("--verbose");

        assertTrue(run.stderr.contains("registered sip:alice@example.com on tls:"), run.stderr);
        assertTrue(run.stderr.contains("INVITE from sip:alice@example.com for sip:bob@example.com"), run.stderr);
        run.assertNoSecretIn(run.stderr);
    }

    @Test
    void withoutVerboseTheDecisionsStayQuiet() throws Exception {
        Run run = distributeAnAssociationWith();

        assertTrue(run.stderr.contains("listening on tls:"), "INFO still shows: " + run.stderr);
        assertFalse(run.stderr.contains("registered sip:alice@example.com on"), run.stderr);
        assertFalse(run.stderr.contains("INVITE from sip:alice@example.com"), run.stderr);
        run.assertNoSecretIn(run.stderr);
    }

    /**
     * A write that fails half-way (here: a file size limit below a key store's size, as a full disk would)
     * leaves no partial file and nothing readable by others; the next start names what is missing.
     */
    @Test
    void aWriteThatFailsHalfWayLeavesNoPartialFile() throws Exception {
        Path bash = Path.of("/bin/bash");
        assumeTrue(Files.isExecutable(bash) && DemoCredentialsTest.posix(temp), "bash and POSIX permissions");
        Path dir = temp.resolve("data");
        // ulimit -f counts 1024-byte blocks in bash: the password files fit, no key store does.
        List<String> limited = new ArrayList<>(List.of(bash.toString(), "-c", "ulimit -f 1 && exec \"$0\" \"$@\""));
        limited.addAll(java("--port", "0", "--data-dir", dir.toString()));
        Process crashed = new ProcessBuilder(limited).start();
        CompletableFuture<String> crashedOut = drain(crashed.getInputStream());
        String crashedErr = drain(crashed.getErrorStream()).get();
        assertNotEquals(0, crashed.waitFor(), crashedOut.get() + crashedErr);
        assertEquals(1, crashedErr.lines().count(), crashedErr);
        assertTrue(crashedErr.contains("cannot write " + dir.resolve("ca.p12")) && crashedErr.contains("move " + dir
                + " away"), crashedErr);

        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                assertEquals("rw-------", DemoCredentialsTest.mode(file), name);
                assertFalse(name.endsWith(".p12"), name + " is a partial key store");
                assertFalse(name.startsWith("."), name + " is a left-over temporary file");
                assertTrue(Files.readString(file).matches("[A-Za-z0-9_-]{20,}\\R"), name + " is a partial secret");
            }
        }

        Process again = new ProcessBuilder(java("--port", "0", "--data-dir", dir.toString())).start();
        CompletableFuture<String> againOut = drain(again.getInputStream());
        String againErr = drain(again.getErrorStream()).get();
        assertEquals(1, again.waitFor(), againOut.get() + againErr);
        assertEquals(1, againErr.lines().count(), againErr);
        assertTrue(againErr.contains("ca.p12") && againErr.contains(dir.toString()), againErr);
    }

    /**
     * Starts the server command, registers bob and alice with its demo credentials, has alice ask for an SA to
     * bob, and stops the server with SIGTERM.
     */
    private Run distributeAnAssociationWith(String... flags) throws Exception {
        Path dir = temp.resolve("data");
        List<String> args = new ArrayList<>(List.of("--port", "0", "--data-dir", dir.toString()));
        args.addAll(List.of(flags));
        Process server = new ProcessBuilder(java(args.toArray(String[]::new))).start();
        CompletableFuture<String> stderr = drain(server.getErrorStream());
        StringBuilder stdout = new StringBuilder();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            InetSocketAddress address = null;
            for (String line; address == null && (line = out.readLine()) != null; ) {
                stdout.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    address = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
                }
            }
            assertTrue(address != null, "no address in: " + stdout + stderr.getNow(""));
            byte[] masterSecret;
            try (SipTlsAgent bob = agent(dir, address, "sip:bob@example.com");
                 SipTlsAgent alice = agent(dir, address, "sip:alice@example.com")) {
                bob.start();
                alice.start();
                // The key server logs its decisions before it answers.
                assertTrue(bob.awaitRegistered(Duration.ofSeconds(30)), "bob: " + bob.lastError());
                assertTrue(alice.awaitRegistered(Duration.ofSeconds(30)), "alice: " + alice.lastError());
                masterSecret = alice.requestAssociation("sips:bob@example.com").get(30, TimeUnit.SECONDS)
                        .masterSecret();
            }
            CompletableFuture<String> rest = drain(out);
            server.destroy();
            server.waitFor();
            stdout.append(rest.get());
            return new Run(stdout.toString(), stderr.get(), dir, masterSecret);
        } finally {
            server.destroyForcibly();
        }
    }

    private static SipTlsAgent agent(Path dir, InetSocketAddress keyServer, String aor) throws Exception {
        char[] password = Files.readString(dir.resolve("password")).strip().toCharArray();
        TlsIdentity identity = TlsIdentity.fromPkcs12(dir.resolve(DemoCredentials.fileName(aor) + ".p12"), password,
                dir.resolve("truststore.p12"), password);
        return SipTlsAgent.builder().aor(aor).identity(identity).keyServer(keyServer).keyServerName("127.0.0.1")
                .policy(SecurityPolicy.builder().cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").build())
                .build();
    }

    private record Run(String stdout, String stderr, Path dir, byte[] masterSecret) {
        /** Neither password file's content nor the SA's master secret, in any usual spelling, is in {@code text}. */
        void assertNoSecretIn(String text) throws IOException {
            for (String secretFile : new String[] {"password", "ca-password"}) {
                Path file = dir.resolve(secretFile);
                if (Files.exists(file)) {
                    assertFalse(text.contains(Files.readString(file).strip()), "the " + secretFile + " was logged");
                }
            }
            for (String spelling : new String[] {HexFormat.of().formatHex(masterSecret),
                    HexFormat.of().withUpperCase().formatHex(masterSecret),
                    Base64.getEncoder().withoutPadding().encodeToString(masterSecret),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(masterSecret)}) {
                assertFalse(text.contains(spelling), "the master secret was logged");
            }
        }
    }

    /** {@code sip-tls server ARGS} in a child JVM on this test's class path. */
    private static List<String> java(String... serverArgs) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                SipTlsCommand.class.getName(), "server"));
        command.addAll(List.of(serverArgs));
        return command;
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return drain(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** Reads {@code in} to its end on a thread of its own, so that a full pipe never stalls the child. */
    private static CompletableFuture<String> drain(Reader in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            StringBuilder all = new StringBuilder();
            char[] buffer = new char[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    all.append(buffer, 0, n);
                }
            } catch (IOException e) {
                all.append("(unreadable: ").append(e).append(')');
            }
            text.complete(all.toString());
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
