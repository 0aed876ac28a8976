package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Frameworks and plain JSSE code with SIP-TLS's defaults (TLS 1.3 and 1.2 enabled). */
class Tls13FrameworkDefaultsSystemTest {

    static SipTlsWorld world;

    @BeforeAll
    static void world() throws Exception {
        world = new SipTlsWorld(Files.createTempDirectory("fw"));
    }

    @AfterAll
    static void close() {
        world.close();
    }

    @Test
    void sslSocketWithOnlyTls13EnabledResumesWithATls13Sa() throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoClient.Exchange e = EchoClient.exchange(peers.client().context(), "localhost", peers.port(), "a",
                    s -> s.setEnabledProtocols(new String[]{"TLSv1.3"}));
            System.out.println("[fw] TLSv1.3-only socket: " + e.session().getProtocol() + " " + e.session().getCipherSuite()
                    + " " + e.session() + " | 13=" + peers.client().provider().statistics().getSipTls13HandshakesAsClient()
                    + " full=" + peers.client().provider().statistics().getFullHandshakesAsClient());
            assertEquals("TLSv1.3", e.session().getProtocol());
            EchoClient.Exchange f = EchoClient.exchange(peers.client().context(), "localhost", peers.port(), "b",
                    s -> s.setEnabledProtocols(new String[]{"TLSv1.2"}));
            System.out.println("[fw] TLSv1.2-only socket: " + f.session().getProtocol() + " " + f.session().getCipherSuite()
                    + " sipRes=" + peers.client().provider().statistics().getSipResumptionsAsClient()
                    + " full=" + peers.client().provider().statistics().getFullHandshakesAsClient()
                    + " fallbacks=" + peers.client().provider().statistics().getFallbacksByReason());
            assertEquals("TLSv1.2", f.session().getProtocol());
            assertEquals(0, peers.client().provider().statistics().getFullHandshakesAsClient());
        }
    }

    @Test
    void alpnH2OverATls13SaWithHttpClient() throws Exception {
        int port = SipTlsWorld.freePort();
        SipTlsWorld.Terminal server = world.server(port, Map.of());
        SipTlsWorld.Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (SSLServerSocket ss = (SSLServerSocket) server.context().getServerSocketFactory()
                .createServerSocket(port, 5, InetAddress.getLoopbackAddress())) {
            SSLParameters p = ss.getSSLParameters();
            p.setApplicationProtocols(new String[]{"h2", "http/1.1"});
            ss.setSSLParameters(p);
            Thread t = new Thread(() -> {
                try (SSLSocket c = (SSLSocket) ss.accept()) {
                    c.setSoTimeout(5000);
                    c.startHandshake();
                    InputStream in = c.getInputStream();
                    byte[] preface = in.readNBytes(24);
                    seen.complete(c.getSession().getProtocol() + " alpn=" + c.getApplicationProtocol() + " preface="
                            + new String(preface).replace("\r\n", "|"));
                } catch (Exception e) {
                    seen.complete("server: " + e);
                }
            });
            t.setDaemon(true);
            t.start();
            HttpClient http = HttpClient.newBuilder().sslContext(client.context()).version(HttpClient.Version.HTTP_2)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            CompletableFuture<HttpResponse<String>> r = http.sendAsync(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + port + "/")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String s = seen.get(10, java.util.concurrent.TimeUnit.SECONDS);
            System.out.println("[fw] HttpClient HTTP_2 to ALPN server: " + s + " | client 13="
                    + client.provider().statistics().getSipTls13HandshakesAsClient() + " full="
                    + client.provider().statistics().getFullHandshakesAsClient());
            r.cancel(true);
            assertEquals("TLSv1.3 alpn=h2 preface=PRI * HTTP/2.0||SM||", s);
            assertEquals(1, client.provider().statistics().getSipTls13HandshakesAsClient());
        }
    }

    @Test
    void httpClientHttp2AgainstJdkHttpsServer() throws Exception {
        int port = SipTlsWorld.freePort();
        SipTlsWorld.Terminal server = world.server(port, Map.of());
        SipTlsWorld.Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10);
        https.setHttpsConfigurator(new HttpsConfigurator(server.context()));
        https.createContext("/", x -> {
            byte[] b = "ok".getBytes();
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        https.start();
        try {
            HttpClient http = HttpClient.newBuilder().sslContext(client.context()).version(HttpClient.Version.HTTP_2)
                    .build();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                System.out.println("[fw] HttpClient HTTP_2 -> JDK HttpsServer: " + r.statusCode() + " " + r.version()
                        + " " + r.sslSession().map(s -> s.getProtocol() + " " + s).orElse("-") + " | client 13="
                        + client.provider().statistics().getSipTls13HandshakesAsClient() + " full="
                        + client.provider().statistics().getFullHandshakesAsClient() + " server 13="
                        + server.provider().statistics().getSipTls13HandshakesAsServer());
                assertEquals(200, r.statusCode());
            }
            assertEquals(0, client.provider().statistics().getFullHandshakesAsClient());
        } finally {
            https.stop(0);
        }
    }
}
