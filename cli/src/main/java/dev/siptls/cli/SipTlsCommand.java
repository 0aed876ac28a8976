package dev.siptls.cli;

import picocli.CommandLine;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code sip-tls}: the command line of SIP-TLS. {@code demo} reproduces the paper's evaluation on an embedded
 * key server and terminals; {@code server} runs a key server (with demo credentials if none are configured);
 * {@code enroll} issues an agent's files from the demo CA; {@code https-server} and {@code https-get} are a plain
 * JSSE server and client on the installed provider; {@code check} says whether an installation works;
 * {@code bench} measures handshake costs and the key server's distribution rate.
 */
@Command(name = "sip-tls",
        mixinStandardHelpOptions = true,
        versionProvider = SipTlsCommand.Version.class,
        description = "TLS handshakes whose security associations are distributed by a SIP key server.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:a configuration or start-up error, said in one line (--verbose adds the stack"
                + " trace)", "2:a usage error: an unknown option, a value that is not valid for it"},
        subcommands = {DemoCommand.class, ServerCommand.class, EnrollCommand.class, CheckCommand.class,
                HttpsServerCommand.class, HttpsGetCommand.class, BenchCommand.class, ExportSessionCommand.class,
                CommandLine.HelpCommand.class})
public final class SipTlsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Option(names = "--verbose", description = "On an error, print its stack trace too (`sip-tls server --verbose`"
            + " does that and also logs every decision).")
    boolean verbose;

    /** The command line as {@link #main} runs it, for tests. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SipTlsCommand());
        cli.setExecutionExceptionHandler(SipTlsCommand::failed);
        cli.setParameterExceptionHandler(SipTlsCommand::misused);
        return cli;
    }

    /**
     * One line for an error the user can fix ({@link UserError}), two for any other: what failed and how to see
     * more. The stack trace only with {@code --verbose}.
     */
    private static int failed(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        if (e instanceof UserError user) {
            err.println(name + ": " + user.getMessage());
        } else {
            err.println(name + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getName()));
            if (!verbose(parsed)) {
                err.println("(unexpected; run again with --verbose for the stack trace)");
            }
        }
        if (verbose(parsed)) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof UserError user ? user.exitCode() : UserError.EXIT_CODE;
    }

    /** The mistake and where to look, in two lines, not the whole usage. */
    private static int misused(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        List<String> suggestions = e instanceof UnmatchedArgumentException unmatched ? unmatched.getSuggestions()
                : List.of();
        err.println((suggestions.isEmpty() ? "" : "Did you mean " + String.join(" or ", suggestions) + "? ")
                + "See '" + command.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Whether {@code --verbose} was given to the command or any of its subcommands. */
    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** No command is a usage error, as with git: the usage goes to stderr ({@code --help} prints it on stdout). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
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
