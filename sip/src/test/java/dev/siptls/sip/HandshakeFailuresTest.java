package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.HandshakeFailures.Kind;
import dev.siptls.sip.testing.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Anyone who reaches the TLS port can fail handshakes at will and vary how: the log gets at most one line per
 * kind of failure a minute, however many distinct reasons a peer makes up, and a flood of one kind does not
 * reopen another kind's window.
 */
@Timeout(60)
class HandshakeFailuresTest {

    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5061);

    private final Logger logger = Logger.getLogger(AcceptedFlows.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            String line = format.formatMessage(record);
            if (line.startsWith("TLS handshake from")) {
                lines.add(line);
            }
        }

        @Override public void flush() { }
        @Override public void close() { }
    };
    private final AtomicLong clock = new AtomicLong(1_000);

    @BeforeEach
    void capture() {
        logger.addHandler(capture);
    }

    @AfterEach
    void release() {
        logger.removeHandler(capture);
    }

    @Test
    void hundredsOfDistinctReasonsGiveOneLinePerKindAMinute() {
        HandshakeFailures failures = new HandshakeFailures(clock::get);
        List<Exception> made = madeUpFailures();
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (Exception e : made) {
            kinds.add(HandshakeFailures.reasonOf(e).kind());
            failures.failed(PEER, e);
        }

        assertEquals(kinds.size(), lines.size(), String.join("\n", lines));
        assertTrue(kinds.size() >= 5, "the made-up failures cover too few kinds: " + kinds);
        assertEquals(made.size(), failures.count());

        clock.addAndGet(HandshakeFailures.LOG_EVERY_NANOS);
        lines.clear();
        failures.failed(PEER, new SSLException("Unknown alert description (200)"));
        long protocolErrors = made.stream()
                .filter(e -> HandshakeFailures.reasonOf(e).kind() == Kind.PROTOCOL_ERROR).count();
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("(" + (protocolErrors - 1) + " more of this kind since the last such line"
                + " not logged)"), lines.get(0));
    }

    @Test
    void aFloodOfOtherReasonsDoesNotReopenTheWarningsWindow() {
        HandshakeFailures failures = new HandshakeFailures(clock::get);
        failures.failed(PEER, untrusted());
        for (int i = 0; i < 1_000; i++) {
            failures.failed(PEER, new SSLException("made-up reason number " + i));
            failures.failed(PEER, new SSLException("Received fatal alert: made_up_" + i));
        }
        failures.failed(PEER, untrusted());

        assertEquals(1, lines.stream().filter(l -> l.contains("does not validate against the trust store")).count(),
                String.join("\n", lines));
        assertEquals(3, lines.size(), String.join("\n", lines));
    }

    /** The red team's flood, against a real listening endpoint: a TLS alert record of each of the 256 codes. */
    @Test
    void rawTlsAlertsOfEveryDescriptionLogAtMostOneLinePerKind() throws Exception {
        try (SipEndpoint endpoint = SipEndpoint.start(SipEndpointConfig.builder().name("alerts").plainTcpPort(-1)
                .sslContext(new TestPki().keyServer().serverContext()).build(), new SipEndpointTest.Listener())) {
            InetSocketAddress address = endpoint.tlsAddress();
            for (int d = 0; d < 256; d++) {
                try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, (byte) d});
                    out.flush();
                    InputStream in = socket.getInputStream();
                    while (in.read() >= 0) {
                        // until the endpoint closes
                    }
                } catch (java.io.IOException reset) {
                    // closed with a reset: just as refused
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (endpoint.transportStatistics().failedHandshakes() < 256 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(256, endpoint.transportStatistics().failedHandshakes());
        }
        System.out.println(String.join("\n", lines));
        assertTrue(lines.size() <= Kind.values().length, lines.size() + " lines:\n" + String.join("\n", lines));
    }

    /**
     * A self-made certificate whose subject and issuer hold a line break and a forged log line: the key server's
     * line about it stays one line, the break shown as an escape.
     */
    @Test
    void aRefusedCertificatesNamesCannotForgeALogLine() throws Exception {
        String forged = "x\n2026-12-06 15:21:00 WARNING KeyServer: forged";
        CertificateAuthority stranger = CertificateAuthority.create(forged);
        TestPki pki = new TestPki();
        SSLContext mallory = alwaysOffering(stranger.issue(forged, List.of("sip:mallory@example.com"),
                CertificateAuthority.KeyType.EC_P256, TestPki.PASSWORD), pki.ca().trustStore());
        try (SipEndpoint endpoint = SipEndpoint.start(SipEndpointConfig.builder().name("forged").plainTcpPort(-1)
                .sslContext(pki.keyServer().serverContext()).build(), new SipEndpointTest.Listener())) {
            InetSocketAddress address = endpoint.tlsAddress();
            try (SSLSocket socket = (SSLSocket) mallory.getSocketFactory()
                    .createSocket(address.getAddress(), address.getPort())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                socket.getOutputStream().write("\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getInputStream().read();
            } catch (java.io.IOException refused) {
                // TLS 1.2 fails the client's handshake; TLS 1.3 its first read or write
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lines.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertEquals(1, lines.size(), String.join("\n---\n", lines));
        String line = lines.get(0);
        assertTrue(line.contains("does not validate against the trust store"), line);
        assertTrue(line.indexOf('\n') < 0 && line.indexOf('\r') < 0, line);
        assertTrue(line.contains("CN=x\\n2026-12-06 15:21:00 WARNING KeyServer: forged"), line);
    }

    /**
     * A client context that offers its certificate whatever CAs the server names (a JSSE client offers none from
     * a CA the server does not list), as an attacker's client would.
     */
    private static SSLContext alwaysOffering(KeyStore keys, KeyStore trust) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, TestPki.PASSWORD);
        X509ExtendedKeyManager own = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        String alias = keys.aliases().nextElement();
        X509ExtendedKeyManager offering = new X509ExtendedKeyManager() {
            @Override public String[] getClientAliases(String type, Principal[] issuers) { return new String[] {alias}; }
            @Override public String chooseClientAlias(String[] type, Principal[] issuers, Socket s) { return alias; }
            @Override public String[] getServerAliases(String type, Principal[] issuers) { return null; }
            @Override public String chooseServerAlias(String type, Principal[] issuers, Socket s) { return null; }
            @Override public X509Certificate[] getCertificateChain(String a) { return own.getCertificateChain(a); }
            @Override public PrivateKey getPrivateKey(String a) { return own.getPrivateKey(a); }
        };
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {offering}, tmf.getTrustManagers(), null);
        return context;
    }

    /** Failures as a peer can vary them: every alert code, alert names, free texts, and one of each other kind. */
    private static List<Exception> madeUpFailures() {
        List<Exception> made = new ArrayList<>();
        for (int d = 0; d < 256; d++) {
            made.add(new SSLException("Unknown alert description (" + d + ")"));
            made.add(new SSLException("Received fatal alert: made_up_alert_" + d));
            made.add(new SSLException("Received fatal alert: bad_certificate", new SSLException("try " + d)));
            made.add(new SSLException("the peer closed the connection during the handshake " + d));
            made.add(new SSLException("Empty client certificate chain " + d));
            made.add(new SSLException("TLS handshake not completed within " + d + " ms"));
        }
        made.add(untrusted());
        return made;
    }

    private static UntrustedCertificateException untrusted() {
        return new UntrustedCertificateException(null, new CertificateException("Signature does not match."));
    }
}
