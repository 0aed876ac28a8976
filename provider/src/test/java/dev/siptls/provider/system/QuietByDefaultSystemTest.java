package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.provider.system.SipTlsWorld.Terminal;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an application sees on its console with the JDK's default logging (INFO and up) while SIP-TLS works:
 * accepted connections write nothing, and handshakes refused under {@code fallback=fail}, on the client side
 * and on the server side, write one line per reason (at most once a minute), never a stack trace.
 */
@Timeout(120)
@ExtendWith(SharedWorld.class)
class QuietByDefaultSystemTest {

    private static final int CONNECTIONS = 20;
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    @Test
    void acceptedConnectionsAndRefusedHandshakesLogNoStackTraceAndABoundedNumberOfLines(SipTlsWorld world)
            throws Exception {
        int sipPort = SipTlsWorld.freePort();
        Terminal sipServer = world.server(sipPort, Map.of());
        Terminal sipClient = world.client(Map.of());
        int failPort = SipTlsWorld.freePort();
        Terminal refusingServer = world.server(failPort, Map.of("fallback", "fail"));
        Terminal refusingClient = world.client(Map.of("fallback", "fail"));
        SipTlsWorld.awaitRegistered(sipServer, sipClient, refusingServer, refusingClient);
        int plainPort = SipTlsWorld.freePort();
        SSLContext plainServer = SSLContext.getInstance("TLSv1.2");
        plainServer.init(new KeyManager[]{SipTlsWorld.keyManager(world.pki.identity("localhost",
                List.of("localhost", "127.0.0.1")))}, null, null);
        SSLContext plainClient = SSLContext.getInstance("TLSv1.2");
        plainClient.init(null, world.trustingCa(), null);

        try (EchoServer sip = EchoServer.start(sipServer.context(), sipPort);
             EchoServer refusing = EchoServer.start(refusingServer.context(), failPort);
             EchoServer plain = EchoServer.start(plainServer, plainPort);
             ConsoleCapture console = ConsoleCapture.start()) {
            long started = System.nanoTime();
            for (int i = 0; i < CONNECTIONS; i++) {
                assertEquals("echo: accepted", EchoClient.exchange(sipClient.context(), "localhost", sipPort,
                        "accepted").answer());
                // No SA for a server nobody serves: the client refuses before its ClientHello.
                assertThrows(SSLHandshakeException.class,
                        () -> EchoClient.exchange(refusingClient.context(), "localhost", plainPort, "refused"));
                // A plain JSSE client offers no SA: the server refuses when it would choose its key.
                assertThrows(SSLException.class,
                        () -> EchoClient.exchange(plainClient, "localhost", failPort, "refused"));
            }
            long minutes = 1 + (System.nanoTime() - started) / MINUTE_NANOS;
            console.close();

            assertEquals(CONNECTIONS, sipClient.provider().statistics().getSipResumptionsAsClient());
            assertEquals(CONNECTIONS, refusingClient.provider().statistics().getRefusedHandshakes());
            assertEquals(CONNECTIONS, refusingServer.provider().statistics().getRefusedHandshakes());
            String text = console.text();
            System.out.println(console.records() + " records of INFO and up (" + console.thrown().size()
                    + " with a stack trace), " + text.lines().count() + " lines, for " + CONNECTIONS + " accepted and "
                    + 2 * CONNECTIONS + " refused handshakes");
            assertTrue(console.thrown().isEmpty(), "a record with a stack trace: " + console.thrown());
            assertTrue(!text.contains("\tat ") && !text.contains("    at "), "a stack trace was written:\n" + text);
            int reasons = refusingClient.provider().statistics().getFallbacksByReason().size()
                    + refusingServer.provider().statistics().getFallbacksByReason().size();
            assertTrue(console.records() <= reasons * minutes, console.records() + " records for " + reasons
                    + " refusal reasons in " + minutes + " minute(s) of " + CONNECTIONS + " accepted and "
                    + 2 * CONNECTIONS + " refused handshakes:\n" + text);
            assertTrue(text.contains("refused a full handshake with localhost:" + plainPort), text);
            assertTrue(text.contains("[client-offered-none]"), text);
        }
    }

    /**
     * Anyone who reaches a TLS port can open a connection and reset it: BCJSSE raises an alert each time, which it
     * logged with a stack trace. Twenty resets write at most one line of that kind, without a stack trace.
     */
    @Test
    void connectionsResetByAPeerLogAtMostOneLineWithoutAStackTrace(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        SipTlsWorld.awaitRegistered(server);
        try (EchoServer echo = EchoServer.start(server.context(), port);
             ConsoleCapture console = ConsoleCapture.start()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (java.net.Socket reset = new java.net.Socket("localhost", port)) {
                    reset.setSoLinger(true, 0); // close sends RST
                }
                echo.next();
            }
            console.close();

            String text = console.text();
            System.out.println(console.records() + " records of INFO and up, " + text.lines().count() + " lines, for "
                    + CONNECTIONS + " connections reset by the peer");
            assertTrue(console.thrown().isEmpty(), "a record with a stack trace: " + console.thrown());
            assertTrue(!text.contains("\tat ") && !text.contains("    at "), "a stack trace was written:\n" + text);
            assertTrue(console.records() <= 2, console.records() + " records for " + CONNECTIONS + " resets:\n" + text);
        }
    }

    /**
     * Log records of INFO and up, as the JDK's default console handler would print them, and what is written
     * to {@code System.err} meanwhile (where a stray {@code printStackTrace} goes). The key server's records
     * are left out: it shares this JVM here only, and in a deployment writes to a console of its own.
     */
    private static final class ConsoleCapture extends Handler implements AutoCloseable {
        private static final String KEY_SERVER = "dev.siptls.server.";
        private final StringBuffer text = new StringBuffer();
        private final List<String> thrown = new ArrayList<>();
        private final SimpleFormatter format = new SimpleFormatter();
        private final PrintStream errBefore = System.err;
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private int records;
        private boolean closed;

        static ConsoleCapture start() {
            ConsoleCapture capture = new ConsoleCapture();
            capture.setLevel(Level.INFO);
            Logger.getLogger("").addHandler(capture);
            System.setErr(new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (capture.err) {
                        capture.err.write(b);
                    }
                    capture.errBefore.write(b);
                }
            }, true, StandardCharsets.UTF_8));
            return capture;
        }

        @Override
        public synchronized void publish(LogRecord record) {
            if (!closed && isLoggable(record) && !String.valueOf(record.getLoggerName()).startsWith(KEY_SERVER)) {
                records++;
                text.append(format.format(record));
                if (record.getThrown() != null) {
                    thrown.add(record.getLoggerName() + ": " + record.getThrown());
                }
            }
        }

        synchronized int records() {
            return records;
        }

        synchronized List<String> thrown() {
            return List.copyOf(thrown);
        }

        String text() {
            synchronized (err) {
                return text + err.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                Logger.getLogger("").removeHandler(this);
                System.setErr(errBefore);
            }
        }
    }
}
