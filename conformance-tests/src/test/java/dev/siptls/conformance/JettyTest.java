package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jetty 12 serving HTTP/1.1 over TLS, its {@code SslContextFactory.Server} given the SIP-TLS context (Jetty's
 * default suite and protocol selection over it), and two HTTP clients each over a SIP-TLS context with their own
 * defaults: OkHttp and Apache HttpClient 5 (classic). Each request resumes via SIP.
 */
@Timeout(120)
class JettyTest {

    @TempDir
    static Path dir;
    private static SipTlsPeers peers;
    private static Server jetty;

    @BeforeAll
    static void start() throws Exception {
        peers = SipTlsPeers.start(dir);
        jetty = start(peers, new SslConnectionFactory(sslContextFactory(peers.server), HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(secure()));
    }

    @AfterAll
    static void stop() throws Exception {
        stop(jetty, peers);
    }

    /** Stops Jetty (if it started), then the SIP-TLS peers, whatever Jetty does. */
    static void stop(Server jetty, SipTlsPeers peers) throws Exception {
        try {
            if (jetty != null) {
                jetty.stop();
            }
        } finally {
            peers.close();
        }
    }

    @Test
    void okHttpClientResumesViaSip() throws Exception {
        SipTlsPeers.Client client = peers.client("sip:okhttp@example.com");
        SipTlsPeers.Before before = peers.before(client);
        AtomicReference<SSLSession> clientSession = new AtomicReference<>();
        OkHttpClient okHttp = okHttp(client.context(), peers.trustManager(), clientSession);
        try (Response response = okHttp.newCall(new Request.Builder().url(url()).build()).execute()) {
            assertEquals(200, response.code());
            assertEquals(Protocol.HTTP_1_1, response.protocol());
            assertEquals("ok", response.body().string());

            before.assertResumedViaSip(clientSession.get(), Served.LAST.get());
        } finally {
            okHttp.connectionPool().evictAll();
        }
    }

    @Test
    void apacheHttpClient5ResumesViaSip() throws Exception {
        SipTlsPeers.Client client = peers.client("sip:httpclient@example.com");
        SipTlsPeers.Before before = peers.before(client);
        HttpClientContext context = HttpClientContext.create();
        try (CloseableHttpClient http = HttpClients.custom().setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(client.context())).build()).build()) {
            String body = http.execute(new HttpGet(url()), context, response -> {
                assertEquals(200, response.getCode());
                return EntityUtils.toString(response.getEntity());
            });

            assertEquals("ok", body);

            before.assertResumedViaSip(context.getSSLSession(), Served.LAST.get());
        }
    }

    private static String url() {
        return "https://localhost:" + peers.port + "/";
    }

    /** OkHttp with its defaults (ConnectionSpec.MODERN_TLS, ALPN offering h2 and http/1.1) over {@code context}. */
    static OkHttpClient okHttp(SSLContext context, X509TrustManager trust, AtomicReference<SSLSession> session) {
        return new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(), trust)
                .callTimeout(30, TimeUnit.SECONDS).eventListener(new EventListener() {
                    @Override
                    public void connectionAcquired(Call call, Connection connection) {
                        session.set(((SSLSocket) connection.socket()).getSession());
                    }
                }).build();
    }

    /** HTTP configuration whose requests carry the TLS session ({@link EndPoint.SslSessionData}). */
    static HttpConfiguration secure() {
        HttpConfiguration http = new HttpConfiguration();
        http.addCustomizer(new SecureRequestCustomizer());
        return http;
    }

    /** Jetty's TLS with an SSLContext it did not build: Jetty's own suite and protocol selection over it. */
    static SslContextFactory.Server sslContextFactory(SSLContext context) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(context);
        return tls;
    }

    /** A started Jetty on 127.0.0.1:{@code peers.port} whose one handler is {@link Served}. */
    static Server start(SipTlsPeers peers, ConnectionFactory... factories) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, factories);
        connector.setHost("127.0.0.1");
        connector.setPort(peers.port);
        server.addConnector(connector);
        server.setHandler(new Served());
        server.start();
        return server;
    }

    /** Answers "ok" and keeps the request's server-side TLS session for the test to check. */
    static final class Served extends Handler.Abstract {
        static final AtomicReference<SSLSession> LAST = new AtomicReference<>();

        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                Callback callback) {
            LAST.set(((EndPoint.SslSessionData) request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)).sslSession());
            response.setStatus(200);
            Content.Sink.write(response, true, "ok", callback);
            return true;
        }
    }
}
