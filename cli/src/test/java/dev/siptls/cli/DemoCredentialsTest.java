package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.siptls.server.KeyServer;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DemoCredentialsTest {

    private static final List<String> AGENTS = List.of("sip:alice@example.com");

    @TempDir
    Path temp;

    @Test
    void createsTheDirectoryAndEveryFileOwnerOnly() throws Exception {
        assumeTrue(posix(temp), "POSIX permissions only");
        Path dir = temp.resolve("data");

        DemoCredentials.ensure(dir, AGENTS);

        assertEquals("rwx------", mode(dir));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", mode(file), file.getFileName().toString());
            }
        }
    }

    @Test
    void noOtherCertificateFromTheDemoCaCarriesTheKeyServersNames() throws Exception {
        Path dir = temp.resolve("data");
        DemoCredentials demo = DemoCredentials.ensure(dir, AGENTS);
        char[] password = demo.password();

        X509Certificate keyServer = certificate(dir.resolve("keyserver.p12"), password);
        assertEquals(List.of(List.of(7, "127.0.0.1")), List.copyOf(keyServer.getSubjectAlternativeNames()),
                "what enrolled agents check (keyServer=127.0.0.1:PORT), no name a TLS server is given");
        for (String other : List.of("www.example.com.p12", DemoCredentials.fileName(AGENTS.get(0)) + ".p12")) {
            X509Certificate certificate = certificate(dir.resolve(other), password);
            for (String name : DemoCredentials.KEY_SERVER_NAMES) {
                assertFalse(CertificateNames.matchesHost(certificate, name), other + " passes as key server " + name);
            }
        }
        assertEquals(List.of("www.example.com", "localhost"), demo.hosts(demo.tlsServer(), "TLS server key store"));
    }

    private static X509Certificate certificate(Path file, char[] password) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return (X509Certificate) store.getCertificate(store.aliases().nextElement());
    }

    @Test
    void warnsAboutAnExistingDirectoryOthersCanEnter() throws Exception {
        assumeTrue(posix(temp), "POSIX permissions only");
        Path dir = Files.createDirectory(temp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringWriter err = new StringWriter();

        try (KeyServer server = command(err, "server", "--port", "0", "--data-dir", dir.toString())
                .start(new PrintWriter(new StringWriter()))) {
            assertTrue(server.address().getPort() > 0);
        }

        assertTrue(err.toString().contains(dir.toString()) && err.toString().contains("rwxr-xr-x"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void theDeployersPasswordDoesNotOpenTheCaKeyButTheCasOwnSecretDoes() throws Exception {
        Path dir = temp.resolve("data");
        StringWriter printed = new StringWriter();
        try (KeyServer server = command("server", "--port", "0", "--data-dir", dir.toString())
                .start(new PrintWriter(printed))) {
            assertTrue(server.address().getPort() > 0);
        }
        char[] deployers = Files.readString(dir.resolve("password")).strip().toCharArray();
        Path caSecret = dir.resolve("ca-password");
        assertTrue(Files.exists(caSecret), "the CA's own password file");
        char[] ca = Files.readString(caSecret).strip().toCharArray();

        assertTrue(printed.toString().contains(new String(deployers)));
        assertFalse(printed.toString().contains(new String(ca)), "the CA's secret is never printed");
        assertThrows(IOException.class, () -> CertificateAuthority.load(dir.resolve("ca.p12"), deployers));
        assertNotNull(CertificateAuthority.load(dir.resolve("ca.p12"), ca).certificate());
        // The deployer's password still opens what deployers get.
        assertNotNull(dev.siptls.sip.TlsIdentity.fromPkcs12(dir.resolve("alice@example.com.p12"), deployers,
                dir.resolve("truststore.p12"), deployers));
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "ca-password", "ca.p12", "truststore.p12", "keyserver.p12"})
    void refusesToCompleteCredentialsThatLostAPart(String lost) throws Exception {
        Path dir = temp.resolve("data");
        DemoCredentials.ensure(dir, AGENTS);
        Files.delete(dir.resolve(lost));
        Map<String, byte[]> before = contents(dir);

        Exception e = assertThrows(Exception.class, () -> DemoCredentials.ensure(dir, AGENTS));

        assertTrue(e.getMessage().contains(lost) && e.getMessage().contains(dir.toString()), e.getMessage());
        assertEquals(before.keySet(), contents(dir).keySet(), "nothing created");
        before.forEach((name, bytes) -> assertArrayEquals(bytes, contents(dir).get(name), name + " unchanged"));
    }

    @Test
    void theServerCommandSaysInOneLineWhatIsMissingAndExitsNonZero() throws Exception {
        Path dir = temp.resolve("data");
        DemoCredentials.ensure(dir, AGENTS);
        Files.delete(dir.resolve("password"));
        CommandLine cli = SipTlsCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("server", "--port", "0", "--data-dir", dir.toString());

        assertEquals(1, exit);
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains(dir + ": password is missing"), err.toString());
        assertFalse(Files.exists(dir.resolve("password")), "no new password over the old key stores");
    }

    @Test
    void issuesAnIdentityForANewlyConfiguredAgentAndLeavesTheRestAlone() throws Exception {
        Path dir = temp.resolve("data");
        DemoCredentials.ensure(dir, AGENTS);
        Map<String, byte[]> before = contents(dir);

        DemoCredentials again = DemoCredentials.ensure(dir, List.of("sip:alice@example.com", "sip:carol@example.com"));

        assertTrue(Files.exists(dir.resolve("carol@example.com.p12")));
        assertEquals(List.of("sip:alice@example.com", "sip:carol@example.com"), again.agentAors());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, contents(dir).get(name), name + " unchanged"));
    }

    @Test
    void eachDataDirectorysCasHaveANameOfTheirOwnKeptAcrossRestarts() throws Exception {
        DemoCredentials one = DemoCredentials.ensure(temp.resolve("one"), AGENTS);
        DemoCredentials two = DemoCredentials.ensure(temp.resolve("two"), AGENTS);
        one.clusterNodeIdentity("n1");
        two.clusterNodeIdentity("n1");

        String caOne = trusted(one.trustStore(), one.password());
        String caTwo = trusted(two.trustStore(), two.password());
        assertTrue(caOne.matches("CN=SIP-TLS Demo CA [0-9a-f]{8}"), caOne);
        assertTrue(caTwo.matches("CN=SIP-TLS Demo CA [0-9a-f]{8}"), caTwo);
        assertNotEquals(caOne, caTwo);
        String clusterOne = trusted(one.directory().resolve(DemoCredentials.CLUSTER_TRUST_STORE), one.password());
        String clusterTwo = trusted(two.directory().resolve(DemoCredentials.CLUSTER_TRUST_STORE), two.password());
        assertTrue(clusterOne.matches("CN=SIP-TLS Demo Cluster CA [0-9a-f]{8}"), clusterOne);
        assertNotEquals(clusterOne, clusterTwo);

        Map<String, byte[]> before = contents(one.directory());
        DemoCredentials again = DemoCredentials.ensure(one.directory(), AGENTS);
        assertEquals(caOne, trusted(again.trustStore(), again.password()), "a restart keeps the CA");
        assertArrayEquals(before.get("truststore.p12"), contents(one.directory()).get("truststore.p12"));
    }

    /** The subject of the one CA in a trust store. */
    private static String trusted(Path trustStore, char[] password) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(trustStore)) {
            store.load(in, password);
        }
        assertEquals(1, store.size());
        return ((java.security.cert.X509Certificate) store.getCertificate(store.aliases().nextElement()))
                .getSubjectX500Principal().getName();
    }

    @Test
    void refusesTheOldLayoutWhoseCaKeyOpensWithThePrintedPassword() throws Exception {
        Path dir = Files.createDirectory(temp.resolve("old"));
        char[] password = "printed-to-everyone".toCharArray();
        Files.writeString(dir.resolve("password"), new String(password) + "\n");
        CertificateAuthority ca = CertificateAuthority.create("SIP-TLS Demo CA");
        ca.save(dir.resolve("ca.p12"), password);
        CertificateAuthority.write(ca.trustStore(), dir.resolve("truststore.p12"), password);
        CertificateAuthority.write(ca.issue("keyserver", List.of("localhost"), CertificateAuthority.KeyType.EC_P256,
                password), dir.resolve("keyserver.p12"), password);
        Map<String, byte[]> before = contents(dir);

        Exception e = assertThrows(Exception.class, () -> DemoCredentials.ensure(dir, AGENTS));

        assertTrue(e.getMessage().contains("ca.p12") && e.getMessage().contains(dir.toString()), e.getMessage());
        assertFalse(e.getMessage().contains(new String(password)));
        assertEquals(before.keySet(), contents(dir).keySet(), "nothing created");
    }

    static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** File name to bytes, of every file in {@code dir}. */
    static Map<String, byte[]> contents(Path dir) {
        Map<String, byte[]> all = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                all.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return all;
    }

    private static ServerCommand command(String... args) {
        return command(new StringWriter(), args);
    }

    /** The server command as the command line parses it, its stderr going to {@code err}. */
    private static ServerCommand command(StringWriter err, String... args) {
        CommandLine cli = SipTlsCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return (ServerCommand) parsed.subcommand().commandSpec().userObject();
    }
}
