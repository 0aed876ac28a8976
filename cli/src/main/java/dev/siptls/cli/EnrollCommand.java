package dev.siptls.cli;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.CertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sip-tls enroll AOR}: issues an agent's identity from the demo CA of {@code sip-tls server} and writes
 * everything an application JVM needs to run the provider ({@link Enrolment}), then prints how to start one.
 */
@Command(name = "enroll", mixinStandardHelpOptions = true,
        description = {"Issues an agent identity for AOR from the demo CA that `sip-tls server` keeps in --data-dir and"
                + " writes, owner-only, into --out: the agent's key store (the AOR as subjectAltName URI), the trust"
                + " store (the demo CA), with --serve a TLS server key store naming those hosts, the password,"
                + " a ready sip-tls.properties and a java.security fragment installing the provider;"
                + " then prints the command to start an application with them."},
        // each line within 80 columns: picocli would otherwise break it inside a token
        footer = {"", "With a CA of your own, do not use enroll; per agent (README, \"Enrolling with",
            "your own CA\"):",
            "  1. a key and certificate whose subjectAltName holds the AOR as URI",
            "     (URI:sip:web@example.com), in a PKCS#12 key store (keyStore=,",
            "     keyStorePassword= or keyStorePassword.env=);",
            "  2. a trust store holding the CA that issued the key server's certificate",
            "     (trustStore=);",
            "  3. a TLS server: its serving key and certificate, whose subjectAltName names",
            "     every host of serve= as DNS or IP (DNS:www.example.com), in the key store",
            "     the application serves with; never a name the key server's certificate",
            "     carries (agents would take it for the key server);",
            "  4. sip-tls.properties with aor, keyStore, keyStorePassword, trustStore,",
            "     trustStorePassword, keyServer, serve",
            "     (META-INF-templates/sip-tls.properties);",
            "  5. security.provider.N=SipTls /abs/path/sip-tls.properties in java.security",
            "     or in a -Djava.security.properties file, N one more than the JDK's highest",
            "     (13 on a stock JDK 17).",
            "The key server must trust that CA for agents (truststore=) and for TLS server",
            "certificates (policy.truststore=)."})
final class EnrollCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    static final String DEFAULT_KEY_SERVER = "127.0.0.1:5061";

    /** The URL printed for a client's next command, where the server it will talk to goes. */
    static final String SERVED_URL = "https://<host:port of a served server>/";

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "AOR", description = "The agent's address of record, e.g. sip:web@example.com.")
    String aor;

    @Option(names = "--serve", paramLabel = "HOST:PORT", split = ",",
            description = "host:port(s) the application serves as a TLS server; its certificate names these hosts"
                    + " (none the key server's certificate names).")
    List<String> serve = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write (default: a directory named after the AOR's user part).")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "sip-tls-data",
            description = "The demo credentials of `sip-tls server` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--key-server", paramLabel = "HOST:PORT", defaultValue = DEFAULT_KEY_SERVER,
            description = "The key server's SIP-over-TLS address(es), host:port[,host:port] (default: ${DEFAULT-VALUE}).")
    String keyServer;

    @Option(names = "--force", description = "Replace an enrolment already in --out (new keys, new password).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Enrolment.Request request;
        try {
            String name = Enrolment.defaultDirectoryName(aor);
            List<HostPort> hosts = serve.stream().map(s -> hostPort("--serve", s)).toList();
            for (String entry : keyServer.split(",")) {
                hostPort("--key-server", entry.trim());
            }
            request = new Enrolment.Request(aor, hosts, keyServer, out != null ? out : Path.of(name), force);
        } catch (IllegalArgumentException e) {
            err.println("sip-tls enroll: " + e.getMessage());
            err.flush();
            return 2;
        }
        Enrolment.Result result;
        try {
            Path data = dataDir.toAbsolutePath().normalize();
            CertificateAuthority ca = DemoCredentials.existingCa(data);
            result = Enrolment.write(ca, DemoCredentials.existingKeyServerCertificate(data), data, request);
        } catch (DemoCredentials.RefusedException | Enrolment.RefusedException e) {
            err.println("sip-tls enroll: " + e.getMessage());
            err.flush();
            return 1;
        }
        result.warnings().forEach(err::println);
        err.flush();
        print(stdout, request, result);
        stdout.flush();
        return 0;
    }

    private static HostPort hostPort(String option, String text) {
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not host:port (" + e.getMessage() + ")");
        }
    }

    private static void print(PrintWriter out, Enrolment.Request request, Enrolment.Result result) {
        Path dir = result.directory();
        out.println("Enrolled " + request.aor() + " in " + LaunchCommands.display(dir) + " (owner-only, PKCS#12):");
        out.println("  agent key store     " + LaunchCommands.display(dir.resolve(Enrolment.AGENT))
                + "   (proves " + request.aor() + " to the key server)");
        result.tlsServer().ifPresent(p -> out.println("  TLS server keys     " + LaunchCommands.display(p)
                + "   (names " + String.join(", ", request.serve().stream().map(HostPort::host).distinct().toList())
                + "; the application serves with it)"));
        out.println("  trust store         " + LaunchCommands.display(dir.resolve(Enrolment.TRUST_STORE))
                + "   (the demo CA)");
        out.println("  password            " + LaunchCommands.display(dir.resolve(Enrolment.PASSWORD))
                + "   (opens the " + (result.tlsServer().isPresent() ? "three" : "two")
                + " stores; also in sip-tls.properties)");
        out.println("  configuration       " + LaunchCommands.display(result.properties()) + "   (key server "
                + request.keyServer() + (request.serve().isEmpty() ? "" : ", serve "
                + String.join(",", request.serve().stream().map(HostPort::toString).toList())) + ")");
        out.println("  java.security       " + LaunchCommands.display(result.javaSecurity())
                + "   (security.provider." + result.providerNumber() + "=SipTls " + result.properties() + ")");
        out.println();
        String trust = " --trust-store " + LaunchCommands.display(dir.resolve(Enrolment.TRUST_STORE));
        if (result.tlsServer().isPresent()) {
            HostPort first = request.serve().get(0);
            out.println("Start an HTTPS server with it (SSLContext \"SIP-TLS\" from the installed provider):");
            out.println("  " + LaunchCommands.application(result.javaSecurity(), "https-server " + first
                    + " --key-store " + LaunchCommands.display(result.tlsServer().get())));
        } else {
            // a placeholder no shell or URL parser takes: which server it will talk to, enroll cannot know
            out.println("Start an HTTPS client with it (SSLContext \"SIP-TLS\" from the installed provider), towards a"
                    + " server enrolled with --serve, its HOST:PORT in the URL:");
            out.println("  " + LaunchCommands.application(result.javaSecurity(), "https-get " + SERVED_URL
                    + trust + " --count 3"));
        }
        out.println("Your own application: the same -Djava.security.properties=" + LaunchCommands.display(
                result.javaSecurity()) + ", " + LaunchCommands.jarText() + " on its class path,"
                + " and SSLContext.getInstance(\"SIP-TLS\").");
    }
}
