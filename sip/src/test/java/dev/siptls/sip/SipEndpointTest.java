package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.testing.TestPki;
import gov.nist.javax.sip.RequestEventExt;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.ClientTransaction;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

class SipEndpointTest {

    private final TestPki pki = new TestPki();

    @Test
    void agentReachesServerOverMutualTlsAndIsReachedBackOverItsOwnConnection() throws Exception {
        AtomicReference<InetSocketAddress> flow = new AtomicReference<>();
        BlockingQueue<Object> serverSaw = new ArrayBlockingQueue<>(10);
        BlockingQueue<Object> agentSaw = new ArrayBlockingQueue<>(10);
        AtomicReference<SipEndpoint> serverRef = new AtomicReference<>();

        SipEndpointConfig serverConfig = SipEndpointConfig.builder().name("server")
                .sslContext(pki.keyServer().serverContext())
                .flows(request -> Optional.ofNullable(flow.get()))
                .build();
        try (SipEndpoint server = SipEndpoint.start(serverConfig, new Listener() {
            @Override
            public void processRequest(RequestEvent event) {
                try {
                    ServerTransaction tx = serverRef.get().provider().getNewServerTransaction(event.getRequest());
                    RequestEventExt ext = (RequestEventExt) event;
                    InetSocketAddress remote = new InetSocketAddress(ext.getRemoteIpAddress(), ext.getRemotePort());
                    serverSaw.add(serverRef.get().flow(remote).orElseThrow().peerCertificate().orElseThrow());
                    flow.set(remote);
                    tx.sendResponse(serverRef.get().messageFactory().createResponse(200, event.getRequest()));
                } catch (Exception e) {
                    serverSaw.add(e);
                }
            }

            @Override
            public void processResponse(ResponseEvent event) {
                serverSaw.add(event.getResponse().getStatusCode());
            }
        })) {
            serverRef.set(server);
            AtomicReference<SipEndpoint> agentRef = new AtomicReference<>();
            SipEndpointConfig agentConfig = SipEndpointConfig.builder().name("agent").listening(false)
                    .sslContext(pki.agent("sip:alice@example.com").clientContext("127.0.0.1"))
                    .outboundProxy(server.tlsAddress())
                    .build();
            try (SipEndpoint agent = SipEndpoint.start(agentConfig, new Listener() {
                @Override
                public void processRequest(RequestEvent event) {
                    try {
                        agentRef.get().provider().getNewServerTransaction(event.getRequest()).sendResponse(
                                agentRef.get().messageFactory().createResponse(200, event.getRequest()));
                        agentSaw.add(event.getRequest().getMethod());
                    } catch (Exception e) {
                        agentSaw.add(e);
                    }
                }

                @Override
                public void processResponse(ResponseEvent event) {
                    agentSaw.add(event.getResponse().getStatusCode());
                }
            })) {
                agentRef.set(agent);
                send(agent, "REGISTER", "sips:example.com");
                Object peer = serverSaw.poll(10, TimeUnit.SECONDS);
                assertTrue(peer instanceof X509Certificate, "server saw " + peer);
                assertTrue(CertificateNames.provesAor((X509Certificate) peer, "sip:alice@example.com"));
                assertEquals(200, agentSaw.poll(10, TimeUnit.SECONDS));

                send(server, "MESSAGE", "sips:alice@" + agent.tlsAddress().getAddress().getHostAddress()
                        + ":" + agent.tlsAddress().getPort() + ";transport=tls");
                assertEquals("MESSAGE", agentSaw.poll(10, TimeUnit.SECONDS));
                assertEquals(200, serverSaw.poll(10, TimeUnit.SECONDS));
                agent.close();
                assertEquals(java.util.Set.of(), agent.liveThreads());
            }
            server.close();
            assertEquals(java.util.Set.of(), server.liveThreads());
        }
    }

    @Test
    void agentRefusesAServerWhoseCertificateNamesAnotherHost() throws Exception {
        SipEndpointConfig serverConfig = SipEndpointConfig.builder().name("impostor")
                .sslContext(pki.identity("impostor", List.of("impostor.example.net")).serverContext())
                .build();
        try (SipEndpoint server = SipEndpoint.start(serverConfig, new Listener());
             SipEndpoint agent = SipEndpoint.start(SipEndpointConfig.builder().name("agent").listening(false)
                     .sslContext(pki.agent("sip:alice@example.com").clientContext("127.0.0.1"))
                     .outboundProxy(server.tlsAddress()).build(), new Listener())) {
            assertThrows(Exception.class, () -> send(agent, "REGISTER", "sips:example.com"));
        }
    }

    @Test
    void closingLeavesNoThreadBehind() throws Exception {
        SipEndpoint server = SipEndpoint.start(SipEndpointConfig.builder().name("closing")
                .sslContext(pki.keyServer().serverContext()).build(), new Listener());
        assertFalse(server.liveThreads().isEmpty());
        server.close();
        assertEquals(java.util.Set.of(), server.liveThreads());
    }

    @Test
    void aClosedEndpointsStackIsCollected() throws Exception {
        SipEndpoint endpoint = SipEndpoint.start(SipEndpointConfig.builder().name("collected")
                .sslContext(pki.keyServer().serverContext()).build(), new Listener());
        java.lang.ref.WeakReference<Object> stack = new java.lang.ref.WeakReference<>(endpoint.stack());
        endpoint.close();
        endpoint = null;
        for (int i = 0; i < 50 && stack.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(stack.get(), "a closed stack is still reachable (SipFactory's list, or a finalizer queue)");
    }

    @Test
    void closingEndsConnectionsStillInTheirTlsHandshake() throws Exception {
        SipEndpoint server = SipEndpoint.start(SipEndpointConfig.builder().name("half-open")
                .sslContext(pki.keyServer().serverContext()).build(), new Listener());
        try (java.net.Socket raw = new java.net.Socket()) {
            raw.connect(server.tlsAddress());
            raw.setSoTimeout(10_000);
            server.close();
            int read;
            try {
                read = raw.getInputStream().read();
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("the server kept the half-open connection", e);
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            assertEquals(-1, read, "the server should have closed the connection");
        }
        assertEquals(java.util.Set.of(), server.liveThreads());
    }

    @Test
    void anAgentOpensNoPortSoNobodyButItsKeyServerCanReachIt() throws Exception {
        try (SipEndpoint agent = SipEndpoint.start(SipEndpointConfig.builder().name("agent").listening(false)
                .sslContext(pki.agent("sip:alice@example.com").clientContext("127.0.0.1")).build(), new Listener())) {
            InetSocketAddress advertised = agent.tlsAddress();
            assertThrows(java.net.ConnectException.class,
                    () -> new java.net.Socket(advertised.getAddress(), advertised.getPort()).close());
        }
    }

    @Test
    void aClosedEndpointOpensNoConnection() throws Exception {
        try (SipEndpoint server = SipEndpoint.start(SipEndpointConfig.builder().name("target")
                .sslContext(pki.keyServer().serverContext()).build(), new Listener())) {
            SipEndpoint agent = SipEndpoint.start(SipEndpointConfig.builder().name("agent").listening(false)
                    .sslContext(pki.agent("sip:alice@example.com").clientContext("127.0.0.1"))
                    .outboundProxy(server.tlsAddress()).build(), new Listener());
            gov.nist.core.net.NetworkLayer network = ((gov.nist.javax.sip.SipStackImpl) agent.stack()).getNetworkLayer();
            agent.close();
            assertThrows(java.net.SocketException.class, () -> network.createSSLSocket(
                    server.tlsAddress().getAddress(), server.tlsAddress().getPort()));
        }
    }

    /**
     * A connection dialled as the endpoint closes (a CRLF pong or a re-registration racing close) reaches
     * JAIN-SIP only after its stop() closed the sockets it knew. Closing the endpoint must close it anyway:
     * otherwise it stays open with a reader thread at each end (JAIN-SIP's TLSMessageChannelThread and
     * PipelineThread at the key server) until the peer drops it.
     */
    @Test
    void closingClosesAConnectionItDialledThatJainSipDoesNotKnow() throws Exception {
        try (SipEndpoint server = SipEndpoint.start(SipEndpointConfig.builder().name("target")
                .sslContext(pki.keyServer().serverContext()).build(), new Listener())) {
            SipEndpoint agent = SipEndpoint.start(SipEndpointConfig.builder().name("agent").listening(false)
                    .sslContext(pki.agent("sip:alice@example.com").clientContext("127.0.0.1"))
                    .outboundProxy(server.tlsAddress()).build(), new Listener());
            gov.nist.core.net.NetworkLayer network = ((gov.nist.javax.sip.SipStackImpl) agent.stack()).getNetworkLayer();
            javax.net.ssl.SSLSocket dialled = network.createSSLSocket(server.tlsAddress().getAddress(),
                    server.tlsAddress().getPort());
            dialled.startHandshake();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.transportStatistics().openConnections() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, server.transportStatistics().openConnections(), "the server never saw the connection");

            agent.close();

            assertTrue(dialled.isClosed(), "the closed endpoint left its connection open");
            while (server.transportStatistics().openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, server.transportStatistics().openConnections(), "the server still holds the connection");
        }
    }

    static ClientTransaction send(SipEndpoint from, String method, String uri) throws Exception {
        SipURI requestUri = (SipURI) from.addressFactory().createURI(uri);
        Address self = from.addressFactory().createAddress("sip:alice@example.com");
        FromHeader fromHeader = from.headerFactory().createFromHeader(self, "t" + System.nanoTime());
        ToHeader to = from.headerFactory().createToHeader(self, null);
        CallIdHeader callId = from.provider().getNewCallId();
        CSeqHeader cseq = from.headerFactory().createCSeqHeader(1L, method);
        ViaHeader via = from.headerFactory().createViaHeader(from.listeningPoint().getIPAddress(),
                from.listeningPoint().getPort(), "tls", null);
        via.setRPort();
        MaxForwardsHeader maxForwards = from.headerFactory().createMaxForwardsHeader(70);
        Request request = from.messageFactory().createRequest(requestUri, method, callId, cseq, fromHeader, to,
                List.of(via), maxForwards);
        ClientTransaction tx = from.provider().getNewClientTransaction(request);
        tx.sendRequest();
        assertNotNull(tx);
        return tx;
    }

    static class Listener implements SipEvents {
        @Override public void processRequest(RequestEvent event) { }
        @Override public void processResponse(ResponseEvent event) { }
    }
}
