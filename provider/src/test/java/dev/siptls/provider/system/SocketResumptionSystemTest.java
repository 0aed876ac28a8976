package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SSLSocket clients and SSLServerSocket servers, each a configured SipTls provider with its own agent,
 * resume with the SA the real key server distributed on the first connection.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class SocketResumptionSystemTest {

    @Test
    void socketsResumeWithTheDistributedAssociation(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "over SIP-TLS");
            SSLSession serverSession = echo.next().handshaken();

            assertEquals("echo: over SIP-TLS", exchange.answer());
            Evidence.sipResumption(client, exchange.session(), server, serverSession, 1);
            assertEquals("TLSv1.3", exchange.session().getProtocol());
            assertEquals(1, client.provider().statistics().getAssociationRequests());
            assertEquals(1, server.keys().proofKeyReads.get(),
                    "the server chain is not the agent's identity: its key was read once, to prove possession");
        }
    }

    @Test
    void laterConnectionsResumeWithTheSameAssociationWithoutAskingTheKeyServer(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            byte[] first = null;
            for (int i = 0; i < 3; i++) {
                EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "round " + i);
                assertEquals("echo: round " + i, exchange.answer());
                echo.next().handshaken();
                first = first == null ? exchange.session().getId() : first;
                assertTrue(Arrays.equals(first, exchange.session().getId()));
            }
            Evidence.eventually(3, () -> server.provider().statistics().getSipResumptionsAsServer(), "server");
            assertEquals(1, client.provider().statistics().getAssociationRequests());
            assertEquals(0, server.keys().serverKeyRequests.get());
        }
    }

    @Test
    void serverThatNeedsClientAuthGetsTheClientChainFromTheAssociation(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.clientWithCertificate(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port, s -> s.setNeedClientAuth(true))) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "who am I");
            SSLSession serverSession = echo.next().handshaken();

            assertEquals("echo: who am I", exchange.answer());
            Evidence.sipResumption(client, exchange.session(), server, serverSession, 1);
            X509Certificate peer = (X509Certificate) serverSession.getPeerCertificates()[0];
            assertTrue(peer.getSubjectAlternativeNames().stream()
                    .anyMatch(name -> name.get(1).equals(client.provider().configuration().orElseThrow().aor())),
                    "the server sees the client's certificate");
        }
    }

    @Test
    void clientThatSendsAnSniHostNameResumes(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "sni", socket -> {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName("localhost")));
                socket.setSSLParameters(parameters);
            });
            SSLSession serverSession = echo.next().handshaken();

            assertEquals("echo: sni", exchange.answer());
            Evidence.sipResumption(client, exchange.session(), server, serverSession, 1);
        }
    }

    /**
     * Documents a limit: BCJSSE resumes a session on a server with SNI matchers only if the session recorded
     * the same matched name, and a session built from an SA (looked up by session id, before the connection is
     * known) records none. Such servers fall back to a full handshake.
     */
    @Test
    void serverWithSniMatchersFallsBackToAFullHandshake(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port, s -> {
            SSLParameters parameters = s.getSSLParameters();
            parameters.setSNIMatchers(List.of(SNIHostName.createSNIMatcher("localhost")));
            s.setSSLParameters(parameters);
        })) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "sni", socket -> {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName("localhost")));
                socket.setSSLParameters(parameters);
            });
            echo.next().handshaken();

            assertEquals("echo: sni", exchange.answer());
            assertNull(exchange.session().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
            assertTrue(server.keys().serverKeyRequests.get() > 0);
            assertEquals(Map.of("association-not-resumed", 1L), client.provider().statistics().getFallbacksByReason());
            assertEquals(Map.of("server-not-resumable", 1L), server.provider().statistics().getFallbacksByReason());
            assertEquals(0, client.provider().associations().size(),
                    "an SA the server did not resume is forgotten, so the next context asks for a fresh one");
        }
    }
}
