package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.server.KeyServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Every start-up and configuration mistake of {@code sip-tls server} a new user makes ends in one or two lines
 * naming the file, key, address or port and what to do, with a non-zero exit code; the stack trace only with
 * {@code --verbose}. Run in-process as {@link SipTlsCommand#main} runs it, its stdout and stderr captured.
 */
class StartupErrorsTest {

    /** Complete demo credentials, made once: each test copies them. */
    @TempDir
    static Path shared;

    @TempDir
    Path temp;

    private static Path credentials;

    @BeforeAll
    static void createCredentials() throws Exception {
        credentials = shared.resolve("complete");
        DemoCredentials.ensure(credentials, DemoCredentials.DEFAULT_AGENTS);
    }

    @Test
    void aBusyPortIsNamedWithWhatToDo() throws Exception {
        try (ServerSocket taken = busyPort()) {
            Run run = server("--port", port(taken), "--data-dir", copy().toString());

            run.assertOneLineError("tls:127.0.0.1:" + port(taken), "in use", "--port");
        }
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        try (ServerSocket taken = busyPort()) {
            Run run = server("--port", port(taken), "--data-dir", copy().toString(), "--verbose");

            assertEquals(1, run.exit);
            assertTrue(run.err.contains("tls:127.0.0.1:" + port(taken)), run.err);
            assertTrue(run.err.contains("\tat dev.siptls."), "the stack trace: " + run.err);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"70000", "-1", "abc"})
    void aPortThatIsNoPortIsAUsageErrorBeforeAnythingIsWritten(String port) {
        Path dir = temp.resolve("never-created");

        Run run = server("--port", port, "--data-dir", dir.toString());

        assertEquals(2, run.exit, run.err);
        run.assertShortAndWithoutTrace();
        assertTrue(run.err.contains("--port") && run.err.contains(port), run.err);
        assertFalse(Files.exists(dir), "nothing written for a command line that is wrong");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:99999", "nohost", "127.0.0.1:", "127.0.0.1:x"})
    void aMetricsAddressThatIsNoHostPortIsAUsageErrorBeforeAnythingIsWritten(String address) {
        Path dir = temp.resolve("never-created");

        Run run = server("--port", "0", "--metrics", address, "--data-dir", dir.toString());

        assertEquals(2, run.exit, run.err);
        run.assertShortAndWithoutTrace();
        assertTrue(run.err.contains("--metrics") && run.err.contains(address.replaceFirst("^127.0.0.1:", "")), run.err);
        assertFalse(Files.exists(dir), "nothing written for a command line that is wrong");
    }

    @Test
    void aMetricsKeyThatIsNoHostPortIsAConfigurationErrorNamingTheFile() throws Exception {
        Path config = Files.writeString(temp.resolve("metrics.properties"), "metrics=127.0.0.1:99999\n");

        server("--port", "0", "--config", config.toString(), "--data-dir", copy().toString())
                .assertOneLineError(config.toString(), "metrics", "99999");
    }

    @Test
    void noCommandIsAUsageErrorWithTheUsageOnStderrButHelpIsNot() {
        Run none = run();

        assertEquals(2, none.exit);
        assertEquals("", none.out);
        assertTrue(none.err.startsWith("Usage: sip-tls"), none.err);

        Run help = run("--help");

        assertEquals(0, help.exit);
        assertEquals("", help.err);
        assertTrue(help.out.startsWith("Usage: sip-tls"), help.out);
    }

    @Test
    void everyCommandTakesVerbose() {
        CommandLine cli = SipTlsCommand.commandLine();
        cli.getSubcommands().forEach((name, command) -> assertTrue(name.equals("help")
                || command.getCommandSpec().findOption("--verbose") != null, name + " has no --verbose"));

        Run run = run("enroll", "sip:app@example.com", "--verbose", "--data-dir", temp.resolve("none").toString(),
                "--out", temp.resolve("app").toString());

        assertEquals(1, run.exit, run.err); // no demo CA there: a configuration error, not a usage error
        assertFalse(run.err.contains("Unknown option"), run.err);
    }

    @Test
    void aDataDirectoryUnderARegularFileIsNamed() throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "not a directory");

        server("--port", "0", "--data-dir", file.resolve("data").toString())
                .assertOneLineError(file.toString(), "not a directory", "--data-dir");
        server("--port", "0", "--data-dir", file.toString())
                .assertOneLineError(file.toString(), "not a directory", "--data-dir");
    }

    @ParameterizedTest
    @ValueSource(strings = {"keyserver.p12", "truststore.p12"})
    void anEmptyOrDamagedKeyStoreIsNamedAndLeftAsItIs(String name) throws Exception {
        Path empty = copy();
        Files.write(empty.resolve(name), new byte[0]);
        Path damaged = copy();
        Files.write(damaged.resolve(name), "not a key store".repeat(20).getBytes());

        for (Path dir : List.of(empty, damaged)) {
            Map<String, byte[]> before = DemoCredentialsTest.contents(dir);

            Run run = server("--port", "0", "--data-dir", dir.toString());

            run.assertOneLineError(dir.resolve(name).toString(), "move " + dir + " away");
            assertUnchanged(before, dir);
        }
    }

    /** The key server must not make new secrets over stores that a lost file left behind. */
    @ParameterizedTest
    @ValueSource(strings = {"password", "ca-password", "ca.p12", "truststore.p12", "keyserver.p12"})
    void aDirectoryMissingAFileIsRefusedAndLeftAsItIs(String lost) throws Exception {
        Path dir = copy();
        Files.delete(dir.resolve(lost));
        Map<String, byte[]> before = DemoCredentialsTest.contents(dir);

        Run run = server("--port", "0", "--data-dir", dir.toString());

        run.assertOneLineError(dir.toString(), lost + " is missing", "move " + dir + " away");
        assertUnchanged(before, dir);
    }

    @Test
    void aPasswordFileThatNoLongerOpensTheStoresIsNamed() throws Exception {
        Path dir = copy();
        Files.writeString(dir.resolve("password"), "changed-by-hand\n");
        Map<String, byte[]> before = DemoCredentialsTest.contents(dir);

        server("--port", "0", "--data-dir", dir.toString())
                .assertOneLineError(dir.resolve("keyserver.p12").toString(), dir.resolve("password").toString());
        assertUnchanged(before, dir);
    }

    @Test
    void aDamagedCaIsNamedWhenANewAgentNeedsIt() throws Exception {
        Path dir = copy();
        Files.write(dir.resolve("ca.p12"), new byte[0]);
        Path config = Files.writeString(temp.resolve("carol.properties"), "demo.agents=sip:carol@example.com\n");
        Map<String, byte[]> before = DemoCredentialsTest.contents(dir);

        server("--port", "0", "--data-dir", dir.toString(), "--config", config.toString())
                .assertOneLineError(dir.resolve("ca.p12").toString(), "move " + dir + " away");
        assertUnchanged(before, dir);
    }

    @Test
    void aDamagedAgentKeyStoreIsAWarningNamingItAndTheServerStarts() throws Exception {
        Path dir = copy();
        Path alice = dir.resolve("alice@example.com.p12");
        Files.write(alice, new byte[0]);
        Map<String, byte[]> before = DemoCredentialsTest.contents(dir);
        StringWriter err = new StringWriter();
        CommandLine cli = SipTlsCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        ServerCommand command = (ServerCommand) cli.parseArgs("server", "--port", "0", "--data-dir", dir.toString())
                .subcommand().commandSpec().userObject();

        try (KeyServer server = command.start(new PrintWriter(new StringWriter()))) {
            assertTrue(server.address().getPort() > 0);
        }

        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("warning: ") && err.toString().contains(alice.toString())
                && err.toString().contains("delete it"), err.toString());
        assertUnchanged(before, dir);
    }

    @Test
    void aConfigurationFileThatIsNotThereOrNotAFileIsNamed() throws Exception {
        Path missing = temp.resolve("missing.properties");
        server("--config", missing.toString()).assertOneLineError(missing.toString(), "does not exist");
        Path directory = Files.createDirectory(temp.resolve("a-directory"));
        server("--config", directory.toString()).assertOneLineError(directory.toString(), "cannot read");
    }

    @Test
    void anUnknownKeyIsNamedWithTheKeyItIsATypoOf() throws Exception {
        Path config = Files.writeString(temp.resolve("typo.properties"), "prot=5061\n");

        server("--config", config.toString()).assertOneLineError(config.toString(), "prot", "did you mean port?");
    }

    @Test
    void aBadValueIsNamedByItsKeyAndFile() throws Exception {
        Path notANumber = Files.writeString(temp.resolve("abc.properties"), "port=abc\n");
        server("--config", notANumber.toString(), "--data-dir", temp.resolve("a").toString())
                .assertOneLineError(notANumber.toString(), "port", "abc");
        Path negative = Files.writeString(temp.resolve("negative.properties"), "sa.max-lifetime=-1\n");
        server("--config", negative.toString(), "--data-dir", temp.resolve("b").toString())
                .assertOneLineError(negative.toString(), "sa.max-lifetime");
        Path tooMany = Files.writeString(temp.resolve("loops.properties"), "event-loops=100\n");
        server("--port", "0", "--config", tooMany.toString(), "--data-dir", copy().toString())
                .assertOneLineError(tooMany.toString(), "event-loops");
        assertFalse(Files.exists(temp.resolve("a")) || Files.exists(temp.resolve("b")),
                "a mistake in the file is reported before any credential is written");
    }

    @Test
    void aKeystoreThatIsNotThereOrDoesNotOpenIsNamedByKeyAndFile() throws Exception {
        Path nowhere = temp.resolve("nowhere.p12");
        Path missing = Files.writeString(temp.resolve("missing-store.properties"), "keystore=" + nowhere
                + "\nkeystore.password=x\ntruststore=" + credentials.resolve("truststore.p12") + "\n");
        server("--config", missing.toString()).assertOneLineError(missing.toString(), "keystore " + nowhere,
                "does not exist");

        Path wrong = Files.writeString(temp.resolve("wrong-password.properties"), "keystore="
                + credentials.resolve("keyserver.p12") + "\nkeystore.password=wrong\ntruststore="
                + credentials.resolve("truststore.p12") + "\n");
        server("--config", wrong.toString()).assertOneLineError(wrong.toString(),
                "keystore " + credentials.resolve("keyserver.p12"), "keystore.password");
    }

    @Test
    void aClusterWithoutANodeIdentityForAnOwnKeystoreIsRefused() throws Exception {
        String password = Files.readString(credentials.resolve("password")).strip();
        Path config = Files.writeString(temp.resolve("own.properties"), "keystore="
                + credentials.resolve("keyserver.p12") + "\nkeystore.password=" + password + "\ntruststore="
                + credentials.resolve("truststore.p12") + "\n");

        server("--port", "0", "--config", config.toString(), "--cluster", "127.0.0.1:7800")
                .assertOneLineError(config.toString(), "cluster.keystore", "cluster.truststore");
    }

    @Test
    void anAddressNotOnThisMachineIsNamed() throws Exception {
        String notHere = "192.0.2.1"; // TEST-NET-1: documentation only, never a machine's address
        server("--port", "0", "--bind", notHere, "--data-dir", copy().toString())
                .assertOneLineError(notHere, "not an address of this machine", "--bind");
    }

    @Test
    void aBusyPlainTcpPortIsNamed() throws Exception {
        try (ServerSocket taken = busyPort()) {
            server("--port", "0", "--plain-tcp-port", port(taken), "--data-dir", copy().toString())
                    .assertOneLineError("tcp:127.0.0.1:" + port(taken), "in use", "--plain-tcp-port");
        }
    }

    @Test
    void aBusyClusterPortIsNamedBeforeTheClusterLibrariesTryIt() throws Exception {
        try (ServerSocket taken = busyPort()) {
            server("--port", "0", "--cluster", "127.0.0.1:" + port(taken), "--cluster-port", port(taken),
                    "--data-dir", copy().toString())
                    .assertOneLineError("127.0.0.1:" + port(taken), "in use", "--cluster-port");
        }
    }

    @Test
    void aBusyLinksPortIsNamed() throws Exception {
        try (ServerSocket taken = busyPort(); ServerSocket free = busyPort()) {
            String clusterPort = port(free);
            free.close();
            server("--port", "0", "--cluster", "127.0.0.1:" + clusterPort, "--cluster-port", clusterPort,
                    "--links-port", port(taken), "--data-dir", copy().toString())
                    .assertOneLineError("tls:127.0.0.1:" + port(taken), "in use", "--links-port");
        }
    }

    @Test
    void theOtherCommandsGoThroughTheSameHandler() throws Exception {
        Path missing = temp.resolve("no-such.properties");

        Run quiet = run("export-session", "--config", missing.toString(), "--target", "localhost:8443");
        assertEquals(1, quiet.exit, quiet.err);
        quiet.assertShortAndWithoutTrace();
        assertTrue(quiet.err.contains(missing.toString()) && quiet.err.contains("--verbose"), quiet.err);

        Run verbose = run("--verbose", "export-session", "--config", missing.toString(), "--target", "localhost:8443");
        assertEquals(1, verbose.exit, verbose.err);
        assertTrue(verbose.err.contains("\tat "), "the stack trace: " + verbose.err);

        Run usage = run("bench", "--only", "nothing");
        assertEquals(2, usage.exit, usage.err);
        usage.assertShortAndWithoutTrace();
        assertTrue(usage.err.contains("--only") && usage.err.contains("sip-tls bench --help"), usage.err);
    }

    @Test
    void helpListsTheExitCodes() {
        Run run = run("--help");

        assertEquals(0, run.exit);
        assertTrue(run.out.contains("Exit codes:") && run.out.contains("2   a usage error"), run.out);
    }


    private static void assertUnchanged(Map<String, byte[]> before, Path dir) {
        Map<String, byte[]> after = DemoCredentialsTest.contents(dir);
        assertEquals(before.keySet(), after.keySet(), "no file created or removed in " + dir);
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name + " unchanged"));
    }

    /** A copy of the complete demo credentials, owner-only as the key server wants them. */
    private Path copy() throws IOException {
        Path dir = temp.resolve("data-" + Long.toUnsignedString(System.nanoTime(), 36));
        Files.createDirectory(dir);
        if (DemoCredentialsTest.posix(dir)) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        try (var files = Files.list(credentials)) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        return dir;
    }

    private static ServerSocket busyPort() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private static String port(ServerSocket socket) {
        return Integer.toString(socket.getLocalPort());
    }

    private static Run server(String... args) {
        List<String> all = new ArrayList<>(List.of("server"));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        CommandLine cli = SipTlsCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exit, String out, String err) {
        /** Exit code 1, one line on stderr holding every one of {@code names}, and no stack trace. */
        void assertOneLineError(String... names) {
            assertNotEquals(0, exit, err);
            assertEquals(1, exit, err);
            assertShortAndWithoutTrace();
            assertEquals(1, err.lines().count(), err);
            for (String name : names) {
                assertTrue(err.contains(name), "'" + name + "' in: " + err);
            }
        }

        void assertShortAndWithoutTrace() {
            assertTrue(err.lines().count() <= 2, err);
            assertFalse(err.contains("\tat ") || err.contains("at dev.") || err.contains("Exception"), err);
        }
    }
}
