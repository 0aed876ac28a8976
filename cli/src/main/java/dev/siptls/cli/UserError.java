package dev.siptls.cli;

/**
 * A failure the user can fix: its message says in one line what went wrong, where (the file, key, address or
 * port) and what to do. The command line prints only that line; {@code --verbose} adds the stack trace.
 */
class UserError extends RuntimeException {

    /** The exit code of a configuration or start-up error; picocli's usage errors exit with 2. */
    static final int EXIT_CODE = 1;

    UserError(String message) {
        super(message);
    }

    UserError(String message, Throwable cause) {
        super(message, cause);
    }

    int exitCode() {
        return EXIT_CODE;
    }
}
