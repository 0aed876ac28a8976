package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.siptls.protocol.SecurityAssociation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that offered an SA which the server did not resume tells its source at once, whatever the server
 * answered: another session (a full handshake), or a connection closed before the handshake completed. Only the
 * first case reaches the trust manager, so the connection itself must notice.
 */
@Timeout(60)
class DeclinedOfferTest {

    @Test
    void aServerThatAnswersWithAnotherSessionMakesTheClientForgetTheAssociation() throws Exception {
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(new InMemoryAssociations(),
                TestPki.keyManager(TestPki.SERVER)))) {
            SecurityAssociation sa = Associations.fresh().forServerAt(server.port());
            InMemoryAssociations clientAgent = new InMemoryAssociations().offering("localhost", server.port(), sa);

            EchoClient.Exchange exchange = EchoClient.exchange(SipTlsContexts.client(clientAgent), server.port(), "x");

            assertEquals("echo: x", exchange.answer());
            assertFalse(java.util.Arrays.equals(sa.sessionId(), exchange.session().getId()));
            assertEquals(List.of(sa.sessionIdHex()), clientAgent.declined);
        }
    }

    @Test
    void aSocketWhoseServerClosesTheConnectionForgetsTheAssociation() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SecurityAssociation sa = Associations.fresh().forServerAt(listener.getLocalPort());
            InMemoryAssociations clientAgent = new InMemoryAssociations()
                    .offering("localhost", listener.getLocalPort(), sa);
            CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                try (Socket accepted = listener.accept()) {
                    accepted.getInputStream().read(new byte[5]); // the ClientHello's record header
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            try (SSLSocket socket = (SSLSocket) SipTlsContexts.client(clientAgent).getSocketFactory()
                    .createSocket("localhost", listener.getLocalPort())) {
                assertThrows(IOException.class, socket::startHandshake);
            }
            closer.join();
            assertEquals(List.of(sa.sessionIdHex()), clientAgent.declined);
        }
    }

    @Test
    void anEngineClosedBeforeItsHandshakeCompletedForgetsTheAssociation() throws Exception {
        SecurityAssociation sa = Associations.fresh().forServerAt(8443);
        InMemoryAssociations clientAgent = new InMemoryAssociations().offering("localhost", 8443, sa);
        SSLContext client = SipTlsContexts.client(clientAgent);
        SSLEngine engine = client.createSSLEngine("localhost", 8443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());

        SSLEngineResult hello = engine.wrap(ByteBuffer.allocate(0), out);
        assertEquals(SSLEngineResult.Status.OK, hello.getStatus());
        assertEquals(List.of(), clientAgent.declined, "forgotten before the server answered");
        // the peer closed the connection: no ServerHello (and no close_notify, so the engine complains)
        assertThrows(SSLException.class, engine::closeInbound);

        assertEquals(List.of(sa.sessionIdHex()), clientAgent.declined);
    }
}
