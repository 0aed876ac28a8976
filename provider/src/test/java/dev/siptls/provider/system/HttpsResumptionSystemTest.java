package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDK's own HTTPS code, unmodified: {@code HttpsURLConnection} (default hostname verifier: the host is
 * checked against the SA's server chain) and {@code java.net.http.HttpClient} (HTTP/1.1) against a
 * {@code com.sun.net.httpserver.HttpsServer}, all on SIP-TLS contexts, resume with the distributed SA.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class HttpsResumptionSystemTest {

    @Test
    void httpsUrlConnectionResumesWithTheDistributedAssociation(SipTlsWorld world) throws Exception {
        try (Https https = Https.start(world)) {
            HttpsURLConnection connection = (HttpsURLConnection) URI.create(https.url()).toURL().openConnection();
            connection.setSSLSocketFactory(https.client.context().getSocketFactory());
            connection.setConnectTimeout(20_000);
            connection.setReadTimeout(20_000);
            String body;
            SSLSession clientSession;
            try (InputStream in = connection.getInputStream()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                clientSession = session(connection);
            } finally {
                connection.disconnect();
            }

            assertEquals("hello over SIP-TLS", body);
            Evidence.sipResumption(https.client, clientSession, https.server, https.nextServerSession(), 1);
            assertEquals("TLSv1.3", clientSession.getProtocol(), "a TLS 1.3 SA: the PSK handshake, on the defaults");
        }
    }

    @Test
    void httpClientResumesWithTheDistributedAssociation(SipTlsWorld world) throws Exception {
        try (Https https = Https.start(world)) {
            HttpClient client = HttpClient.newBuilder().sslContext(https.client.context())
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(https.url()))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("hello over SIP-TLS", response.body());
            Evidence.sipResumption(https.client, response.sslSession().orElseThrow(), https.server,
                    https.nextServerSession(), 1);
            assertEquals("TLSv1.3", response.sslSession().orElseThrow().getProtocol());
        }
    }

    /** The session of a connected {@code HttpsURLConnection}. */
    private static SSLSession session(HttpsURLConnection connection) {
        return connection.getSSLSession().orElseThrow(() -> new AssertionError("no TLS session"));
    }

    /** An HTTPS server on a SIP-TLS context, and a SIP-TLS client terminal for it. */
    private static final class Https implements AutoCloseable {
        final Terminal server;
        final Terminal client;
        final HttpsServer http;
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        final BlockingQueue<SSLSession> serverSessions = new LinkedBlockingQueue<>();

        private Https(Terminal server, Terminal client, HttpsServer http) {
            this.server = server;
            this.client = client;
            this.http = http;
        }

        static Https start(SipTlsWorld world) throws Exception {
            HttpsServer http = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            int port = http.getAddress().getPort();
            Terminal server = world.server(port, Map.of());
            Terminal client = world.client(Map.of());
            Https https = new Https(server, client, http);
            http.setHttpsConfigurator(new HttpsConfigurator(server.context()));
            http.createContext("/", exchange -> {
                https.serverSessions.add(((HttpsExchange) exchange).getSSLSession());
                byte[] body = "hello over SIP-TLS".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            http.setExecutor(https.executor);
            http.start();
            SipTlsWorld.awaitRegistered(server, client);
            return https;
        }

        String url() {
            return "https://localhost:" + http.getAddress().getPort() + "/";
        }

        SSLSession nextServerSession() throws InterruptedException {
            SSLSession session = serverSessions.poll(20, TimeUnit.SECONDS);
            if (session == null) {
                throw new AssertionError("no request reached the HTTPS server");
            }
            return session;
        }

        @Override
        public void close() {
            http.stop(0);
            executor.shutdownNow();
        }
    }
}
