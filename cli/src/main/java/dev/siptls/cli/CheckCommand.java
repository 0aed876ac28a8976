package dev.siptls.cli;

import dev.siptls.provider.SipTlsConfiguration;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sip-tls check}: tells an operator, one plain line per check, whether the SipTls provider is installed
 * (java.security, its position, the silent gap), whether its sip-tls.properties is valid, whether the key
 * server answers and the agent registers, and which bctls the bridge found; and what to fix. Exit code 0 only if
 * every check passed.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks that the SipTls provider is installed and works: java.security (position of SipTls,"
                + " gaps in the security.provider.N numbering), sip-tls.properties (key and trust stores, the"
                + " agent's certificate), the key servers (TCP, mutual TLS, SIP, a real registration unless the AOR is"
                + " registered now: then an application with this configuration runs, and check only says where)"
                + " and bctls."},
        footer = {"", "Exit codes: 0 every check passed; 1 a check failed (its FAIL line says what to do);"
                + " 2 wrong usage.",
                "Run it as the application runs, e.g. java -Djava.security.properties=FILE -jar sip-tls.jar check,"
                        + " to also see whether this JDK really loads SipTls."})
final class CheckCommand implements Callable<Integer> {

    /** Loggers whose lines would interleave with the report; the report says what they would. */
    private static final List<String> QUIET = List.of("dev.siptls", "org.bouncycastle");

    @Spec
    CommandSpec spec;

    @Option(names = "--java-security", paramLabel = "FILE", description = "The file the application gives to"
            + " -Djava.security.properties (a leading '=' replaces the JDK's java.security, as '==' does there);"
            + " default: this JVM's java.security.properties, if set.")
    String javaSecurity;

    @Option(names = "--properties", paramLabel = "FILE",
            description = "The sip-tls.properties to check (default: the argument of the SipTls line found).")
    Path properties;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait for a key server's answer and for the registration (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--verbose", description = "Show the provider's log and the stack trace of every failure.")
    boolean verbose;

    @Override
    public Integer call() {
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second");
        }
        Optional<String> misused = missingFile("--java-security", javaSecurity)
                .or(() -> missingFile("--properties", properties == null ? null : properties.toString()));
        if (misused.isPresent()) {
            // one line, as a wrong command line is: nothing was checked yet
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + misused.get());
            err.flush();
            return spec.exitCodeOnInvalidInput();
        }
        PrintWriter out = spec.commandLine().getOut();
        CheckReport report = new CheckReport(out, verbose);
        Map<Logger, Level> quieted = quietLogs();
        try {
            checks(report);
        } catch (RuntimeException | LinkageError e) {
            report.fail("the check itself failed: " + e, "run again with --verbose", e);
        } finally {
            restore(quieted);
        }
        report.summary();
        return report.failed() ? 1 : 0;
    }

    private void checks(CheckReport report) {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        String thisJvm = System.getProperty("java.security.properties");
        String checked = javaSecurity != null ? javaSecurity : thisJvm;

        report.section("Installation");
        JavaSecurityFiles files = JavaSecurityFiles.read(
                JavaSecurityFiles.jdkFile(Path.of(System.getProperty("java.home"))), checked);
        Optional<String> argument = new InstallationCheck(report).run(files, javaSecurity != null,
                sameFile(checked, thisJvm));

        report.section("Configuration");
        Path file = properties != null ? properties : argument.map(Path::of).orElse(null);
        Optional<SipTlsConfiguration> config = Optional.empty();
        if (file == null) {
            report.fail("no sip-tls.properties to check: no SipTls line names one",
                    "give it with --properties FILE");
        } else {
            config = new ConfigurationCheck(report).run(file, Instant.now());
        }

        report.section("Key server");
        if (config.isPresent()) {
            new KeyServerCheck(report, timeout).run(config.get(), file);
        } else {
            report.skip("key server and registration: no valid sip-tls.properties");
        }

        report.section("bctls");
        new BctlsCheck(report).run();
    }

    /** What is wrong with a file flag's value that names no file; empty if it names one (or is not given). */
    private static Optional<String> missingFile(String flag, String value) {
        if (value == null) {
            return Optional.empty();
        }
        Path file;
        try {
            file = Path.of(JavaSecurityFiles.expand(value.replaceFirst("^=", "")));
        } catch (IllegalArgumentException e) {
            return Optional.of(flag + " " + value + ": " + e.getMessage());
        }
        if (!java.nio.file.Files.exists(file)) {
            return Optional.of(flag + " " + value + " does not exist; give the path of an existing file");
        }
        if (!java.nio.file.Files.isRegularFile(file)) {
            return Optional.of(flag + " " + value + " is not a file; give the path of one");
        }
        return Optional.empty();
    }

    /** Whether two values of java.security.properties name the same file the same way. */
    private static boolean sameFile(String a, String b) {
        if (a == null || b == null) {
            return a == null && b == null;
        }
        if (a.startsWith("=") != b.startsWith("=")) {
            return false;
        }
        try {
            return Path.of(JavaSecurityFiles.expand(a.replaceFirst("^=", ""))).toAbsolutePath().normalize()
                    .equals(Path.of(JavaSecurityFiles.expand(b.replaceFirst("^=", ""))).toAbsolutePath().normalize());
        } catch (RuntimeException e) {
            return Objects.equals(a, b);
        }
    }

    /** Silences {@link #QUIET} unless verbose; returns each logger with the level to restore. */
    private Map<Logger, Level> quietLogs() {
        Map<Logger, Level> saved = new LinkedHashMap<>();
        if (verbose) {
            ServerCommand.configureLogging(true);
            return saved;
        }
        for (String name : QUIET) {
            Logger logger = Logger.getLogger(name);
            saved.put(logger, logger.getLevel());
            logger.setLevel(Level.OFF);
        }
        return saved;
    }

    private static void restore(Map<Logger, Level> saved) {
        saved.forEach(Logger::setLevel);
    }
}
