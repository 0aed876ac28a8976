package dev.siptls.cli;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * How the command line prints a log record: in the format of {@code java.util.logging.SimpleFormatter.format},
 * with the level names of {@code System.Logger}, through which SIP-TLS logs and which README and {@code --help}
 * use (DEBUG, not java.util.logging's FINE). Without stack traces a record stays one line: its exception (a
 * library's, say JGroups' on a port in use) is told by its innermost message.
 */
final class LogLines extends SimpleFormatter {

    /** The format unless {@code java.util.logging.SimpleFormatter.format} gives another: date, time, level, logger. */
    static final String FORMAT = "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n";

    static final Level ERROR = new Named("ERROR", Level.SEVERE);
    static final Level DEBUG = new Named("DEBUG", Level.FINE);
    static final Level TRACE = new Named("TRACE", Level.FINER);

    private final boolean stackTraces;

    LogLines(boolean stackTraces) {
        this.stackTraces = stackTraces;
    }

    @Override
    public String format(LogRecord record) {
        String message = formatMessage(record);
        Throwable thrown = record.getThrown();
        if (thrown != null && !stackTraces) {
            Throwable innermost = thrown;
            while (innermost.getCause() != null) {
                innermost = innermost.getCause();
            }
            String why = innermost.getMessage() != null ? innermost.getMessage() : innermost.getClass().getSimpleName();
            message += " (" + why + "; --verbose shows the stack trace)";
            thrown = null;
        }
        LogRecord line = new LogRecord(systemLoggerLevel(record.getLevel()), message);
        line.setThrown(thrown);
        line.setInstant(record.getInstant());
        line.setLoggerName(record.getLoggerName());
        line.setSourceClassName(record.getSourceClassName());
        line.setSourceMethodName(record.getSourceMethodName());
        return super.format(line);
    }

    /** The level as {@code System.Logger} names it; the JDK maps its DEBUG to FINE and TRACE to FINER. */
    static Level systemLoggerLevel(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return ERROR;
        } else if (value >= Level.INFO.intValue()) {
            return level; // INFO and WARNING are named alike
        } else if (value >= Level.FINE.intValue()) {
            return DEBUG; // FINE, and CONFIG as the JDK's own loggers map it
        }
        return TRACE;
    }

    /** A level under another name; its value is the java.util.logging level's, so filtering is unchanged. */
    private static final class Named extends Level {
        private static final long serialVersionUID = 1L;

        Named(String name, Level like) {
            super(name, like.intValue());
        }
    }
}
