package dev.siptls.cli;

import picocli.CommandLine.Option;

/**
 * {@code --verbose} for the commands that give it no meaning of their own: on an error, its stack trace too, as
 * {@code sip-tls --verbose COMMAND} does. SipTlsCommand's error handler finds it in the parse result.
 */
final class VerboseOption {

    @Option(names = "--verbose", description = "On an error, print its stack trace too.")
    boolean verbose;
}
