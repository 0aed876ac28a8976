package dev.siptls.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps BCJSSE (which logs through java.util.logging, one logger per class under
 * {@code org.bouncycastle.jsse.provider}) quiet by default: it writes about six INFO lines per connection, a
 * stack trace at WARNING for every handshake SIP-TLS refuses under {@code fallback=fail}, which
 * {@link HandshakeLedger} already reports in one rate-limited line, and another for every peer that resets a
 * connection or sends a hello it cannot serve, which anyone who reaches a TLS port can repeat at will. So, where
 * SIP-TLS set the level, its alert lines come at most once a minute per kind, without the stack trace.
 *
 * <p>Only where the application configured nothing: a logger (or a named ancestor) with a level of its own
 * keeps it, and a logger with a filter of its own keeps it. The loggers set here are held strongly, since
 * java.util.logging holds loggers weakly and would forget the level with the logger.
 */
final class BcjsseLogging {

    static final String PACKAGE_LOGGER = "org.bouncycastle.jsse.provider";
    /** The loggers that report a fatal alert with its cause: the client's and the server's TLS peer. */
    static final List<String> ALERT_LOGGERS = List.of(PACKAGE_LOGGER + ".ProvTlsClient",
            PACKAGE_LOGGER + ".ProvTlsServer");

    private static final List<Logger> HELD = new ArrayList<>();
    private static final ReasonRateLimit<String> ALERTS = new ReasonRateLimit<>();
    /** BCJSSE's name of a connection at the start of its lines, e.g. {@code "[server #12 @1a2b3c] "}. */
    private static final Pattern CONNECTION = Pattern.compile("^\\[[^\\]]*\\] ");

    private BcjsseLogging() {
    }

    /** Sets the defaults once per JVM, before BCJSSE is first used. */
    static synchronized void quietByDefault() {
        if (!HELD.isEmpty()) {
            return;
        }
        Logger jsse = Logger.getLogger(PACKAGE_LOGGER);
        HELD.add(jsse);
        boolean quiet = !levelConfigured(jsse);
        if (quiet) {
            jsse.setLevel(Level.WARNING);
        }
        for (String name : ALERT_LOGGERS) {
            Logger alerts = Logger.getLogger(name);
            HELD.add(alerts);
            if (alerts.getFilter() == null) {
                alerts.setFilter(quiet ? BcjsseLogging::briefAlert : BcjsseLogging::notARefusal);
            }
        }
    }

    /**
     * Drops a refusal's record; lets one record per kind (logger and message, without the connection's name)
     * through a minute, without its stack trace but naming the exception, and saying how many were dropped.
     */
    static boolean briefAlert(LogRecord record) {
        if (!notARefusal(record)) {
            return false;
        }
        if (record.getLevel().intValue() < Level.WARNING.intValue() || record.getParameters() != null) {
            return true;
        }
        String message = String.valueOf(record.getMessage());
        long quiet = ALERTS.admit(record.getLoggerName() + " " + CONNECTION.matcher(message).replaceFirst(""));
        if (quiet < 0) {
            return false;
        }
        Throwable thrown = record.getThrown();
        record.setThrown(null);
        record.setMessage(message + (thrown == null ? "" : " (" + thrown + ")")
                + (quiet > 0 ? "; " + quiet + " more like it in the last minute not logged" : "")
                + " [at most one such line a minute; org.bouncycastle.jsse.provider.level=FINE shows each]");
        return true;
    }

    /** Whether the application set a level on {@code logger} or a named ancestor (the root's default aside). */
    private static boolean levelConfigured(Logger logger) {
        for (Logger l = logger; l != null && !l.getName().isEmpty(); l = l.getParent()) {
            if (l.getLevel() != null) {
                return true;
            }
        }
        return false;
    }

    /** Drops BCJSSE's record of an alert that a SIP-TLS refusal caused: the ledger has said why. */
    private static boolean notARefusal(LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RefusedHandshakeException) {
                return false;
            }
        }
        return true;
    }
}
