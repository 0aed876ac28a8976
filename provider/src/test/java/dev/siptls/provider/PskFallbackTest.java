package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;

/**
 * A PSK client whose server does not select the PSK (here SunJSSE, which has no external PSKs, with a certificate)
 * completes a full TLS 1.3 handshake with the application's trust and key managers, as JSSE would: one full
 * handshake, not a failed connection.
 */
class PskFallbackTest {

    private static final String SUITE = "TLS_AES_128_GCM_SHA256";
    private static final String SA_ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void completesAFullHandshakeWithTheServersCertificate() throws Exception {
        SSLEngine server = sunServer(false);
        Tls13PskEngine client = client(trust(), null, null);
        List<String> invalidated = new java.util.ArrayList<>();
        client.associate(SA_ID, () -> invalidated.add(SA_ID));
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(client, server);

        handshake(pipe);

        SSLSession session = client.getSession();
        assertTrue(client.handshakeComplete() && client.fellBack());
        assertEquals(1, pipe.clientFinished);
        assertEquals("TLSv1.3", session.getProtocol());
        assertEquals(server.getSession().getCipherSuite(), session.getCipherSuite());
        assertArrayEquals(TestPki.SERVER.chain().toArray(), session.getPeerCertificates());
        assertNull(session.getLocalCertificates(), "no client certificate was asked for");
        assertNull(session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION), "the full session is not the SA's");
        assertNotEquals(SA_ID, HexFormat.of().formatHex(session.getId()));
        assertEquals(32, session.getId().length);
        session.invalidate();
        assertTrue(invalidated.isEmpty(), "invalidating the full session forgot the SA");

        byte[] data = "after the fallback".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(data, PskEnginePair.Pipe.send(client, server, data, ByteBuffer.allocate(1 << 16)));
        assertArrayEquals(data, PskEnginePair.Pipe.send(server, client, data, ByteBuffer.allocate(1 << 16)));
    }

    @Test
    void theClientHelloOffersThePsksSuiteFirstThenTheEnabledTls13Suites() {
        SSLParameters parameters = new SSLParameters(new String[] {"TLS_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", SUITE, "TLS_CHACHA20_POLY1305_SHA256"});
        Tls13PskEngine client = Tls13PskEngine.client(psk(), parameters, "localhost", 5061,
                new BcTlsCrypto(PskEnginePair.RANDOM), new CertificateFallback(trust(), null));

        assertArrayEquals(new String[] {SUITE, "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"},
                client.getEnabledCipherSuites());
        assertArrayEquals(new String[] {SUITE}, PskEnginePair.client(psk(), parameters).getEnabledCipherSuites(),
                "without a fallback, only the PSK's suite");
    }

    @Test
    void theTrustManagerSeesTheHandshakeSessionAsSunJsseDoes() throws Exception {
        AtomicReference<SSLSession> seen = new AtomicReference<>();
        AtomicReference<String> authType = new AtomicReference<>();
        X509ExtendedTrustManager sun = (X509ExtendedTrustManager) trust();
        X509ExtendedTrustManager watching = new ForwardingTrustManager(sun) {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String type, SSLEngine engine)
                    throws CertificateException {
                seen.set(engine.getHandshakeSession());
                authType.set(type);
                super.checkServerTrusted(chain, type, engine);
            }
        };
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        Tls13PskEngine client = client(watching, null, parameters);

        handshake(new PskEnginePair.Pipe(client, sunServer(false)));

        SSLSession handshake = seen.get();
        assertEquals("UNKNOWN", authType.get());
        assertEquals("localhost", handshake.getPeerHost());
        assertEquals("TLSv1.3", handshake.getProtocol());
        assertArrayEquals(TestPki.SERVER.chain().toArray(), handshake.getPeerCertificates());
        assertTrue(List.of(((javax.net.ssl.ExtendedSSLSession) handshake).getLocalSupportedSignatureAlgorithms())
                .contains("SHA256withECDSA"));
        assertSame(client.getSession(), handshake);
    }

    @Test
    void aServerThatNeedsClientAuthGetsTheKeyManagersCertificate() throws Exception {
        SSLEngine server = sunServer(true);
        X509KeyManager keys = (X509KeyManager) StandardNamesKeyManager.adapt(
                new KeyManager[] {TestPki.keyManager(TestPki.CLIENT)})[0];
        Tls13PskEngine client = client(trust(), keys, null);

        handshake(new PskEnginePair.Pipe(client, server));

        assertArrayEquals(TestPki.CLIENT.chain().toArray(), server.getSession().getPeerCertificates());
        assertArrayEquals(TestPki.CLIENT.chain().toArray(), client.getSession().getLocalCertificates());
    }

    @Test
    void withoutAKeyManagerTheClientSendsAnEmptyCertificate() throws Exception {
        SSLEngine server = sunServer(true);
        Tls13PskEngine client = client(trust(), null, null);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> handshake(new PskEnginePair.Pipe(client, server)));

        // SunJSSE, needing a certificate, refuses the empty one
        assertTrue(String.valueOf(e.getMessage()).contains("certificate"), e.getMessage());
    }

    @Test
    void aTrustManagerThatRefusesTheServerFailsTheHandshakeWithItsReason() throws Exception {
        X509TrustManager refusing = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("not this server, says the application");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        Tls13PskEngine client = client(refusing, null, null);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> handshake(new PskEnginePair.Pipe(client, sunServer(false))));

        assertTrue(e.getMessage().contains("not this server, says the application"), e.getMessage());
        assertTrue(e.getMessage().contains("certificate_unknown"), e.getMessage());
        assertFalse(client.handshakeComplete());
    }

    @Test
    void aServerCertificateFromAnUntrustedCaIsRefused() throws Exception {
        Tls13PskEngine client = client((X509TrustManager) TestPki.trusting(TestPki.STRANGER_CA)[0], null, null);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> handshake(new PskEnginePair.Pipe(client, sunServer(false))));

        assertTrue(e.getMessage().contains("PKIX"), e.getMessage());
    }

    @Test
    void aPlainTrustManagerGetsTheEndpointIdentifiedByTheProvider() throws Exception {
        X509TrustManager plain = plain((X509TrustManager) trust());
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");

        handshake(new PskEnginePair.Pipe(client(plain, null, parameters), sunServer(false)));

        Tls13PskEngine elsewhere = Tls13PskEngine.client(psk(), parameters, "elsewhere.example.org", 5061,
                new BcTlsCrypto(PskEnginePair.RANDOM), new CertificateFallback(plain, null));
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> handshake(new PskEnginePair.Pipe(elsewhere, sunServer(false))));
        assertTrue(e.getMessage().contains("elsewhere.example.org"), e.getMessage());
    }

    @Test
    void underFallbackFailTheMonitoredTrustManagerRefusesAndTheApplicationGetsWhy() throws Exception {
        HandshakeLedger ledger = new HandshakeLedger("sip:test@example.com", SipTlsConfiguration.Fallback.FAIL,
                new ProviderStatistics());
        ledger.clientOffered("localhost", 5061, SA_ID);
        Tls13PskEngine client = client(MonitoredTrustManager.wrap((X509TrustManager) trust(), ledger), null, null);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> handshake(new PskEnginePair.Pipe(client, sunServer(false))));

        assertInstanceOf(RefusedHandshakeException.class, e);
        assertTrue(e.getMessage().contains("did not resume security association"), e.getMessage());
        assertSame(e, client.handshakeFailure());
        assertEquals(1, ledger.statistics().refused());
    }

    @Test
    void aServerThatSpeaksOnlyTls12GetsAFullTls12Handshake() throws Exception {
        SSLEngine server = sunServer12(false);
        AtomicReference<String> authType = new AtomicReference<>();
        X509ExtendedTrustManager watching = new ForwardingTrustManager((X509ExtendedTrustManager) trust()) {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String type, SSLEngine engine)
                    throws CertificateException {
                authType.set(type);
                super.checkServerTrusted(chain, type, engine);
            }
        };
        Tls13PskEngine client = client(watching, null, withTls12());
        List<String> invalidated = new java.util.ArrayList<>();
        client.associate(SA_ID, () -> invalidated.add(SA_ID));
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(client, server);

        pipe.handshake();

        SSLSession session = client.getSession();
        assertTrue(client.handshakeComplete() && client.fellBack());
        assertEquals(1, pipe.clientFinished);
        assertEquals("TLSv1.2", session.getProtocol());
        assertEquals("TLSv1.2", server.getSession().getProtocol());
        assertEquals(server.getSession().getCipherSuite(), session.getCipherSuite());
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", session.getCipherSuite());
        assertEquals("ECDHE_ECDSA", authType.get(), "the authType JSSE passes for TLS 1.2: the key exchange");
        assertArrayEquals(TestPki.SERVER.chain().toArray(), session.getPeerCertificates());
        assertNull(session.getLocalCertificates(), "no client certificate was asked for");
        assertNull(session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION), "the full session is not the SA's");
        assertArrayEquals(server.getSession().getId(), session.getId(), "the TLS 1.2 server's session id");
        assertNotEquals(SA_ID, HexFormat.of().formatHex(session.getId()));
        session.invalidate();
        assertTrue(invalidated.isEmpty(), "invalidating the full session forgot the SA");

        byte[] data = "after the fallback to TLS 1.2".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(data, PskEnginePair.Pipe.send(client, server, data, ByteBuffer.allocate(1 << 16)));
        assertArrayEquals(data, PskEnginePair.Pipe.send(server, client, data, ByteBuffer.allocate(1 << 16)));
    }

    @Test
    void aTls12ServerThatNeedsClientAuthGetsTheKeyManagersCertificate() throws Exception {
        SSLEngine server = sunServer12(true);
        X509KeyManager keys = (X509KeyManager) StandardNamesKeyManager.adapt(
                new KeyManager[] {TestPki.keyManager(TestPki.CLIENT)})[0];
        Tls13PskEngine client = client(trust(), keys, withTls12());

        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(client, server);
        pipe.handshake();

        assertEquals("TLSv1.2", client.getSession().getProtocol());
        assertArrayEquals(TestPki.CLIENT.chain().toArray(), server.getSession().getPeerCertificates());
        assertArrayEquals(TestPki.CLIENT.chain().toArray(), client.getSession().getLocalCertificates());
        byte[] data = "mutual".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(data, PskEnginePair.Pipe.send(client, server, data, ByteBuffer.allocate(1 << 16)));
        assertArrayEquals(data, PskEnginePair.Pipe.send(server, client, data, ByteBuffer.allocate(1 << 16)));
    }

    @Test
    void tls12IsOfferedOnlyIfTheConnectionEnablesIt() throws Exception {
        Tls13PskEngine tls13Only = client(trust(), null, new SSLParameters(new String[] {SUITE,
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, new String[] {"TLSv1.3"}));
        assertArrayEquals(new String[] {"TLSv1.3"}, tls13Only.getEnabledProtocols());
        assertArrayEquals(new String[] {SUITE}, tls13Only.getEnabledCipherSuites());

        SSLEngine server = sunServer12(false);
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(tls13Only, server);
        assertThrows(SSLHandshakeException.class, pipe::handshake, "SunJSSE refuses a TLS 1.3-only ClientHello");
        pipe.step(server, pipe.toServer, pipe.toClient, false); // its alert
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> pipe.step(tls13Only, pipe.toClient, pipe.toServer, true));
        assertEquals("Received fatal alert: protocol_version", e.getMessage());

        Tls13PskEngine both = client(trust(), null, withTls12());
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, both.getEnabledProtocols());
        assertArrayEquals(new String[] {SUITE, "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, both.getEnabledCipherSuites(),
                "the TLS 1.3 suites first, the PSK's leading");
        both.setEnabledProtocols(new String[] {"TLSv1.3"});
        assertArrayEquals(new String[] {SUITE, "TLS_AES_256_GCM_SHA384"}, both.getEnabledCipherSuites());
        assertArrayEquals(new String[] {"TLSv1.3"}, PskEnginePair.client(psk(), withTls12()).getEnabledProtocols(),
                "without a fallback, TLS 1.3 only");
    }

    @Test
    void underFallbackFailTheTls12HandshakeIsRefusedToo() throws Exception {
        HandshakeLedger ledger = new HandshakeLedger("sip:test@example.com", SipTlsConfiguration.Fallback.FAIL,
                new ProviderStatistics());
        ledger.clientOffered("localhost", 5061, SA_ID);
        Tls13PskEngine client = client(MonitoredTrustManager.wrap((X509TrustManager) trust(), ledger), null,
                withTls12());

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> new PskEnginePair.Pipe(client, sunServer12(false)).handshake());

        assertInstanceOf(RefusedHandshakeException.class, e);
        assertEquals(1, ledger.statistics().refused());
    }

    // ---- helpers

    /**
     * {@link PskEnginePair.Pipe#handshake}, but done once both engines are: SunJSSE's server then sends a
     * NewSessionTicket, which the client reads here (BC ignores it) so that later records follow in order.
     */
    private static void handshake(PskEnginePair.Pipe pipe) throws SSLException {
        pipe.client.beginHandshake();
        pipe.server.beginHandshake();
        for (int round = 0; round < 20; round++) {
            pipe.step(pipe.client, pipe.toClient, pipe.toServer, true);
            pipe.step(pipe.server, pipe.toServer, pipe.toClient, false);
            if (pipe.client.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    && pipe.server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    && pipe.toServer.position() == 0) {
                pipe.toClient.flip();
                while (pipe.toClient.hasRemaining()) {
                    pipe.client.unwrap(pipe.toClient, ByteBuffer.allocate(1 << 15));
                }
                pipe.toClient.clear();
                return;
            }
        }
        throw new AssertionError("the handshake did not finish");
    }

    private static ExternalPsk psk() {
        return PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32), SUITE);
    }

    /** A client for localhost:5061 with an SA the server does not hold. */
    private static Tls13PskEngine client(X509TrustManager trust, X509KeyManager keys, SSLParameters parameters) {
        return Tls13PskEngine.client(psk(), parameters, "localhost", 5061, new BcTlsCrypto(PskEnginePair.RANDOM),
                new CertificateFallback(trust, keys));
    }

    private static X509TrustManager trust() {
        return (X509TrustManager) TestPki.trustingCa()[0];
    }

    /** SunJSSE, TLS 1.3, with the test server's certificate; needing a client certificate if asked. */
    private static SSLEngine sunServer(boolean needClientAuth) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3", "SunJSSE");
        context.init(new KeyManager[] {TestPki.keyManager(TestPki.SERVER)}, TestPki.trustingCa(), null);
        SSLEngine server = context.createSSLEngine();
        server.setUseClientMode(false);
        server.setNeedClientAuth(needClientAuth);
        return server;
    }

    /** SunJSSE with TLS 1.3 disabled: a server that speaks only TLS 1.2. */
    private static SSLEngine sunServer12(boolean needClientAuth) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS", "SunJSSE");
        context.init(new KeyManager[] {TestPki.keyManager(TestPki.SERVER)}, TestPki.trustingCa(), null);
        SSLEngine server = context.createSSLEngine();
        server.setUseClientMode(false);
        server.setEnabledProtocols(new String[] {"TLSv1.2"});
        server.setNeedClientAuth(needClientAuth);
        return server;
    }

    /** A connection enabling TLS 1.3 and 1.2, with suites of both as JSSE lists them (any order). */
    private static SSLParameters withTls12() {
        return new SSLParameters(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", SUITE}, new String[] {"TLSv1.3", "TLSv1.2"});
    }

    private static X509TrustManager plain(X509TrustManager delegate) {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                delegate.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                delegate.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return delegate.getAcceptedIssuers();
            }
        };
    }

    /** An extended trust manager passing every call on. */
    private static class ForwardingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;

        ForwardingTrustManager(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
