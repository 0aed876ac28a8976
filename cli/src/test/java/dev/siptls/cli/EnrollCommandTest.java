package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.provider.SipTlsConfiguration;
import dev.siptls.sip.CertificateAuthority;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sip-tls enroll} in this JVM, against demo credentials made here; no key server needed. */
class EnrollCommandTest {

    @TempDir
    Path temp;

    @Test
    void withoutADemoCaItSaysToStartTheServerFirstAndWritesNothing() throws Exception {
        Run run = enroll("sip:web@example.com", "--data-dir", temp.resolve("none").toString(),
                "--out", temp.resolve("web").toString());

        assertEquals(1, run.exit);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.contains("sip-tls server") && run.err.contains("--data-dir"), run.err);
        assertFalse(Files.exists(temp.resolve("web")));
    }

    @Test
    void writesAReadyOwnerOnlyEnrolmentThatTheProviderLoads() throws Exception {
        Path data = demoCa();
        Path web = temp.resolve("web");

        Run run = enroll("sip:web@example.com", "--data-dir", data.toString(), "--out", web.toString(),
                "--serve", "localhost:8443,127.0.0.2:8443", "--key-server", "127.0.0.1:5099");

        assertEquals(0, run.exit, run.err);
        String password = Files.readString(web.resolve(Enrolment.PASSWORD)).strip();
        assertFalse(run.out.contains(password), "the password is printed: " + run.out);
        assertTrue(run.out.contains("https-server localhost:8443 --key-store"), run.out);
        assertTrue(run.out.contains("(opens the three stores;"), run.out);
        for (String file : Enrolment.FILES) {
            assertTrue(Files.exists(web.resolve(file)), file);
            if (DemoCredentialsTest.posix(web)) {
                assertEquals("rw-------", DemoCredentialsTest.mode(web.resolve(file)), file);
            }
        }
        if (DemoCredentialsTest.posix(web)) {
            assertEquals("rwx------", DemoCredentialsTest.mode(web));
        }
        assertNotEquals(Files.readString(data.resolve("password")).strip(), password, "a password of its own");

        SipTlsConfiguration config = SipTlsConfiguration.load(web.resolve(Enrolment.PROPERTIES));
        assertEquals("sip:web@example.com", config.aor());
        assertEquals(List.of(new HostPort("localhost", 8443), new HostPort("127.0.0.2", 8443)), config.serve());
        assertTrue(config.toString().contains("127.0.0.1:5099"), config.toString());

        assertEquals(List.of(List.of(6, "sip:web@example.com")), names(web.resolve(Enrolment.AGENT), password));
        assertEquals(List.of(List.of(2, "localhost"), List.of(7, "127.0.0.2")),
                names(web.resolve(Enrolment.TLS_SERVER), password));
        KeyStore trust = load(web.resolve(Enrolment.TRUST_STORE), password);
        assertEquals(1, trust.size());

        int n = ProviderEntries.of(JavaSecurityFiles.runningJdk().properties()).gap();
        Properties fragment = new Properties();
        try (InputStream in = Files.newInputStream(web.resolve(Enrolment.JAVA_SECURITY))) {
            fragment.load(in);
        }
        assertEquals(Map.of("security.provider." + n, "SipTls " + web.resolve(Enrolment.PROPERTIES).toAbsolutePath()),
                Map.copyOf(fragment));
        assertEquals(null, jdkProvider(n), "security.provider." + n + " is taken in the JDK");
        assertNotNull(jdkProvider(n - 1), "security.provider." + n + " would leave a gap in the JDK's list");
        assertTrue(jdkProvider(n - 1) != null, "security.provider." + (n - 1) + " leaves a gap");
    }

    @Test
    void aMovedDirectoryStillLoads() throws Exception {
        Path data = demoCa();
        Run client = enroll("sip:app@example.com", "--data-dir", data.toString(), "--out", temp.resolve("app").toString());
        assertEquals(0, client.exit, client.err);
        assertTrue(client.out.contains("(opens the two stores;"), "a client has no TLS server key store: " + client.out);
        assertTrue(client.out.contains("https-get https://<host:port of a served server>/ --trust-store"), client.out);
        assertFalse(client.out.contains("8443"), "no server was enrolled on 8443: " + client.out);
        Path moved = Files.move(temp.resolve("app"), temp.resolve("elsewhere"));

        SipTlsConfiguration config = SipTlsConfiguration.load(moved.resolve(Enrolment.PROPERTIES));

        assertEquals("sip:app@example.com", config.aor());
        assertEquals(List.of(), config.serve());
        assertFalse(Files.exists(moved.resolve(Enrolment.TLS_SERVER)), "no TLS server keys without --serve");
    }

    @Test
    void anExistingEnrolmentIsReplacedOnlyWithForce() throws Exception {
        Path data = demoCa();
        Path app = temp.resolve("app");
        String[] args = {"sip:app@example.com", "--data-dir", data.toString(), "--out", app.toString()};
        assertEquals(0, enroll(args).exit);
        Map<String, byte[]> first = DemoCredentialsTest.contents(app);

        Run again = enroll(args);

        assertEquals(1, again.exit);
        assertEquals(1, again.err.lines().count(), again.err);
        assertTrue(again.err.contains("--force"), again.err);
        Map<String, byte[]> unchanged = DemoCredentialsTest.contents(app);
        assertEquals(first.keySet(), unchanged.keySet());
        first.forEach((name, bytes) -> assertArrayEquals(bytes, unchanged.get(name), name));

        List<String> forced = new ArrayList<>(List.of(args));
        forced.add("--force");
        assertEquals(0, enroll(forced.toArray(String[]::new)).exit);
        assertFalse(new String(first.get(Enrolment.PASSWORD)).equals(
                Files.readString(app.resolve(Enrolment.PASSWORD))), "a new password");
    }

    @Test
    void theTlsServerCertificateNamesExactlyTheServedHosts() throws Exception {
        Path web = temp.resolve("web");

        Run run = enroll("sip:web@example.com", "--data-dir", demoCa().toString(), "--out", web.toString(),
                "--serve", "localhost:8443");

        assertEquals(0, run.exit, run.err);
        String password = Files.readString(web.resolve(Enrolment.PASSWORD)).strip();
        assertEquals(List.of(List.of(2, "localhost")), names(web.resolve(Enrolment.TLS_SERVER), password));
    }

    @Test
    void refusesToServeANameOfTheKeyServerAndWritesNothing() throws Exception {
        Path data = demoCa();
        Path web = temp.resolve("web");

        Run run = enroll("sip:web@example.com", "--data-dir", data.toString(), "--out", web.toString(),
                "--serve", "localhost:8443,127.0.0.1:8443");

        assertEquals(1, run.exit);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.contains("--serve 127.0.0.1:8443") && run.err.contains("would also pass as the key server")
                && run.err.contains("serve another name"), run.err);
        assertFalse(Files.exists(web), "nothing written");
    }

    @Test
    void withAnEarlierReleasesKeyServerNamedLocalhostItSaysToStartAfresh() throws Exception {
        Path data = demoCa();
        String password = Files.readString(data.resolve("password")).strip();
        // as earlier releases issued it; only its names are read
        CertificateAuthority.write(CertificateAuthority.create("earlier").issue("keyserver",
                List.of("localhost", "127.0.0.1"), CertificateAuthority.KeyType.EC_P256, password.toCharArray()),
                data.resolve("keyserver.p12"), password.toCharArray());
        Path web = temp.resolve("web");

        Run run = enroll("sip:web@example.com", "--data-dir", data.toString(), "--out", web.toString(),
                "--serve", "localhost:8443");

        assertEquals(1, run.exit);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.contains("names localhost") && run.err.contains("move " + data + " away"), run.err);
        assertFalse(Files.exists(web), "nothing written");
    }

    @Test
    void refusesAnOutOthersMayWriteAndWritesNothing() throws Exception {
        assumeTrue(DemoCredentialsTest.posix(temp), "POSIX permissions only");
        Path data = demoCa();
        Path shared = Files.createDirectory(temp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

        Run run = enroll("sip:app@example.com", "--data-dir", data.toString(), "--out", shared.toString());

        assertEquals(1, run.exit);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.contains(shared + " may be written by other users (rwxrwxrwx)"), run.err);
        assertEquals(Map.of(), DemoCredentialsTest.contents(shared), "nothing written");

        // a new directory there could be renamed away and replaced; under a sticky one (/tmp) only by its owner
        Path inside = shared.resolve("app");
        Run below = enroll("sip:app@example.com", "--data-dir", data.toString(), "--out", inside.toString());
        assertEquals(1, below.exit);
        assertTrue(below.err.contains(shared + " may be written by other users") && below.err.contains("sticky"),
                below.err);
        assertFalse(Files.exists(inside), "nothing written");

        Files.setAttribute(shared, "unix:mode", 01777);
        assertEquals(0, enroll("sip:app@example.com", "--data-dir", data.toString(), "--out", inside.toString()).exit);
        assertEquals("rwx------", DemoCredentialsTest.mode(inside));
    }

    @Test
    void theDefaultDirectoryIsTheAorsUserPart() {
        assertEquals("web", Enrolment.defaultDirectoryName("sip:web@example.com"));
        assertEquals("example.com", Enrolment.defaultDirectoryName("sips:example.com"));
    }

    private Path demoCa() throws Exception {
        Path data = temp.resolve("data");
        DemoCredentials.ensure(data, List.of());
        return data;
    }

    @Test
    void itsHelpFooterBreaksNoTokenAt80Columns() {
        CommandLine enroll = SipTlsCommand.commandLine().getSubcommands().get("enroll");
        enroll.setUsageHelpWidth(80);
        StringWriter help = new StringWriter();
        enroll.usage(new PrintWriter(help));

        String[] footer = enroll.getCommandSpec().usageMessage().footer();
        assertTrue(footer.length > 5, "the footer");
        for (String line : footer) {
            assertTrue(help.toString().lines().anyMatch(printed -> printed.stripTrailing().equals(line.stripTrailing())),
                    "'" + line + "' is printed on one line:\n" + help);
        }
    }

    private static String jdkProvider(int n) throws Exception {
        Properties jdk = new Properties();
        try (InputStream in = Files.newInputStream(JavaSecurityFiles.runningJdk().jdkFile())) {
            jdk.load(in);
        }
        return jdk.getProperty("security.provider." + n);
    }

    private static KeyStore load(Path file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    /** The subjectAltNames of the one key entry's certificate, as [type, name] lists. */
    private static List<List<?>> names(Path file, String password) throws Exception {
        KeyStore store = load(file, password);
        String alias = store.aliases().nextElement();
        Collection<List<?>> names = ((X509Certificate) store.getCertificate(alias)).getSubjectAlternativeNames();
        return List.copyOf(names);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run enroll(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = SipTlsCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "enroll";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cl.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }
}
