package dev.siptls.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps BCJSSE (which logs through java.util.logging, one logger per class under
 * {@code org.bouncycastle.jsse.provider}) quiet by default: it writes about six INFO lines per connection, and
 * a stack trace at WARNING for every handshake SIP-TLS refuses under {@code fallback=fail}, which
 * {@link HandshakeLedger} already reports in one rate-limited line.
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

    private BcjsseLogging() {
    }

    /** Sets the defaults once per JVM, before BCJSSE is first used. */
    static synchronized void quietByDefault() {
        if (!HELD.isEmpty()) {
            return;
        }
        Logger jsse = Logger.getLogger(PACKAGE_LOGGER);
        HELD.add(jsse);
        if (!levelConfigured(jsse)) {
            jsse.setLevel(Level.WARNING);
        }
        for (String name : ALERT_LOGGERS) {
            Logger alerts = Logger.getLogger(name);
            HELD.add(alerts);
            if (alerts.getFilter() == null) {
                alerts.setFilter(BcjsseLogging::notARefusal);
            }
        }
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
