package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionBindingEvent;
import javax.net.ssl.SSLSessionBindingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The TLS 1.3 external-PSK engine against itself, in memory, with the JSSE statuses applications rely on. */
class Tls13PskEngineTest {

    @ParameterizedTest
    @CsvSource({"TLS_AES_128_GCM_SHA256, 32", "TLS_AES_256_GCM_SHA384, 48", "TLS_CHACHA20_POLY1305_SHA256, 32"})
    void completesPskHandshakeAndCarriesDataBothWays(String suite, int keyLength) throws Exception {
        byte[] key = PskEnginePair.randomKey(keyLength);
        List<X509Certificate> serverChain = TestPki.SERVER.chain();
        List<X509Certificate> clientChain = TestPki.CLIENT.chain();
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(key, suite, serverChain, clientChain), null);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(key, suite, clientChain, serverChain), null);
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(client, server);

        pipe.handshake();

        assertEquals(1, pipe.clientFinished, "FINISHED exactly once on the client");
        assertEquals(1, pipe.serverFinished, "FINISHED exactly once on the server");
        assertTrue(client.handshakeComplete() && server.handshakeComplete());
        SSLSession session = client.getSession();
        assertEquals("TLSv1.3", session.getProtocol());
        assertEquals(suite, session.getCipherSuite());
        assertEquals(serverChain, List.of(session.getPeerCertificates()));
        assertEquals(clientChain, List.of(session.getLocalCertificates()));
        assertEquals(serverChain.get(0).getSubjectX500Principal(), session.getPeerPrincipal());
        assertEquals("server.example.org", session.getPeerHost());
        assertEquals(5061, session.getPeerPort());
        assertEquals(32, session.getId().length);
        assertEquals(1_700_000_000_000L, session.getCreationTime());
        assertTrue(session.getLastAccessedTime() > session.getCreationTime());
        assertTrue(session.getPacketBufferSize() >= (1 << 14) + 5 + 256);
        assertEquals(1 << 14, session.getApplicationBufferSize());
        assertEquals(clientChain, List.of(server.getSession().getPeerCertificates()));
        assertNull(client.getHandshakeSession());
        assertEquals("", client.getApplicationProtocol());

        byte[] large = new byte[40_000];
        PskEnginePair.RANDOM.nextBytes(large);
        assertArrayEquals(large, PskEnginePair.Pipe.send(client, server, large, pipe.toServer));
        byte[] reply = "200 OK".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(reply, PskEnginePair.Pipe.send(server, client, reply, pipe.toClient));
    }

    @Test
    void sessionWithoutChainsSaysThePeerIsUnverified() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        new PskEnginePair.Pipe(client, server).handshake();
        assertThrows(SSLPeerUnverifiedException.class, () -> client.getSession().getPeerCertificates());
        assertThrows(SSLPeerUnverifiedException.class, () -> client.getSession().getPeerPrincipal());
        assertNull(client.getSession().getLocalCertificates());
    }

    @Test
    void sessionBeforeTheHandshakeIsTheNullSessionAndTheHandshakeSessionExistsDuringIt() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        assertEquals("SSL_NULL_WITH_NULL_NULL", client.getSession().getCipherSuite());
        assertFalse(client.getSession().isValid());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, client.getHandshakeStatus());
        client.beginHandshake();
        assertEquals(HandshakeStatus.NEED_WRAP, client.getHandshakeStatus());
        assertNotNull(client.getHandshakeSession());
        assertEquals("TLS_AES_128_GCM_SHA256", client.getHandshakeSession().getCipherSuite());
        assertEquals("SSL_NULL_WITH_NULL_NULL", client.getSession().getCipherSuite());
        assertNull(client.getDelegatedTask());
        assertArrayEquals(new String[] {"TLSv1.3"}, client.getEnabledProtocols());
        assertArrayEquals(new String[] {"TLS_AES_128_GCM_SHA256"}, client.getEnabledCipherSuites());
        assertTrue(client.getUseClientMode());
        client.setUseClientMode(true);
        assertThrows(IllegalArgumentException.class, () -> client.setUseClientMode(false));
    }

    @Test
    void sessionValuesTellTheirListeners() throws Exception {
        SSLSession session = PskSession.of(PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32),
                "TLS_AES_128_GCM_SHA256"), "h", 1, PskEnginePair.RANDOM);
        List<String> events = new ArrayList<>();
        SSLSessionBindingListener listener = new SSLSessionBindingListener() {
            @Override
            public void valueBound(SSLSessionBindingEvent event) {
                events.add("bound " + event.getName());
            }

            @Override
            public void valueUnbound(SSLSessionBindingEvent event) {
                events.add("unbound " + event.getName());
            }
        };
        session.putValue("a", listener);
        assertSame(listener, session.getValue("a"));
        assertArrayEquals(new String[] {"a"}, session.getValueNames());
        session.removeValue("a");
        assertEquals(List.of("bound a", "unbound a"), events);
        assertTrue(session.isValid());
        session.invalidate();
        assertFalse(session.isValid());
    }

    @Test
    void negotiatesAlpnAsJsseAndRecordsTheClientsServerName() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        SSLParameters clientParameters = new SSLParameters();
        clientParameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        clientParameters.setServerNames(List.of(new SNIHostName("sip.example.org")));
        SSLParameters serverParameters = new SSLParameters();
        serverParameters.setApplicationProtocols(new String[] {"http/1.1", "h2"});
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                clientParameters);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                serverParameters);
        List<String> seenBySelector = new ArrayList<>();
        new PskEnginePair.Pipe(client, server).handshake();

        assertEquals("http/1.1", server.getApplicationProtocol(), "the server's order, as JSSE without a selector");
        assertEquals("http/1.1", client.getApplicationProtocol());
        assertEquals(List.of(new SNIHostName("sip.example.org")),
                ((ExtendedSSLSession) server.getSession()).getRequestedServerNames());
        assertEquals(List.of(new SNIHostName("sip.example.org")),
                ((ExtendedSSLSession) client.getSession()).getRequestedServerNames());

        Tls13PskEngine client2 = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                clientParameters);
        Tls13PskEngine server2 = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                serverParameters);
        server2.setHandshakeApplicationProtocolSelector((engine, offered) -> {
            seenBySelector.addAll(offered);
            seenBySelector.add(((ExtendedSSLSession) engine.getHandshakeSession()).getRequestedServerNames()
                    .get(0).toString());
            return "h2";
        });
        new PskEnginePair.Pipe(client2, server2).handshake();
        assertEquals("h2", server2.getApplicationProtocol());
        assertEquals("h2", client2.getApplicationProtocol());
        assertEquals(List.of("h2", "http/1.1", new SNIHostName("sip.example.org").toString()), seenBySelector);
    }

    @Test
    void clientSendsThePeerHostAsServerNameByDefaultAsJsse() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        new PskEnginePair.Pipe(PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null), server).handshake();
        assertEquals(List.of(new SNIHostName("server.example.org")),
                ((ExtendedSSLSession) server.getSession()).getRequestedServerNames());

        SSLParameters none = new SSLParameters();
        none.setServerNames(List.of());
        Tls13PskEngine server2 = PskEnginePair.server(
                PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"), null);
        new PskEnginePair.Pipe(PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                none), server2).handshake();
        assertEquals(List.of(), ((ExtendedSSLSession) server2.getSession()).getRequestedServerNames());
    }

    @Test
    void alpnWithNothingInCommonFailsAsJsse() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        SSLParameters clientParameters = new SSLParameters();
        clientParameters.setApplicationProtocols(new String[] {"h2"});
        SSLParameters serverParameters = new SSLParameters();
        serverParameters.setApplicationProtocols(new String[] {"sip"});
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(
                PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"), clientParameters),
                PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"), serverParameters));
        SSLException e = assertThrows(SSLException.class, pipe::handshake);
        assertTrue(e.getMessage().contains("no_application_protocol"), e.getMessage());
    }

    @Test
    void reportsUnderflowAndOverflowWithoutConsumingOrProducing() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);

        // The ClientHello does not fit in 10 bytes.
        SSLEngineResult tooSmall = client.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(10));
        assertEquals(Status.BUFFER_OVERFLOW, tooSmall.getStatus());
        assertEquals(0, tooSmall.bytesProduced());
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(client, server);
        pipe.handshake();

        ByteBuffer wire = ByteBuffer.allocate(1 << 15);
        SSLEngineResult overflow = client.wrap(ByteBuffer.wrap(new byte[100]), ByteBuffer.allocate(50));
        assertEquals(Status.BUFFER_OVERFLOW, overflow.getStatus());
        assertEquals(0, overflow.bytesConsumed());
        assertEquals(0, overflow.bytesProduced());
        client.wrap(ByteBuffer.wrap(new byte[100]), wire);
        client.wrap(ByteBuffer.wrap(new byte[200]), wire);
        wire.flip();
        int total = wire.remaining();

        ByteBuffer partial = ByteBuffer.wrap(wire.array(), 0, 50);
        SSLEngineResult underflow = server.unwrap(partial, ByteBuffer.allocate(1 << 14));
        assertEquals(Status.BUFFER_UNDERFLOW, underflow.getStatus());
        assertEquals(0, underflow.bytesConsumed());
        assertEquals(0, partial.position());

        SSLEngineResult noRoom = server.unwrap(wire, ByteBuffer.allocate(10));
        assertEquals(Status.BUFFER_OVERFLOW, noRoom.getStatus());
        assertEquals(0, noRoom.bytesConsumed());
        assertEquals(0, wire.position());

        ByteBuffer app = ByteBuffer.allocate(1 << 14);
        SSLEngineResult first = server.unwrap(wire, app);
        assertEquals(Status.OK, first.getStatus());
        assertEquals(100, first.bytesProduced());
        assertEquals(wire.position(), first.bytesConsumed(), "one record per unwrap");
        assertTrue(first.bytesConsumed() < total);
        SSLEngineResult second = server.unwrap(wire, app);
        assertEquals(200, second.bytesProduced());
        assertEquals(total, first.bytesConsumed() + second.bytesConsumed());
    }

    @Test
    void closeNotifyTravelsBothWays() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        new PskEnginePair.Pipe(client, server).handshake();

        client.closeOutbound();
        assertEquals(HandshakeStatus.NEED_WRAP, client.getHandshakeStatus());
        assertFalse(client.isOutboundDone());
        ByteBuffer wire = ByteBuffer.allocate(1 << 15);
        SSLEngineResult closing = client.wrap(ByteBuffer.allocate(0), wire);
        assertEquals(Status.CLOSED, closing.getStatus());
        assertTrue(closing.bytesProduced() > 0);
        assertTrue(client.isOutboundDone());
        assertEquals(Status.CLOSED, client.wrap(ByteBuffer.wrap(new byte[5]), wire).getStatus());

        wire.flip();
        SSLEngineResult notified = server.unwrap(wire, ByteBuffer.allocate(1 << 14));
        assertEquals(Status.CLOSED, notified.getStatus());
        assertEquals(HandshakeStatus.NEED_WRAP, notified.getHandshakeStatus());
        assertTrue(server.isInboundDone());
        assertFalse(server.isOutboundDone());
        server.closeInbound(); // after close_notify: no exception
        ByteBuffer answer = ByteBuffer.allocate(1 << 15);
        SSLEngineResult answered = server.wrap(ByteBuffer.allocate(0), answer);
        assertEquals(Status.CLOSED, answered.getStatus());
        assertTrue(answered.bytesProduced() > 0);
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, answered.getHandshakeStatus());
        assertTrue(server.isOutboundDone());
        assertEquals(Status.CLOSED, server.unwrap(ByteBuffer.allocate(0), ByteBuffer.allocate(10)).getStatus());
    }

    @Test
    void closingInboundBeforeThePeersCloseNotifyThrowsAndCloses() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256"),
                null);
        new PskEnginePair.Pipe(client, server).handshake();
        SSLException e = assertThrows(SSLException.class, server::closeInbound);
        assertEquals("closing inbound before receiving peer's close_notify", e.getMessage());
        assertTrue(server.isInboundDone());
        assertEquals(HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
        ByteBuffer wire = ByteBuffer.allocate(1 << 15);
        assertEquals(Status.CLOSED, server.wrap(ByteBuffer.allocate(0), wire).getStatus());
        assertTrue(server.isOutboundDone());
        wire.flip();
        assertEquals(Status.CLOSED, client.unwrap(wire, ByteBuffer.allocate(1 << 14)).getStatus());
    }

    @Test
    void closingBeforeTheHandshakeClosesAtOnce() throws Exception {
        Tls13PskEngine client = PskEnginePair.client(PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32),
                "TLS_AES_128_GCM_SHA256"), null);
        client.closeOutbound();
        assertTrue(client.isOutboundDone());
        assertTrue(client.isInboundDone());
        assertEquals(Status.CLOSED, client.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(1 << 15)).getStatus());
    }

    @Test
    void toStringsShowNoKey() {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0xAB);
        ExternalPsk psk = PskEnginePair.psk(PskEnginePair.IDENTITY, key, "TLS_AES_128_GCM_SHA256");
        Tls13PskEngine engine = PskEnginePair.client(psk, null);
        for (String text : List.of(psk.toString(), engine.toString(), engine.getSession().toString())) {
            assertFalse(text.toLowerCase().contains("abab"), text);
        }
        psk.destroy();
        assertTrue(psk.isDestroyed());
        assertThrows(IllegalStateException.class, psk::key);
    }

    @Test
    void aDestroyedPskStartsNoHandshake() {
        ExternalPsk psk = PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32), "TLS_AES_128_GCM_SHA256");
        Tls13PskEngine client = PskEnginePair.client(psk, null);
        psk.destroy();
        assertThrows(javax.net.ssl.SSLHandshakeException.class, client::beginHandshake);
    }

    @Test
    void refusesKeysOfTheWrongLengthForTheSuite() {
        assertThrows(IllegalArgumentException.class,
                () -> PskEnginePair.psk(PskEnginePair.IDENTITY, new byte[32], "TLS_AES_256_GCM_SHA384"));
        assertThrows(IllegalArgumentException.class,
                () -> PskEnginePair.psk(PskEnginePair.IDENTITY, new byte[48], "TLS_AES_128_GCM_SHA256"));
        assertThrows(IllegalArgumentException.class,
                () -> PskEnginePair.psk(PskEnginePair.IDENTITY, new byte[32], "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    }
}
