package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.eclipse.jetty.alpn.java.server.JDK9ServerALPNProcessor;
import org.eclipse.jetty.alpn.server.ALPNServerConnection;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jetty 12's HTTP/2 (ALPN h2 over TLS 1.2) on a SIP-TLS context, with an OkHttp client over SIP-TLS. Jetty's stock
 * JDK ALPN processor applies only to engines whose class is in {@code java.base}, and a SIP-TLS engine is not
 * (it wraps BCJSSE's); so the connector's ALPN factory here sets the engine's standard (Java 9) ALPN selector
 * itself, as Jetty's processor would.
 */
@Timeout(120)
class JettyHttp2Test {

    @TempDir
    static Path dir;
    private static SipTlsPeers peers;
    private static Server jetty;

    @BeforeAll
    static void start() throws Exception {
        peers = SipTlsPeers.start(dir);
        HttpConfiguration http = JettyTest.secure();
        AlpnForAnyEngine alpn = new AlpnForAnyEngine("h2", "http/1.1");
        jetty = JettyTest.start(peers, new SslConnectionFactory(JettyTest.sslContextFactory(peers.server),
                alpn.getProtocol()), alpn, new HTTP2ServerConnectionFactory(http), new HttpConnectionFactory(http));
    }

    @AfterAll
    static void stop() throws Exception {
        JettyTest.stop(jetty, peers);
    }

    /** Why the stock setup fails: Jetty finds no ALPN processor for the engine and closes the connection. */
    @Test
    void jettysJdkAlpnProcessorAppliesToJdkEnginesOnly() throws Exception {
        JDK9ServerALPNProcessor stock = new JDK9ServerALPNProcessor();

        assertTrue(stock.appliesTo(SSLContext.getDefault().createSSLEngine()));
        assertFalse(stock.appliesTo(peers.server.createSSLEngine()));
    }

    @Test
    void okHttpOverHttp2ResumesViaSip() throws Exception {
        SipTlsPeers.Client client = peers.client("sip:h2@example.com");
        SipTlsPeers.Before before = peers.before(client);
        AtomicReference<SSLSession> clientSession = new AtomicReference<>();
        OkHttpClient okHttp = JettyTest.okHttp(client.context(), peers.trustManager(), clientSession);
        try (Response response = okHttp.newCall(new Request.Builder()
                .url("https://localhost:" + peers.port + "/").build()).execute()) {
            assertEquals(200, response.code());
            assertEquals(Protocol.HTTP_2, response.protocol());
            assertEquals("ok", response.body().string());

            before.assertResumedViaSip(clientSession.get(), JettyTest.Served.LAST.get());
        } finally {
            okHttp.connectionPool().evictAll();
        }
    }

    /**
     * Jetty's ALPN connection factory, configuring each engine as Jetty's JDK processor does, but for any
     * {@code SSLEngine} that implements the standard ALPN API (Jetty's processor checks the engine's module).
     */
    static final class AlpnForAnyEngine extends ALPNServerConnectionFactory {

        AlpnForAnyEngine(String... protocols) {
            super(protocols);
        }

        @Override
        protected AbstractConnection newServerConnection(Connector connector, EndPoint endPoint, SSLEngine engine,
                List<String> protocols, String defaultProtocol) {
            ALPNServerConnection connection = new ALPNServerConnection(connector, endPoint, engine, protocols,
                    defaultProtocol);
            engine.setHandshakeApplicationProtocolSelector((e, offered) -> {
                try {
                    connection.select(offered);
                    return connection.getProtocol();
                } catch (Throwable noCommonProtocol) {
                    return null;
                }
            });
            ((SslConnection.SslEndPoint) endPoint).getSslConnection().addHandshakeListener(new SslHandshakeListener() {
                @Override
                public void handshakeSucceeded(Event event) {
                    if (connection.getProtocol() == null) {
                        connection.unsupported(); // a client without ALPN: the default protocol
                    }
                }
            });
            return connection;
        }
    }
}
