package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.KeyManagementException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code fallback=fail}: a handshake that cannot resume with an SA fails with an {@code SSLHandshakeException}
 * whose message says why, on sockets and engines alike (BCJSSE would otherwise hand the application an
 * {@code SSLException} or a bare alert).
 */
@Timeout(60)
class FailModeTest {

    private static SSLContext failing(AssociationSource source, KeyManager[] km) throws KeyManagementException {
        HandshakeLedger ledger = new HandshakeLedger("sip:test@example.com", SipTlsConfiguration.Fallback.FAIL,
                new ProviderStatistics());
        ContextSupport support = new ContextSupport() {
            @Override
            public AssociationSource source() {
                return source;
            }

            @Override
            public HandshakeLedger ledger() {
                return ledger;
            }

            @Override
            public void initializing(KeyManager[] keyManagers) {
            }
        };
        SSLContext context = new SSLContext(new SipTlsSSLContextSpi(support), new SipTlsProvider(), "SIP-TLS") {
        };
        TrustManager[] trust = TestPki.trustingCa();
        context.init(km, trust, null);
        return context;
    }

    @Test
    void socketClientWithoutAssociationFailsSayingWhy() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(new InMemoryAssociations(), serverKeys))) {
            SSLContext client = failing(new InMemoryAssociations(), null);

            SSLHandshakeException refused = assertThrows(SSLHandshakeException.class,
                    () -> EchoClient.exchange(client, server.port(), "x"));

            assertTrue(refused.getMessage().contains("fallback=fail) refused a full handshake with localhost:"
                    + server.port() + ": no security association for localhost:" + server.port()), refused.getMessage());
            assertEquals(0, serverKeys.serverKeyRequests.get());
        }
    }

    @Test
    void engineClientWithoutAssociationFailsSayingWhy() throws Exception {
        SSLContext client = failing(new InMemoryAssociations(), null);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = listener.socket().getLocalPort();
            try (SocketChannel socket = SocketChannel.open(listener.getLocalAddress())) {
                SSLEngine engine = client.createSSLEngine("localhost", port);
                engine.setUseClientMode(true);

                SSLHandshakeException refused = assertThrows(SSLHandshakeException.class,
                        () -> new EngineChannel(engine, socket).handshake());

                assertTrue(refused.getMessage().contains("no security association for localhost:" + port),
                        refused.getMessage());
            }
        }
    }

    @Test
    void clientWhoseAssociationTheServerDeclinesFailsSayingWhy() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(new InMemoryAssociations(), serverKeys))) {
            SSLContext client = failing(new InMemoryAssociations()
                    .offering("localhost", server.port(), Associations.fresh().forServerAt(server.port())), null);

            SSLHandshakeException refused = assertThrows(SSLHandshakeException.class,
                    () -> EchoClient.exchange(client, server.port(), "x"));

            assertTrue(refused.getMessage().contains("did not resume security association"), refused.getMessage());
        }
    }

    @Test
    void serverRefusesAClientThatOffersNoAssociation() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        assertServerRefuses(new KeyManager[]{serverKeys});
        assertEquals(0, serverKeys.serverKeyRequests.get());
    }

    @Test
    void serverWithBcjsseKeyManagersRefusesAClientThatOffersNoAssociation() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("key", TestPki.SERVER.keys().getPrivate(), "changeit".toCharArray(),
                TestPki.SERVER.chain().toArray(new java.security.cert.X509Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX", Bouncy.JSSE);
        factory.init(store, "changeit".toCharArray());
        assertTrue(factory.getKeyManagers()[0] instanceof org.bouncycastle.jsse.BCX509ExtendedKeyManager);

        assertServerRefuses(factory.getKeyManagers());
    }

    private static void assertServerRefuses(KeyManager[] serverKeys) throws Exception {
        try (EchoServer server = EchoServer.start(failing(new InMemoryAssociations(), serverKeys))) {
            assertThrows(Exception.class, () -> EchoClient.exchange(SipTlsContexts.client(new InMemoryAssociations()),
                    server.port(), "x"));

            Exception failure = server.next().failure();
            assertTrue(failure instanceof SSLHandshakeException, String.valueOf(failure));
            assertTrue(failure.getMessage().contains("offered no security association"), failure.getMessage());
        }
    }
}
