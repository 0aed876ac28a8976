package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where no usable SA exists, the handshake is an ordinary full one. */
@Timeout(60)
class FallbackTest {

    private static final TestPki.Identity STRANGER = TestPki.Identity.leaf("CN=localhost", TestPki.STRANGER_CA,
            KeyPurposeId.id_kp_serverAuth,
            new GeneralName(GeneralName.dNSName, "localhost"));
    private static final TestPki.Identity ELSEWHERE = TestPki.Identity.leaf("CN=elsewhere", TestPki.CA,
            KeyPurposeId.id_kp_serverAuth,
            new GeneralName(GeneralName.dNSName,
                    "elsewhere.example.com"));

    @Test
    void fullHandshakeWhenTheSourceHasNoAssociation() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations clientAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(new InMemoryAssociations(), serverKeys))) {
            EchoClient.Exchange exchange = EchoClient.exchange(SipTlsContexts.client(clientAgent), server.port(),
                    "no SA");
            SSLSession serverSession = server.next().resumedOrFull();

            assertEquals("echo: no SA", exchange.answer());
            assertTrue(serverKeys.serverKeyRequests.get() > 0, "no full handshake");
            assertArrayEquals(serverSession.getId(), exchange.session().getId());
            assertEquals(1, clientAgent.peerLookups.get());
        }
    }

    @Test
    void associationWhoseServerChainTheClientDoesNotTrustIsNotUsed() throws Exception {
        Associations content = Associations.fresh().serverChain(STRANGER.chain());
        assertFullHandshake(content, content, "trust manager refused");
    }

    @Test
    void associationWithoutServerChainIsNotUsed() throws Exception {
        Associations content = Associations.fresh().serverChain(List.of());
        assertFullHandshake(content, content, "no server certificate chain");
    }

    @Test
    void clientDoesNotOfferAnExpiredAssociation() throws Exception {
        Associations content = Associations.fresh().createdAt(Instant.now().minus(Duration.ofHours(2)));
        assertFullHandshake(content, content, "expired");
    }

    @Test
    void serverDoesNotResumeAnExpiredAssociation() throws Exception {
        Associations live = Associations.fresh();
        // The server's copy of the same SA (id and secret) has run out; the client's has not.
        Associations expired = live.copy().createdAt(Instant.now().minus(Duration.ofHours(2)));
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            serverAgent.serving(expired.forServerAt(server.port()));
            SSLContext client = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), live.forServerAt(server.port())));

            EchoClient.Exchange exchange = EchoClient.exchange(client, server.port(), "late");
            server.next().resumedOrFull();

            assertEquals("echo: late", exchange.answer());
            assertFalse(Arrays.equals(live.sessionId(), exchange.session().getId()));
            assertTrue(serverKeys.serverKeyRequests.get() > 0);
            assertEquals(1, serverAgent.notUsedReasons.size());
            assertTrue(serverAgent.notUsedReasons.get(0).contains("expired"));
        }
    }

    @Test
    void httpsClientDoesNotResumeWhenTheChainNamesAnotherHost() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            Associations content = Associations.fresh().serverChain(ELSEWHERE.chain());
            serverAgent.serving(content.forServerAt(server.port()));
            SSLContext httpsClient = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));

            EchoClient.Exchange https = EchoClient.exchange(httpsClient, server.port(), "https",
                    SocketResumptionTest::https);
            server.next().resumedOrFull();
            assertFalse(Arrays.equals(content.sessionId(), https.session().getId()), "resumed under HTTPS");
            assertTrue(serverKeys.serverKeyRequests.get() > 0);

            // Without endpoint identification the application asks no host check: the SA is used.
            // (Another client: httpsClient now caches its full-handshake session for localhost and resumes that.)
            SSLContext plainClient = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));
            EchoClient.Exchange plain = EchoClient.exchange(plainClient, server.port(), "plain");
            server.next().resumedOrFull();
            assertArrayEquals(content.sessionId(), plain.session().getId());
        }
    }

    /** The client's copy {@code clientCopy}, the server's {@code serverCopy}: a full handshake happens. */
    private static void assertFullHandshake(Associations serverCopy, Associations clientCopy, String reason)
            throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            serverAgent.serving(serverCopy.forServerAt(server.port()));
            InMemoryAssociations clientAgent = new InMemoryAssociations()
                    .offering("localhost", server.port(), clientCopy.forServerAt(server.port()));

            EchoClient.Exchange exchange = EchoClient.exchange(SipTlsContexts.client(clientAgent), server.port(),
                    "full");
            SSLSession serverSession = server.next().resumedOrFull();

            assertEquals("echo: full", exchange.answer());
            assertTrue(serverKeys.serverKeyRequests.get() > 0, "no full handshake");
            assertFalse(Arrays.equals(clientCopy.sessionId(), exchange.session().getId()));
            assertArrayEquals(serverSession.getId(), exchange.session().getId());
            assertEquals(1, clientAgent.notUsedReasons.size(), clientAgent.notUsedReasons::toString);
            assertTrue(clientAgent.notUsedReasons.get(0).contains(reason), clientAgent.notUsedReasons::toString);
        }
    }
}
