package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.protocol.SecurityAssociation;

import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SSLSocket clients and SSLServerSocket servers, both SIP-TLS, resuming with one shared SA. */
@Timeout(60)
class SocketResumptionTest {

    @Test
    void socketsResumeWithTheSharedAssociation() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            Associations content = Associations.fresh();
            SecurityAssociation sa = content.forServerAt(server.port());
            serverAgent.serving(sa);
            SSLContext client = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));

            EchoClient.Exchange exchange = EchoClient.exchange(client, server.port(), "hello over an SA");
            SSLSession serverSession = server.next().resumedOrFull();

            assertEquals("echo: hello over an SA", exchange.answer());
            assertArrayEquals(content.sessionId(), exchange.session().getId());
            assertArrayEquals(content.sessionId(), serverSession.getId());
            assertEquals(0, serverKeys.serverKeyRequests.get(), "the server's key manager was asked for a key");
            assertEquals("TLSv1.2", exchange.session().getProtocol());
            assertEquals(Associations.SUITE, exchange.session().getCipherSuite());
            assertEquals(List.of(exchange.session().getPeerCertificates()), List.copyOf(TestPki.SERVER.chain()));
        }
    }

    @Test
    void everyConnectionResumesWithTheSameAssociation() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            Associations content = Associations.fresh();
            serverAgent.serving(content.forServerAt(server.port()));
            InMemoryAssociations clientAgent = new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port()));
            SSLContext client = SipTlsContexts.client(clientAgent);

            for (int i = 0; i < 3; i++) {
                EchoClient.Exchange exchange = EchoClient.exchange(client, server.port(), "round " + i);
                assertEquals("echo: round " + i, exchange.answer());
                assertArrayEquals(content.sessionId(), exchange.session().getId());
                assertArrayEquals(content.sessionId(), server.next().resumedOrFull().getId());
            }
            assertEquals(0, serverKeys.serverKeyRequests.get());
            assertEquals(3, clientAgent.peerLookups.get(), "each handshake reads the SA anew");
            assertEquals(3, serverAgent.idLookups.get(), "each handshake reads the SA anew");
        }
    }

    @Test
    void resumesUnderHttpsEndpointIdentificationWhenTheChainNamesTheHost() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            Associations content = Associations.fresh();
            serverAgent.serving(content.forServerAt(server.port()));
            SSLContext client = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));

            EchoClient.Exchange exchange = EchoClient.exchange(client, server.port(), "https", SocketResumptionTest::https);

            assertArrayEquals(content.sessionId(), exchange.session().getId());
            assertEquals(0, serverKeys.serverKeyRequests.get());
        }
    }

    @Test
    void serverThatNeedsClientAuthResumesWithTheAssociationsClientChain() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys),
                s -> s.setNeedClientAuth(true))) {
            Associations content = Associations.fresh().clientChain(TestPki.CLIENT.chain());
            serverAgent.serving(content.forServerAt(server.port()));
            SSLContext client = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));

            EchoClient.Exchange exchange = EchoClient.exchange(client, server.port(), "who am I");
            SSLSession serverSession = server.next().resumedOrFull();

            assertEquals("echo: who am I", exchange.answer());
            assertArrayEquals(content.sessionId(), serverSession.getId());
            assertEquals(TestPki.CLIENT.certificate(), serverSession.getPeerCertificates()[0]);
            assertEquals(0, serverKeys.serverKeyRequests.get());
        }
    }

    @Test
    void defaultProtocolsAreTls13AndTls12() throws Exception {
        SSLContext context = SipTlsContexts.client(new InMemoryAssociations());
        String[] both = {"TLSv1.3", "TLSv1.2"};
        assertArrayEquals(both, context.getDefaultSSLParameters().getProtocols());
        SSLEngine engine = context.createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        assertArrayEquals(both, engine.getEnabledProtocols());
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            assertArrayEquals(both, socket.getEnabledProtocols());
        }
        try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket()) {
            assertArrayEquals(both, server.getEnabledProtocols());
        }
    }

    static void https(SSLSocket socket) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
    }
}
