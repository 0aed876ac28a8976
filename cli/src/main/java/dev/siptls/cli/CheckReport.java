package dev.siptls.cli;

import dev.siptls.sip.PrintableText;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The lines {@code sip-tls check} prints: one per check, {@code ok}, {@code warn} or {@code FAIL} and, for the
 * last two, what to do; {@code skip} for a check that could not run; {@code info} for facts that are no check.
 * Stack traces only when verbose. Everything printed passes through {@link PrintableText}: much of it comes from
 * the network (a key server's status line and Contact, node and certificate names, exception messages), and a
 * peer's escape sequences must not rewrite the operator's terminal.
 */
final class CheckReport {

    private final PrintWriter out;
    private final boolean verbose;
    private int checks;
    private int failed;
    private int warned;

    CheckReport(PrintWriter out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    void section(String title) {
        out.println(PrintableText.of(title));
        out.flush();
    }

    void ok(String what) {
        checks++;
        line("ok", what);
    }

    void fail(String what, String todo) {
        fail(what, todo, null);
    }

    void fail(String what, String todo, Throwable cause) {
        checks++;
        failed++;
        line("FAIL", todo == null ? what : what + " -> " + todo);
        trace(cause);
    }

    void warn(String what, String todo) {
        warned++;
        line("warn", todo == null ? what : what + " -> " + todo);
    }

    void skip(String what) {
        line("skip", what);
    }

    void info(String what) {
        line("info", what);
    }

    private void line(String status, String text) {
        out.printf("%-6s%s%n", status, PrintableText.of(text));
        out.flush();
    }

    private void trace(Throwable cause) {
        if (verbose && cause != null) {
            StringWriter trace = new StringWriter();
            cause.printStackTrace(new PrintWriter(trace));
            trace.toString().lines().forEach(line -> out.println(PrintableText.of(line)));
            out.flush();
        }
    }

    boolean failed() {
        return failed > 0;
    }

    /** The closing line. */
    void summary() {
        String warnings = warned == 0 ? "" : ", " + warned + (warned == 1 ? " warning" : " warnings");
        out.println(failed == 0
                ? "sip-tls check: all " + checks + " checks passed" + warnings
                : "sip-tls check: " + failed + " of " + checks + " checks FAILED" + warnings
                        + "; each FAIL line says what to do");
        out.flush();
    }
}
