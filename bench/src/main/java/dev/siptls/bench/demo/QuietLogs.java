package dev.siptls.bench.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a benchmark's output to its own progress: BCJSSE logs every connection at INFO and the agents every
 * registration; hundreds of each would bury the table. Raised while the demo (or the load run) runs,
 * restored afterwards.
 */
public final class QuietLogs implements AutoCloseable {

    private static final String[] NOISY = {"org.bouncycastle", "dev.siptls", "gov.nist", "javax.sip"};

    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Level> previous = new ArrayList<>();

    public QuietLogs() {
        for (String name : NOISY) {
            Logger logger = Logger.getLogger(name);
            loggers.add(logger);
            previous.add(logger.getLevel());
            logger.setLevel(Level.SEVERE);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).setLevel(previous.get(i));
        }
    }
}
