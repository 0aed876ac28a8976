package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.RawPskClient;
import dev.siptls.provider.system.SipTlsWorld.Terminal;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskKeyExchangeMode;
import org.bouncycastle.tls.ServerOnlyTlsAuthentication;
import org.bouncycastle.tls.SessionParameters;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TLS 1.3 SAs with the real key server: two SIP-TLS terminals with their default configuration make a TLS 1.3
 * handshake with the SA as external PSK and x25519, over sockets and over engines; a TLS 1.2-only connection still
 * gets a TLS 1.2 SA; a server socket layered over an accepted plain one takes the PSK as an accepted one does; and
 * what an attacker who saw the PSK identity (or even knows the PSK, as the key server does)
 * can send changes nothing: a forged binder, a {@code psk_ke}-only hello, the SA's id offered as a TLS 1.2 session.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class Tls13SystemTest {

    private static final String SUITE = "TLS_AES_128_GCM_SHA256";

    @Test
    void socketsMakeATls13PskHandshakeWithTheSa(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoClient.Exchange exchange = EchoClient.exchange(peers.client().context(), "localhost", peers.port(),
                    "over a PSK");
            SSLSession server = peers.echo().next().handshaken();

            assertEquals("echo: over a PSK", exchange.answer());
            SecurityAssociation sa = Evidence.sipResumption(peers.client(), exchange.session(), peers.server(), server,
                    1);
            assertTrue(sa.isTls13(), sa.toString());
            for (SSLSession session : List.of(exchange.session(), server)) {
                assertEquals("TLSv1.3", session.getProtocol());
                assertEquals(SUITE, session.getCipherSuite());
            }
            Certificate[] serverChain = exchange.session().getPeerCertificates();
            assertArrayEquals(sa.server().certificateChain().toArray(), serverChain,
                    "the client's peer certificates are not the SA's server chain");
            assertThrows(SSLPeerUnverifiedException.class, server::getPeerCertificates,
                    "a client without a certificate became a verified peer");
            Evidence.eventually(1, () -> peers.client().provider().statistics().getSipTls13HandshakesAsClient(),
                    "TLS 1.3 PSK handshakes as client");
            Evidence.eventually(1, () -> peers.server().provider().statistics().getSipTls13HandshakesAsServer(),
                    "TLS 1.3 PSK handshakes as server");
        }
    }

    @Test
    void enginesMakeATls13PskHandshakeWithTheSa(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            EngineConnection.Sessions sessions = EngineConnection.run(listener, server.context(), engine -> { },
                    client.context(), port, engine -> { });

            SecurityAssociation sa = Evidence.sipResumption(client, sessions.client(), server, sessions.server(), 1);
            assertTrue(sa.isTls13(), sa.toString());
            assertEquals("TLSv1.3", sessions.client().getProtocol());
            assertEquals("TLSv1.3", sessions.server().getProtocol());
        }
    }

    @Test
    void aServerSocketLayeredOverAnAcceptedOneTakesThePsk(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        ExecutorService serving = Executors.newSingleThreadExecutor();
        try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            // As a server that reads the first bytes itself (to sniff the protocol) and hands them back as consumed.
            int[] consumedBytes = {0, 5, 5};
            String[][] protocols = {{"TLSv1.3", "TLSv1.2"}, {"TLSv1.3", "TLSv1.2"}, {"TLSv1.2"}};
            for (int i = 0; i < consumedBytes.length; i++) {
                int consumed = consumedBytes[i];
                Future<SSLSession> served = serving.submit(() -> layeredEcho(server, listener, consumed));
                String[] enabled = protocols[i];
                EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "layered",
                        socket -> socket.setEnabledProtocols(enabled));
                SSLSession serverSession = served.get(20, TimeUnit.SECONDS);

                assertEquals("echo: layered", exchange.answer());
                SecurityAssociation sa = Evidence.sipResumption(client, exchange.session(), server, serverSession,
                        i + 1);
                assertEquals(enabled[0], sa.protocolVersion(), "connection " + (i + 1));
                assertEquals(enabled[0], serverSession.getProtocol(), "connection " + (i + 1));
            }
            Evidence.eventually(2, () -> server.provider().statistics().getSipTls13HandshakesAsServer(),
                    "TLS 1.3 PSK handshakes as server");
        } finally {
            serving.shutdownNow();
        }
    }

    /** Accepts one connection, layers the server's SIP-TLS socket over it and echoes a line; its session. */
    private static SSLSession layeredEcho(Terminal server, ServerSocket listener, int consumed) throws IOException {
        try (Socket plain = listener.accept()) {
            plain.setSoTimeout(20_000);
            InputStream first = consumed == 0 ? null
                    : new ByteArrayInputStream(plain.getInputStream().readNBytes(consumed));
            try (SSLSocket tls = (SSLSocket) server.context().getSocketFactory().createSocket(plain, first, true)) {
                BufferedReader in = new BufferedReader(new InputStreamReader(tls.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = in.readLine();
                new PrintWriter(tls.getOutputStream(), true, StandardCharsets.UTF_8).println("echo: " + line);
                return tls.getSession();
            }
        }
    }

    @Test
    void aConnectionThatEnablesOnlyTls12GetsATls12Sa(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoClient.Exchange exchange = EchoClient.exchange(peers.client().context(), "localhost", peers.port(),
                    "old school", socket -> socket.setEnabledProtocols(new String[] {"TLSv1.2"}));
            SSLSession server = peers.echo().next().handshaken();

            SecurityAssociation sa = Evidence.sipResumption(peers.client(), exchange.session(), peers.server(), server,
                    1);
            assertEquals("TLSv1.2", sa.protocolVersion());
            assertEquals("TLSv1.2", exchange.session().getProtocol());
            assertEquals(0, peers.server().provider().statistics().getSipTls13HandshakesAsServer());
        }
    }

    @Test
    void aForgedBinderOrAPskKeOnlyHelloNeverCostsTheSa(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoClient.Exchange first = EchoClient.exchange(peers.client().context(), "localhost", peers.port(), "1");
            SecurityAssociation sa = Evidence.sipResumption(peers.client(), first.session(), peers.server(),
                    peers.echo().next().handshaken(), 1);

            byte[] wrongKey = new byte[32];
            new SecureRandom().nextBytes(wrongKey);
            assertThrows(IOException.class, () -> rawPskClient(peers.port(), sa.pskIdentity(), wrongKey,
                    PskKeyExchangeMode.psk_dhe_ke), "a forged binder completed a handshake");
            assertTrue(peers.echo().next().failure() != null, "the server accepted a forged binder");
            byte[] theKey = sa.masterSecret();
            assertThrows(IOException.class, () -> rawPskClient(peers.port(), sa.pskIdentity(), theKey,
                    PskKeyExchangeMode.psk_ke), "a psk_ke-only hello completed a handshake");
            assertTrue(peers.echo().next().failure() != null, "the server accepted psk_ke");
            Evidence.eventually(2, () -> peers.server().provider().statistics().getRefusedTls13HandshakesAsServer(),
                    "refused TLS 1.3 PSK handshakes");

            EchoClient.Exchange after = EchoClient.exchange(peers.client().context(), "localhost", peers.port(), "2");
            SSLSession server = peers.echo().next().handshaken();
            assertArrayEquals(sa.sessionId(), after.session().getId(), "the SA did not survive the attempts");
            assertArrayEquals(sa.sessionId(), server.getId());
            assertEquals(1, peers.client().provider().statistics().getAssociationRequests());
            assertEquals(2, peers.server().provider().statistics().getSipTls13HandshakesAsServer());
        }
    }

    @Test
    void aTls13SasIdOfferedAsATls12SessionIsNotResumed(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoClient.Exchange first = EchoClient.exchange(peers.client().context(), "localhost", peers.port(), "1");
            SecurityAssociation sa = Evidence.sipResumption(peers.client(), first.session(), peers.server(),
                    peers.echo().next().handshaken(), 1);

            boolean resumed = rawTls12Client(peers.port(), sa.sessionId());
            peers.echo().next();

            assertEquals(false, resumed, "a TLS 1.3 SA was resumed as a TLS 1.2 session");
            assertEquals(1, peers.server().provider().statistics().getSipResumptionsAsServer());
        }
    }

    /** A BC client that offers only this external PSK, with this mode; writes and reads one line. */
    private static void rawPskClient(int port, byte[] identity, byte[] key, short mode) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            TlsClientProtocol protocol = new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
            protocol.connect(new RawPskClient(identity, key, mode));
            OutputStream out = protocol.getOutputStream();
            out.write("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            InputStream in = protocol.getInputStream();
            if (in.read() < 0) {
                throw new IOException("no answer");
            }
            protocol.close();
        }
    }

    /**
     * A BC TLS 1.2 client that offers {@code sessionId} to resume (with a made-up master secret: whoever saw the id
     * could); true if the server resumed it, false if it answered with a full handshake.
     */
    private static boolean rawTls12Client(int port, byte[] sessionId) throws IOException {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        byte[] madeUp = new byte[48];
        TlsSession offered = TlsUtils.importSession(sessionId, new SessionParameters.Builder()
                .setCipherSuite(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                .setNegotiatedVersion(ProtocolVersion.TLSv12).setMasterSecret(crypto.createSecret(madeUp))
                .setExtendedMasterSecret(true).build());
        boolean[] resumed = new boolean[1];
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            TlsClientProtocol protocol = new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
            try {
                protocol.connect(new AbstractTlsClient(crypto) {
                    @Override
                    protected ProtocolVersion[] getSupportedVersions() {
                        return ProtocolVersion.TLSv12.only();
                    }

                    @Override
                    protected int[] getSupportedCipherSuites() {
                        return new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
                    }

                    @Override
                    public TlsSession getSessionToResume() {
                        return offered;
                    }

                    @Override
                    public void notifySessionID(byte[] id) {
                        resumed[0] = java.util.Arrays.equals(id, sessionId);
                    }

                    @Override
                    public TlsAuthentication getAuthentication() {
                        return new ServerOnlyTlsAuthentication() {
                            @Override
                            public void notifyServerCertificate(TlsServerCertificate certificate) {
                                // a full handshake: whatever the server presents will do here
                            }
                        };
                    }
                });
                protocol.close();
            } catch (IOException e) {
                // a resumed handshake with a made-up secret fails on Finished; a full one may fail on client auth
            }
        }
        return resumed[0];
    }
}
