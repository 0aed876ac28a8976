package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.server.KeyServer;
import dev.siptls.sip.TlsIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {

    @TempDir
    Path dataDir;

    @Test
    void createsDemoCredentialsAndServesAgentsThatUseThem() throws Exception {
        StringWriter printed = new StringWriter();
        try (KeyServer server = command("server", "--port", "0", "--data-dir", dataDir.toString())
                .start(new PrintWriter(printed))) {
            String password = Files.readString(dataDir.resolve("password")).strip();
            assertTrue(printed.toString().contains("Demo credentials created"), printed.toString());
            assertTrue(printed.toString().contains(password));
            assertTrue(printed.toString().contains(dataDir.resolve("alice@example.com.p12").toString()));

            try (SipTlsAgent bob = agent(server, "sip:bob@example.com", password);
                 SipTlsAgent alice = agent(server, "sip:alice@example.com", password)) {
                bob.start();
                alice.start();
                assertTrue(bob.awaitRegistered(Duration.ofSeconds(10)), "bob: " + bob.lastError());
                assertTrue(alice.awaitRegistered(Duration.ofSeconds(10)), "alice: " + alice.lastError());

                SecurityAssociation sa = alice.requestAssociation("sips:bob@example.com").get(10, TimeUnit.SECONDS);

                assertEquals("sip:bob@example.com", sa.server().identity());
            }
        }
    }

    @Test
    void reloadsTheDemoCredentialsItCreatedBefore() throws Exception {
        try (KeyServer first = command("server", "--port", "0", "--data-dir", dataDir.toString())
                .start(new PrintWriter(new StringWriter()))) {
            assertTrue(first.address().getPort() > 0);
        }
        byte[] ca = Files.readAllBytes(dataDir.resolve("ca.p12"));
        StringWriter printed = new StringWriter();

        try (KeyServer second = command("server", "--port", "0", "--data-dir", dataDir.toString())
                .start(new PrintWriter(printed))) {
            assertTrue(printed.toString().contains("Demo credentials loaded"), printed.toString());
            assertTrue(second.address().getPort() > 0);
        }
        assertTrue(java.util.Arrays.equals(ca, Files.readAllBytes(dataDir.resolve("ca.p12"))));
    }

    @Test
    void readsSettingsFromTheConfigurationFileAndLetsFlagsWin() throws Exception {
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, "name=from-file\nport=1\nexpires.min=30\nauthorization=anyone\n"
                + "serving=same-domain\n");

        try (KeyServer server = command("server", "--port", "0", "--config", config.toString(),
                "--data-dir", dataDir.resolve("data").toString()).start(new PrintWriter(new StringWriter()))) {
            assertEquals("from-file", server.config().name());
            assertEquals(Duration.ofSeconds(30), server.config().minExpires());
            assertTrue(server.address().getPort() != 1);
        }
    }

    @Test
    void sizesTheTransportThreadsAndKeepAliveFromTheConfigurationFile() throws Exception {
        Path config = dataDir.resolve("transport.properties");
        Files.writeString(config, "name=sized\nevent-loops=3\nhandshake-threads=2\nkeep-alive=45\n");

        try (KeyServer server = command("server", "--port", "0", "--config", config.toString(),
                "--data-dir", dataDir.resolve("sized").toString()).start(new PrintWriter(new StringWriter()))) {
            assertEquals(3, server.config().eventLoops());
            assertEquals(2, server.config().handshakeThreads());
            assertEquals(Duration.ofSeconds(45), server.config().keepAlive());
            long loops = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && t.getName().matches("sized-[0-9]+-tls-loop-[0-9]+")).count();
            assertEquals(3, loops, "event loop threads of the running key server");
        }
    }

    @Test
    void refusesAnEventLoopCountOutOfRange() throws Exception {
        Path config = dataDir.resolve("loops.properties");
        Files.writeString(config, "event-loops=0\n");

        UserError e = assertThrows(UserError.class,
                () -> command("server", "--config", config.toString(), "--data-dir", dataDir.resolve("d").toString())
                        .start(new PrintWriter(new StringWriter())));

        assertTrue(e.getMessage().contains("event-loops"), e.getMessage());
    }

    @Test
    void refusesAnUnknownServingRule() throws Exception {
        Path config = dataDir.resolve("serving.properties");
        Files.writeString(config, "serving=everyone\n");

        UserError e = assertThrows(UserError.class,
                () -> command("server", "--config", config.toString()).start(new PrintWriter(new StringWriter())));

        assertEquals(config + ": serving must be certified or same-domain, got 'everyone'", e.getMessage());
    }

    @Test
    void issuesOnlyAeadSuitesWithForwardSecrecyUnlessTheFileAllowsLegacyOnes() throws Exception {
        Path config = dataDir.resolve("legacy.properties");
        Files.writeString(config, "suites.allow-legacy=true\n");

        try (KeyServer strict = command("server", "--port", "0", "--data-dir", dataDir.resolve("a").toString())
                .start(new PrintWriter(new StringWriter()))) {
            assertFalse(strict.config().allowLegacySuites());
        }
        try (KeyServer legacy = command("server", "--port", "0", "--config", config.toString(),
                "--data-dir", dataDir.resolve("b").toString()).start(new PrintWriter(new StringWriter()))) {
            assertTrue(legacy.config().allowLegacySuites());
        }
    }

    @Test
    void refusesAnAllowLegacyValueThatIsNotABoolean() throws Exception {
        Path config = dataDir.resolve("yes.properties");
        Files.writeString(config, "suites.allow-legacy=yes\n");

        UserError e = assertThrows(UserError.class,
                () -> command("server", "--config", config.toString(), "--data-dir", dataDir.resolve("c").toString())
                        .start(new PrintWriter(new StringWriter())));

        assertTrue(e.getMessage().contains("suites.allow-legacy must be true or false"), e.getMessage());
    }

    @Test
    void refusesAnUnknownConfigurationKey() throws Exception {
        Path config = dataDir.resolve("typo.properties");
        Files.writeString(config, "prot=5061\n");

        UserError e = assertThrows(UserError.class,
                () -> command("server", "--config", config.toString()).start(new PrintWriter(new StringWriter())));

        assertTrue(e.getMessage().contains("prot"), e.getMessage());
    }

    @Test
    void helpConfigListsEveryKeyTheFileAccepts() {
        StringWriter out = new StringWriter();
        CommandLine cli = SipTlsCommand.commandLine();
        cli.setOut(new PrintWriter(out));

        assertEquals(0, cli.execute("server", "--help-config"));

        for (String key : ServerSettings.KEYS) {
            assertTrue(out.toString().contains("  " + key + " "), key + " missing from --help-config");
        }
    }

    @Test
    void helpListsTheServerOptions() {
        StringWriter out = new StringWriter();
        CommandLine cli = SipTlsCommand.commandLine();
        cli.setOut(new PrintWriter(out));

        assertEquals(0, cli.execute("server", "--help"));

        for (String option : new String[] {"--port", "--bind", "--config", "--data-dir"}) {
            assertTrue(out.toString().contains(option), out.toString());
        }
    }

    @Test
    void topLevelHelpNamesTheServerCommand() {
        StringWriter out = new StringWriter();
        CommandLine cli = SipTlsCommand.commandLine();
        cli.setOut(new PrintWriter(out));

        assertEquals(0, cli.execute("--help"));

        assertTrue(out.toString().contains("server"), out.toString());
    }

    private static ServerCommand command(String... args) {
        CommandLine.ParseResult parsed = SipTlsCommand.commandLine().parseArgs(args);
        return (ServerCommand) parsed.subcommand().commandSpec().userObject();
    }

    private SipTlsAgent agent(KeyServer server, String aor, String password) throws Exception {
        char[] pw = password.toCharArray();
        TlsIdentity identity = TlsIdentity.fromPkcs12(dataDir.resolve(DemoCredentials.fileName(aor) + ".p12"), pw,
                dataDir.resolve("truststore.p12"), pw);
        return SipTlsAgent.builder().aor(aor).identity(identity).keyServer(server.address())
                .keyServerName("127.0.0.1")
                .policy(SecurityPolicy.builder().cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").build())
                .build();
    }
}
