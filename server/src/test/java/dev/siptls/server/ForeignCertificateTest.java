package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A key server whose CA is not the one of an agent's certificate (a key server restarted with a new CA, say):
 * each side says so in one WARNING naming the other's address and what to do, and retries add no line.
 * The key server's CA is A; the agents' certificates come from B, a CA of the same name with another key (what
 * a regenerated demo CA is), so that a trust check fails on the signature, not on a missing issuer.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForeignCertificateTest {

    private static final String AOR_OLD_TRUST = "sip:stale@example.com";
    private static final String AOR_BOTH_TRUSTED = "sip:foreign@example.com";

    private final TestPki caB = new TestPki();
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override public void flush() { }
        @Override public void close() { }
    };
    private final Logger ours = Logger.getLogger("dev.siptls");
    private Fixture keyServer;

    @BeforeAll
    void start() throws Exception {
        ours.addHandler(capture);
        keyServer = new Fixture();
    }

    @AfterAll
    void stop() {
        ours.removeHandler(capture);
        keyServer.close();
    }

    /** The issue's case: the agent trusts only its old CA, so it refuses the key server first. */
    @Test
    void anAgentThatDoesNotTrustTheKeyServerSaysSoOnceAndTheKeyServerSaysItWasRefused() throws Exception {
        TlsIdentity stale = identity(AOR_OLD_TRUST, caB.ca().trustStore());

        List<String> lines = retryThrice(stale, AOR_OLD_TRUST);

        String address = "127.0.0.1:" + keyServer.server.address().getPort();
        List<String> agent = matching(lines, "does not trust the certificate of key server");
        assertEquals(1, agent.size(), lines.toString());
        assertTrue(agent.get(0).contains(address) && agent.get(0).contains(AOR_OLD_TRUST)
                && agent.get(0).contains("trust store"), agent.get(0));
        List<String> server = matching(lines, "TLS handshake from 127.0.0.1:");
        assertEquals(1, server.size(), lines.toString());
        assertTrue(server.get(0).contains("refused the key server's certificate"), server.get(0));
    }

    /** The agent trusts the key server, but its own certificate comes from a CA the key server does not trust. */
    @Test
    void aKeyServerThatRefusesAnAgentsCertificateNamesItOnceAndTheAgentSaysItWasRefused() throws Exception {
        KeyStore both = caB.ca().trustStore();
        both.setCertificateEntry("key-server-ca", keyServer.pki.ca().trustStore()
                .getCertificate(keyServer.pki.ca().trustStore().aliases().nextElement()));
        TlsIdentity foreign = identity(AOR_BOTH_TRUSTED, both);

        List<String> lines = retryThrice(foreign, AOR_BOTH_TRUSTED);

        List<String> server = matching(lines, "TLS handshake from 127.0.0.1:");
        assertEquals(1, server.size(), lines.toString());
        assertTrue(server.get(0).contains("client certificate does not validate against the trust store")
                && server.get(0).contains("CN=" + AOR_BOTH_TRUSTED) && server.get(0).contains("SIP-TLS Test CA"),
                server.get(0));
        String address = "127.0.0.1:" + keyServer.server.address().getPort();
        List<String> agent = matching(lines, "refuses this agent's certificate");
        assertEquals(1, agent.size(), lines.toString());
        assertTrue(agent.get(0).contains(address) && agent.get(0).contains(AOR_BOTH_TRUSTED)
                && agent.get(0).contains("Enrol this agent again"), agent.get(0));
    }

    /**
     * Starts an agent, waits for its third failed attempt and returns the WARNING lines logged meanwhile about
     * it or about TLS handshakes.
     */
    private List<String> retryThrice(TlsIdentity identity, String aor) throws Exception {
        long handshakesBefore = keyServer.server.statistics().getFailedTlsHandshakes();
        warnings.clear();
        try (SipTlsAgent agent = SipTlsAgent.builder().aor(aor).identity(identity)
                .keyServer(keyServer.server.address()).keyServerName("localhost")
                .policy(keyServer.clientPolicy()).requestTimeout(Duration.ofSeconds(1))
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()) {
            agent.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((agent.statistics().registrationFailures() < 3
                    || keyServer.server.statistics().getFailedTlsHandshakes() < handshakesBefore + 3)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(agent.statistics().registrationFailures() >= 3, "the agent did not retry thrice");
        }
        assertTrue(keyServer.server.statistics().getFailedTlsHandshakes() >= handshakesBefore + 3,
                "every failed handshake is counted");
        List<String> lines = warnings.stream().map(r -> new java.util.logging.SimpleFormatter().formatMessage(r))
                .filter(l -> l.contains(aor) || l.contains("TLS handshake")).collect(Collectors.toList());
        System.out.println("WARNING lines:\n" + String.join("\n", lines));
        return lines;
    }

    private static List<String> matching(List<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    private TlsIdentity identity(String aor, KeyStore trustStore) throws Exception {
        return TlsIdentity.of(caB.ca().issue(aor, List.of(aor), KeyType.EC_P256, TestPki.PASSWORD), TestPki.PASSWORD,
                trustStore);
    }
}
