package dev.siptls.sip.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.spi.LoggingEvent;

/**
 * Everything a test run writes while it lasts: our {@code System.Logger} output at every level (through
 * java.util.logging, with {@code dev.siptls} opened to ALL), JAIN-SIP's log4j output, and stdout/stderr
 * (still printed as before). Then {@link #leak} tells whether a secret shows up in it in any usual spelling.
 */
public final class LogCapture implements AutoCloseable {

    private final StringBuffer text = new StringBuffer();
    private final Logger root = Logger.getLogger("");
    private final Logger ours = Logger.getLogger("dev.siptls");
    private final Level oursBefore = ours.getLevel();
    private final Handler julCapture = new JulCapture();
    private final AppenderSkeleton log4jCapture = new Log4jCapture();
    private final PrintStream outBefore = System.out;
    private final PrintStream errBefore = System.err;

    private LogCapture() {
    }

    /** Starts capturing; {@link #close()} restores loggers and streams. */
    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.julCapture.setLevel(Level.ALL);
        capture.root.addHandler(capture.julCapture);
        capture.ours.setLevel(Level.ALL);
        org.apache.log4j.Logger.getRootLogger().addAppender(capture.log4jCapture);
        System.setOut(capture.tee(capture.outBefore));
        System.setErr(capture.tee(capture.errBefore));
        return capture;
    }

    /** All captured so far. */
    public String text() {
        return text.toString();
    }

    /**
     * Which spelling of {@code secret} (lower or upper hex, base64, base64url) the captured text holds, if any.
     * The answer names the spelling only, so that a failing test does not print the secret itself.
     */
    public Optional<String> leak(byte[] secret) {
        String all = text();
        return SecretSpellings.of(secret).entrySet().stream().filter(s -> all.contains(s.getValue()))
                .map(Map.Entry::getKey).findFirst();
    }

    /** Fails, naming only the spelling, if any of {@code secrets} shows up in the captured text. */
    public void assertNotLeaked(Collection<byte[]> secrets) {
        for (byte[] secret : secrets) {
            leak(secret).ifPresent(spelling -> {
                throw new AssertionError("a master secret was logged or printed, in " + spelling);
            });
        }
    }

    @Override
    public void close() {
        root.removeHandler(julCapture);
        ours.setLevel(oursBefore);
        org.apache.log4j.Logger.getRootLogger().removeAppender(log4jCapture);
        System.setOut(outBefore);
        System.setErr(errBefore);
    }

    private PrintStream tee(PrintStream original) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                original.write(b);
                record(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                record(b, off, len);
            }

            private void record(byte[] b, int off, int len) {
                line.write(b, off, len);
                if (line.size() > 8192 || (len > 0 && b[off + len - 1] == '\n')) {
                    text.append(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                }
            }

            @Override
            public void flush() {
                original.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }

    private final class JulCapture extends Handler {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            text.append(format.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private final class Log4jCapture extends AppenderSkeleton {
        @Override
        protected void append(LoggingEvent event) {
            text.append(event.getRenderedMessage()).append('\n');
            String[] trace = event.getThrowableStrRep();
            if (trace != null) {
                text.append(String.join("\n", trace)).append('\n');
            }
        }

        @Override
        public void close() {
        }

        @Override
        public boolean requiresLayout() {
            return false;
        }
    }
}
