package dev.siptls.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sip-tls}: the command line of SIP-TLS. {@code demo} reproduces the paper's evaluation on an embedded
 * key server and terminals; {@code server} runs a key server (with demo credentials if none are configured);
 * {@code enroll} issues an agent's files from the demo CA; {@code https-server} and {@code https-get} are a plain
 * JSSE server and client on the installed provider; {@code bench} measures handshake costs and the key server's
 * distribution rate.
 */
@Command(name = "sip-tls",
        mixinStandardHelpOptions = true,
        versionProvider = SipTlsCommand.Version.class,
        description = "TLS handshakes whose security associations are distributed by a SIP key server.",
        subcommands = {DemoCommand.class, ServerCommand.class, EnrollCommand.class, CheckCommand.class,
                HttpsServerCommand.class, HttpsGetCommand.class, BenchCommand.class, ExportSessionCommand.class,
                CommandLine.HelpCommand.class})
public final class SipTlsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@link #main} runs it, for tests. */
    static CommandLine commandLine() {
        return new CommandLine(new SipTlsCommand());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, if built as one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SipTlsCommand.class.getPackage().getImplementationVersion();
            return new String[] {"sip-tls " + (v == null ? "(development build)" : v)};
        }
    }
}
