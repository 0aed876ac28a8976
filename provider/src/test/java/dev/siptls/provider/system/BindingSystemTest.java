package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PeerInfo;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.AssociationSource;
import dev.siptls.provider.EngineChannel;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.SipTlsSSLContextSpi;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An SA resumes only where the key server issued it: at the server binding (port, and SNI host if the client
 * sends one) it names, and only in the role its agent received it in. Real key server, real agents, real
 * sockets; a client that holds a copy of the SA offers it where it was not issued for.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class BindingSystemTest {

    private static final Provider TEST_PROVIDER = new Provider("SipTlsCopyHolder", "0", "holds a copied SA") {
        private static final long serialVersionUID = 1L;
    };

    @Test
    void anSaIssuedForOnePortIsNotResumedOnAnotherPortOfTheSameServer(SipTlsWorld world) throws Exception {
        int issued = SipTlsWorld.freePort();
        int other = SipTlsWorld.freePort();
        Terminal server = world.server(issued, Map.of("serve", "localhost:" + issued + ",localhost:" + other));
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer atIssued = EchoServer.start(server.context(), issued);
             EchoServer atOther = EchoServer.start(server.context(), other)) {
            SecurityAssociation sa = distributed(client, server, atIssued, "localhost", issued);
            SSLContext holder = holding(world, sa, "localhost", other);

            try (SSLSocket elsewhere = (SSLSocket) holder.getSocketFactory().createSocket("localhost", other)) {
                assertEquals("echo: elsewhere", exchange(elsewhere, "elsewhere"));
            }
            SSLSession atOtherPort = atOther.next().handshaken();

            assertNull(atOtherPort.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION), "resumed on another port");
            assertTrue(server.keys().serverKeyRequests.get() > 0, "no full handshake on the other port");
            Evidence.eventually(1, () -> server.provider().statistics().getFallbacksByReason()
                    .getOrDefault("association-for-other-binding", 0L), "fallbacks for another binding");
            stillUsableAtItsBinding(server, sa, holding(world, sa, "localhost", issued), atIssued, "localhost",
                    issued, s -> { });
        }
    }

    @Test
    void anSniNamingAnotherHostGetsAFullHandshake(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            // a connection to an IP literal sends no SNI: the SA is for 127.0.0.1:<port>
            SecurityAssociation sa = distributed(client, server, echo, "127.0.0.1", port);
            SSLContext holder = holding(world, sa, "127.0.0.1", port);

            try (SSLSocket named = (SSLSocket) holder.getSocketFactory().createSocket("127.0.0.1", port)) {
                sni(named, "localhost");
                assertEquals("echo: named", exchange(named, "named"));
            }
            SSLSession withSni = echo.next().handshaken();

            assertNull(withSni.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION), "resumed for another SNI host");
            assertTrue(server.keys().serverKeyRequests.get() > 0, "no full handshake for another SNI host");
            Evidence.eventually(1, () -> server.provider().statistics().getFallbacksByReason()
                    .getOrDefault("association-for-other-binding", 0L), "fallbacks for another binding");
            stillUsableAtItsBinding(server, sa, holding(world, sa, "127.0.0.1", port), echo, "127.0.0.1", port,
                    s -> { });
        }
    }

    @Test
    void anSniNamingTheSasHostInAnotherCaseResumes(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            SecurityAssociation sa = distributed(client, server, echo, "localhost", port);
            SSLContext holder = holding(world, sa, "localhost", port);

            stillUsableAtItsBinding(server, sa, holder, echo, "localhost", port, s -> sni(s, "LocalHost"));
        }
    }

    @Test
    void anSaTheAgentHoldsAsAClientIsNotResumedByItsOwnServerSide(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal both = world.server(port, Map.of());
        // another server whose binding names the same port, so that only the role tells the SAs apart
        Terminal elsewhere = world.server("role.example.com", port);
        SipTlsWorld.awaitRegistered(both, elsewhere);
        try (EchoServer echo = EchoServer.start(both.context(), port);
             SocketChannel tcp = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            // its client side asks for an SA with role.example.com:<port>, and offers it to its own server side
            SSLEngine engine = both.context().createSSLEngine("role.example.com", port);
            engine.setUseClientMode(true);
            new EngineChannel(engine, tcp).handshake();
            SSLSession atServer = echo.next().handshaken();

            assertEquals(1, both.provider().statistics().getAssociationRequests(), "the client side asked for an SA");
            assertEquals(1, elsewhere.provider().associations().held().size(), "the key server distributed it");
            assertNull(atServer.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                    "the server side resumed an SA its agent holds as a client");
            assertTrue(both.keys().serverKeyRequests.get() > 0, "no full handshake");
            Evidence.eventually(1, () -> both.provider().statistics().getFallbacksByReason()
                    .getOrDefault("unknown-session", 0L), "server fallbacks for an unknown session");
        }
    }

    @Test
    void aServerEngineWithoutPeerHostOrPortStillChecksTheSni(SipTlsWorld world) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = listener.socket().getLocalPort();
            Terminal server = world.server(port, Map.of());
            Terminal client = world.client(Map.of());
            SipTlsWorld.awaitRegistered(server, client);

            SSLSession first = engineHandshake(listener, server, client.context(), port, e -> { });
            SecurityAssociation sa = server.provider().associations().bySessionId(first.getId()).orElseThrow();
            assertEquals(sa.sessionIdHex(), first.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                    "an engine made without peer host or port resumes as before");

            SSLSession named = engineHandshake(listener, server, holding(world, sa, "localhost", port), port, e -> {
                SSLParameters parameters = e.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName("other.example.com")));
                e.setSSLParameters(parameters);
            });

            assertNull(named.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION), "resumed for another SNI host");
            Evidence.eventually(1, () -> server.provider().statistics().getFallbacksByReason()
                    .getOrDefault("association-for-other-binding", 0L), "fallbacks for another binding");
            assertFalse(sa.isDestroyed());
        }
    }

    @Test
    void aServerEngineWhichKnowsNoPortDoesNotResumeAnSaOfAnotherPortOfItsHost(SipTlsWorld world) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int engines = listener.socket().getLocalPort();
            int sockets = SipTlsWorld.freePort();
            Terminal server = world.server(sockets, Map.of("serve", "localhost:" + sockets + ",localhost:" + engines));
            Terminal client = world.client(Map.of());
            SipTlsWorld.awaitRegistered(server, client);
            try (EchoServer echo = EchoServer.start(server.context(), sockets)) {
                SecurityAssociation sa = distributed(client, server, echo, "localhost", sockets);

                SSLSession atEngine = engineHandshake(listener, server, holding(world, sa, "localhost", engines),
                        engines, e -> { });

                assertNull(atEngine.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                        "an engine resumed an SA issued for another port of its host");
                Evidence.eventually(1, () -> server.provider().statistics().getFallbacksByReason()
                        .getOrDefault("association-for-other-binding", 0L), "fallbacks for another binding");
                assertFalse(sa.isDestroyed());
            }
        }
    }

    /** One engine handshake: the server's engine is made without peer host or port; returns its session. */
    private static SSLSession engineHandshake(ServerSocketChannel listener, Terminal server, SSLContext clientContext,
                                              int port, Consumer<SSLEngine> configureClient) throws Exception {
        return EngineConnection.run(listener, server.context(), engine -> { }, clientContext, port, configureClient)
                .server();
    }

    /** A legitimate first connection: the key server issues the SA, both sides resume with it. */
    private static SecurityAssociation distributed(Terminal client, Terminal server, EchoServer echo, String host,
                                                   int port) throws Exception {
        EchoClient.Exchange exchange = EchoClient.exchange(client.context(), host, port, "first");
        SSLSession serverSession = echo.next().handshaken();
        assertEquals("echo: first", exchange.answer());
        SecurityAssociation sa = Evidence.sipResumption(client, exchange.session(), server, serverSession, 1);
        assertEquals(new HostPort(host, port), sa.server().address().orElseThrow());
        return sa;
    }

    /**
     * A SIP-TLS context whose only SA is a copy of {@code sa} that names {@code host:port} as its server, so that
     * this client offers it there: what a peer that knows the SA's secret can always do.
     */
    private static SSLContext holding(SipTlsWorld world, SecurityAssociation sa, String host, int port)
            throws Exception {
        HostPort peer = new HostPort(host, port);
        byte[] secret = sa.masterSecret();
        SecurityAssociation copy;
        try {
            PeerInfo server = sa.server();
            copy = SecurityAssociation.builder().sessionId(sa.sessionId()).cipherSuite(sa.cipherSuite())
                    .protocolVersion(sa.protocolVersion()).extendedMasterSecret(sa.extendedMasterSecret())
                    .masterSecret(secret).lifetime(sa.lifetime()).creationTime(sa.creationTime()).client(sa.client())
                    .server(PeerInfo.builder().random(server.random()).identity(server.identity()).address(peer)
                            .certificateChain(server.certificateChain()).build())
                    .build();
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        AssociationSource source = new AssociationSource() {
            @Override
            public Optional<SecurityAssociation> bySessionId(byte[] sessionId) {
                return Optional.empty();
            }

            @Override
            public Optional<SecurityAssociation> forPeer(String h, int p) {
                return peer.equals(new HostPort(h, p)) ? Optional.of(copy) : Optional.empty();
            }
        };
        SSLContext context = new SSLContext(new SipTlsSSLContextSpi(source), TEST_PROVIDER, "SIP-TLS") {
        };
        context.init(null, world.trustingCa(), null);
        return context;
    }

    /** The refusal left the server's SA as it was: offered at its own binding, it still resumes. */
    private static void stillUsableAtItsBinding(Terminal server, SecurityAssociation sa, SSLContext holder,
                                                EchoServer echo, String host, int port, Consumer<SSLSocket> configure)
            throws Exception {
        long resumedBefore = server.provider().statistics().getSipResumptionsAsServer();
        try (SSLSocket socket = (SSLSocket) holder.getSocketFactory().createSocket(host, port)) {
            configure.accept(socket);
            assertEquals("echo: at home", exchange(socket, "at home"));
        }
        SSLSession session = echo.next().handshaken();

        assertEquals(sa.sessionIdHex(), session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
        assertEquals(sa.sessionIdHex(), HexFormat.of().formatHex(session.getId()));
        Evidence.eventually(resumedBefore + 1, () -> server.provider().statistics().getSipResumptionsAsServer(),
                "server SIP resumptions");
        assertFalse(server.provider().associations().bySessionId(sa.sessionId()).orElseThrow().isDestroyed());
    }

    private static void sni(SSLSocket socket, String host) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        socket.setSSLParameters(parameters);
    }

    private static String exchange(SSLSocket socket, String line) throws IOException {
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8).println(line);
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
}
