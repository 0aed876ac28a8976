package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.cli.SipTlsCommand;
import dev.siptls.provider.SipTlsConfiguration;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.testing.TestPki;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The drop-in installation, from the deployer's templates in {@code META-INF-templates/}: a key server started
 * by the real {@code sip-tls server} command from {@code keyserver.properties}, and a child JVM whose only
 * SIP-TLS configuration is {@code -Djava.security.properties=sip-tls.java.security} (the java.security line)
 * naming {@code sip-tls.properties}. Also: ServiceLoader discovery, and every configuration key documented.
 */
@Timeout(180)
class InstallationTest {

    private static final Pattern LISTENING = Pattern.compile("listening on tls:([0-9.]+):(\\d+)");

    @TempDir
    Path dir;

    @Test
    void childJvmInstalledThroughJavaSecurityPropertiesGetsAHealthySipTlsContext() throws Exception {
        TestPki pki = new TestPki();
        Path trust = dir.resolve("trust.p12");
        CertificateAuthority.write(pki.ca().trustStore(), trust, TestPki.PASSWORD);
        Path keyServerStore = dir.resolve("keyserver.p12");
        CertificateAuthority.write(pki.keyServer().keyStore(), keyServerStore, TestPki.PASSWORD);
        CertificateAuthority.write(pki.agent("sip:installed@example.com").keyStore(), dir.resolve("installed.p12"),
                TestPki.PASSWORD);
        Path keyServerConfig = Templates.write("keyserver.properties", Map.of("keystore", keyServerStore.toString(),
                "truststore", trust.toString(), "bind", "127.0.0.1", "port", "0"), dir.resolve("keyserver.properties"));
        Map<String, String> passwords = Map.of("SIPTLS_KEYSTORE_PASSWORD", Deployment.PASSWORD,
                "SIPTLS_TRUSTSTORE_PASSWORD", Deployment.PASSWORD);

        try (ExternalProcess keyServer = ExternalProcess.start(ChildJvm.command(List.of(),
                SipTlsCommand.class.getName(), "server", "--config", keyServerConfig.toString()), dir, passwords)) {
            assertTrue(keyServer.awaitOutput(o -> LISTENING.matcher(o).find(), Duration.ofSeconds(60)),
                    "sip-tls server did not start:\n" + keyServer.output());
            Matcher listening = LISTENING.matcher(keyServer.output());
            assertTrue(listening.find());
            Path providerConfig = Templates.write("sip-tls.properties", Map.of("aor", "sip:installed@example.com",
                    "keyStore", "installed.p12", "trustStore", "trust.p12",
                    "keyServer", listening.group(1) + ":" + listening.group(2)), dir.resolve("sip-tls.properties"));
            Map<String, String> install = Map.of("N", String.valueOf(ChildJvm.nextProviderNumber()),
                    "sipTlsProperties", providerConfig.toAbsolutePath().toString());
            Path securityProperties = Templates.write("sip-tls.java.security", install,
                    dir.resolve("sip-tls.java.security"));
            assertEquals(Templates.withoutComments("java.security.line", Templates.render("java.security.line", install)),
                    Templates.withoutComments("sip-tls.java.security", Templates.render("sip-tls.java.security", install)),
                    "java.security.line and sip-tls.java.security install the same way");

            String output;
            int exit;
            try (ExternalProcess application = ExternalProcess.start(ChildJvm.command(
                    List.of("-Djava.security.properties=" + securityProperties), InstalledProviderMain.class.getName()),
                    dir, passwords)) {
                exit = application.awaitExit(Duration.ofSeconds(90));
                output = application.output();
            }
            System.out.println("child JVM with -Djava.security.properties=" + securityProperties.getFileName()
                    + ":\n" + output);

            assertEquals(0, exit, output + "\nkey server:\n" + keyServer.output());
            assertTrue(output.contains("SSLContext SIP-TLS from provider SipTls (" + SipTlsProvider.class.getName()
                    + ")"), output);
            assertTrue(output.contains("healthy: SipTlsHealth[sip:installed@example.com"), output);
            assertTrue(output.contains("agent REGISTERED"), output);

            // An application that just returns from main, closing nothing: its JVM exits all the same.
            try (ExternalProcess application = ExternalProcess.start(ChildJvm.command(
                    List.of("-Djava.security.properties=" + securityProperties), InstalledProviderMain.class.getName(),
                    "return"), dir, passwords)) {
                exit = application.awaitExit(Duration.ofSeconds(60));
                output = application.output();
            }
            assertTrue(output.contains("main returns"), output);
            assertEquals(0, exit, "the JVM did not exit after main returned:\n" + output);
            assertFalse(output.contains("failed") || output.contains("Exception"),
                    "stopping the agents at the application's end is no failure:\n" + output);

            keyServer.terminate(Duration.ofSeconds(30));
        }
    }

    @Test
    void serviceLoaderFindsTheSipTlsProvider() {
        List<String> found = new ArrayList<>();
        for (Provider p : ServiceLoader.load(Provider.class)) {
            found.add(p.getName() + "=" + p.getClass().getName());
        }

        assertTrue(found.contains(SipTlsProvider.NAME + "=" + SipTlsProvider.class.getName()), found.toString());
    }

    @Test
    void servicesTemplateNamesTheClassTheProviderJarRegisters() throws Exception {
        String template = Templates.withoutComments("java.security.Provider",
                Templates.read("META-INF/services/java.security.Provider")).strip();
        // The provider's own entry: other jars on the class path (Bouncy Castle's) register providers too.
        String home = SipTlsProvider.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        java.net.URL entry = java.util.Collections.list(SipTlsProvider.class.getClassLoader()
                        .getResources("META-INF/services/java.security.Provider")).stream()
                .filter(url -> url.getPath().contains(home)).findFirst().orElseThrow();
        String inJar;
        try (InputStream in = entry.openStream()) {
            inJar = Templates.withoutComments("java.security.Provider",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)).strip();
        }

        assertEquals(SipTlsProvider.class.getName(), template);
        assertEquals(inJar, template);
    }

    @Test
    void providerTemplateDocumentsEveryConfigurationKey() throws Exception {
        Set<String> documented = documentedKeys(Templates.read("sip-tls.properties"));

        assertEquals(new TreeSet<>(SipTlsConfiguration.KEYS), documented);
    }

    @Test
    void keyServerTemplateDocumentsEveryKeyTheCommandKnows() throws Exception {
        StringWriter help = new StringWriter();
        CommandLine command = new CommandLine(new SipTlsCommand()).setOut(new PrintWriter(help));
        assertEquals(0, command.execute("server", "--help-config"));
        Set<String> known = help.toString().lines().filter(l -> l.startsWith("  ") && !l.isBlank())
                .map(l -> l.strip().split("\\s+")[0]).filter(k -> k.matches("[a-z][a-z.-]*"))
                .collect(Collectors.toCollection(TreeSet::new));

        Set<String> documented = documentedKeys(Templates.read("keyserver.properties"));

        assertTrue(known.size() >= 15, "keys read from --help-config: " + known);
        assertEquals(known, documented);
    }

    /** Keys set or shown commented out ({@code key=} or {@code #key=} at the start of a line). */
    private static Set<String> documentedKeys(String properties) {
        return properties.lines().map(l -> l.startsWith("#") ? l.substring(1) : l)
                .filter(l -> l.matches("[A-Za-z][A-Za-z0-9.-]*=.*"))
                .map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toCollection(TreeSet::new));
    }
}
