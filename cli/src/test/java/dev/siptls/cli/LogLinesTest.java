package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;

/** What {@code sip-tls server} prints for a record logged through System.Logger, as SIP-TLS logs. */
class LogLinesTest {

    /** Held strongly: java.util.logging keeps loggers only weakly. */
    private static final Logger JUL = Logger.getLogger("dev.siptls.cli.LogLinesTest");

    @Test
    void levelsAreNamedAsSystemLoggerNamesThem() {
        String printed = log(false, Level.DEBUG, Level.TRACE, Level.INFO, Level.WARNING, Level.ERROR);

        assertEquals(5, printed.lines().count(), printed);
        for (String name : new String[] {"DEBUG", "TRACE", "INFO", "WARNING", "ERROR"}) {
            assertTrue(printed.contains(" " + name + " dev.siptls.cli.LogLinesTest: said at " + name), printed);
        }
        assertFalse(printed.contains("FINE") || printed.contains("SEVERE"), printed);
    }

    @Test
    void aRecordsExceptionIsOneLineUnlessVerbose() {
        String quiet = log(false, Level.WARNING, null);
        String verbose = log(true, Level.WARNING, null);

        assertEquals(1, quiet.lines().count(), quiet);
        assertTrue(quiet.contains("(port in use; --verbose shows the stack trace)"), quiet);
        assertTrue(verbose.contains("\tat dev.siptls.cli.LogLinesTest"), verbose);
    }

    /** Logs one record per level through System.Logger; with a null after them, one with an exception instead. */
    private static String log(boolean stackTraces, Level... levels) {
        System.getProperties().putIfAbsent("java.util.logging.SimpleFormatter.format", LogLines.FORMAT); // as the server
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamHandler handler = new StreamHandler(out, new LogLines(stackTraces));
        handler.setLevel(java.util.logging.Level.ALL);
        JUL.setLevel(java.util.logging.Level.ALL);
        JUL.setUseParentHandlers(false);
        JUL.addHandler(handler);
        try {
            System.Logger logger = System.getLogger(JUL.getName());
            if (levels.length == 2 && levels[1] == null) {
                logger.log(levels[0], "cannot bind", new IllegalStateException("start failed", new IOException("port in use")));
            } else {
                for (Level level : levels) {
                    logger.log(level, "said at {0}", level.getName());
                }
            }
            handler.flush();
        } finally {
            JUL.removeHandler(handler);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
