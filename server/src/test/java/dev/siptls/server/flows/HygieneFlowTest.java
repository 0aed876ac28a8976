package dev.siptls.server.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;
import org.apache.log4j.PatternLayout;
import org.apache.log4j.WriterAppender;
import org.junit.jupiter.api.Test;

/** What agents and key server leave behind: no master secret in any log, no thread after close. */
class HygieneFlowTest {

    private static final HostPort WWW = new HostPort("www.example.com", 8443);

    @Test
    void noMasterSecretReachesAnyLogOrConsoleDuringDistribution() throws Exception {
        List<SecurityAssociation> distributed = new ArrayList<>();
        List<byte[]> secrets = new ArrayList<>();
        String captured;
        try (Capture capture = new Capture(); Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            SipTlsAgent picky = flows.serverAgent("sip:erin@example.com", new HostPort("picky.example.com", 443),
                    sa -> Optional.of("refused for the test"));
            Flows.awaitRegistered(alice, bob, picky);
            distributed.add(alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS));
            distributed.add(alice.requestAssociation("www.example.com:8443").get(10, TimeUnit.SECONDS));
            assertThrows(ExecutionException.class,
                    () -> alice.requestAssociation("sip:erin@example.com").get(10, TimeUnit.SECONDS));
            for (SecurityAssociation sa : distributed) {
                secrets.add(sa.masterSecret());
            }
            flows.close();
            captured = capture.text();
        }

        assertTrue(captured.contains(distributed.get(0).sessionIdHex()),
                "the capture saw the agents' debug logs (which name the session id)");
        for (byte[] secret : secrets) {
            for (String form : forms(secret)) {
                assertFalse(captured.contains(form), "master secret found in the logs as " + form.length() + " chars");
            }
        }
    }

    @Test
    void closingAgentsAndKeyServerLeavesNoThreadBehind() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            Flows.awaitRegistered(alice, bob);
            alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);
            alice.requestAssociation("sip:nobody@example.com").exceptionally(e -> null).get(10, TimeUnit.SECONDS);
        }

        Set<String> left = Set.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !before.contains(t))
                    .map(HygieneFlowTest::describe).collect(Collectors.toSet());
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(Set.of(), left);
    }

    @Test
    void closingAnAgentDestroysTheSecretsItHeld() throws Exception {
        SecurityAssociation atClient;
        SecurityAssociation atServer;
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            Flows.awaitRegistered(alice, bob);
            atClient = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);
            atServer = bob.associations().bySessionId(atClient.sessionId()).orElseThrow();
        }

        assertTrue(atClient.isDestroyed());
        assertTrue(atServer.isDestroyed());
    }

    private static String describe(Thread t) {
        ThreadGroup group = t.getThreadGroup();
        StackTraceElement[] stack = t.getStackTrace();
        return t.getName() + " (group " + (group == null ? "-" : group.getName()) + ", daemon " + t.isDaemon()
                + ") at " + java.util.Arrays.stream(stack).limit(12).map(String::valueOf)
                        .collect(Collectors.joining(" < "));
    }

    private static List<String> forms(byte[] secret) {
        String hex = HexFormat.of().formatHex(secret);
        return List.of(hex, hex.toUpperCase(Locale.ROOT),
                Base64.getEncoder().encodeToString(secret),
                Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
                Base64.getMimeEncoder().encodeToString(secret));
    }

    /**
     * Routes everything a process may log into one buffer while open: java.util.logging (where
     * System.Logger goes) at every level, log4j (JAIN-SIP's logger) at every level, stdout and stderr.
     */
    static final class Capture implements AutoCloseable {
        private final ByteArrayOutputStream console = new ByteArrayOutputStream();
        private final StringWriter logs = new StringWriter();
        private final PrintStream out = System.out;
        private final PrintStream err = System.err;
        private final Logger julRoot = Logger.getLogger("");
        private final Level julLevel = julRoot.getLevel();
        private final Handler julHandler;
        private final org.apache.log4j.Logger log4jRoot = org.apache.log4j.Logger.getRootLogger();
        private final org.apache.log4j.Level log4jLevel = log4jRoot.getLevel();
        private final WriterAppender log4jAppender;

        Capture() {
            System.setOut(new PrintStream(tee(out), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(tee(err), true, StandardCharsets.UTF_8));
            SimpleFormatter format = new SimpleFormatter();
            julHandler = new Handler() {
                @Override
                public synchronized void publish(LogRecord record) {
                    logs.write(format.format(record));
                    if (record.getThrown() != null) {
                        logs.write(String.valueOf(record.getThrown()));
                    }
                }

                @Override public void flush() { }
                @Override public void close() { }
            };
            julHandler.setLevel(Level.ALL);
            julRoot.addHandler(julHandler);
            julRoot.setLevel(Level.ALL);
            log4jAppender = new WriterAppender(new PatternLayout("%p %c %m%n"), logs);
            log4jRoot.addAppender(log4jAppender);
            log4jRoot.setLevel(org.apache.log4j.Level.ALL);
        }

        private OutputStream tee(PrintStream original) {
            return new OutputStream() {
                @Override
                public synchronized void write(int b) {
                    console.write(b);
                    original.write(b);
                }

                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    console.write(b, off, len);
                    original.write(b, off, len);
                }
            };
        }

        String text() {
            synchronized (logs) {
                return logs + "\n" + console.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            System.setOut(out);
            System.setErr(err);
            julRoot.removeHandler(julHandler);
            julRoot.setLevel(julLevel);
            log4jRoot.removeAppender(log4jAppender);
            log4jRoot.setLevel(log4jLevel);
        }
    }
}
