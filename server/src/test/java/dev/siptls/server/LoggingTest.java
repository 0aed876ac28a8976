package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

/** Whatever the key server and its SIP stack log while distributing an SA, the master secret is not in it. */
class LoggingTest {

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    @Test
    void logsOfAnSaDistributionHoldNoMasterSecret() throws Exception {
        Logger jul = Logger.getLogger("");
        Logger ours = Logger.getLogger("dev.siptls");
        Level oldLevel = ours.getLevel();
        Handler capture = new Capture();
        capture.setLevel(Level.ALL);
        jul.addHandler(capture);
        ours.setLevel(Level.ALL);
        org.apache.log4j.Logger log4j = org.apache.log4j.Logger.getRootLogger();
        AppenderSkeleton log4jCapture = new Log4jCapture();
        log4j.addAppender(log4jCapture);
        byte[] secret;
        try (Fixture fixture = new Fixture()) {
            TestAgent server = fixture.serverAgent("sip:log-server@example.com", new HostPort("log.example.com", 443));
            TestAgent client = fixture.client("sip:log-client@example.com");
            assertEquals(200, client.invite("sips:log-server@example.com").getStatusCode());
            SecurityAssociation sa = TestAgent.CODEC.decodeAssociation(server.nextInvite().getRawContent());
            secret = sa.masterSecret();
            server.nextAck();
        } finally {
            jul.removeHandler(capture);
            ours.setLevel(oldLevel);
            log4j.removeAppender(log4jCapture);
        }

        String all = String.join("\n", lines);
        assertTrue(all.contains("sent to the client"), "the DEBUG decisions were captured: " + all);
        assertFalse(all.contains(HexFormat.of().formatHex(secret)));
        assertFalse(all.contains(HexFormat.of().withUpperCase().formatHex(secret)));
        assertFalse(all.contains(Base64.getEncoder().encodeToString(secret)));
        assertFalse(all.contains(Base64.getUrlEncoder().withoutPadding().encodeToString(secret)));
        assertFalse(all.contains("MasterSecret"));
    }

    private final class Capture extends Handler {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            lines.add(format.format(record));
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
            lines.add(event.getRenderedMessage() + " " + String.join("\n",
                    event.getThrowableStrRep() == null ? new String[0] : event.getThrowableStrRep()));
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
