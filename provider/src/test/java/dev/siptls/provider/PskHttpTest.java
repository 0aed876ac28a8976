package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/**
 * Two unmodified JDK engine drivers over the PSK engines: {@code java.net.http.HttpClient} as the client and
 * {@code com.sun.net.httpserver.HttpsServer} as the server, over a loopback socket, each getting its engines from
 * an SSLContext that makes PSK engines (the wiring the provider will do).
 */
class PskHttpTest {

    @Test
    void jdkHttpClientAndHttpsServerTalkOverPskEngines() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        String suite = "TLS_AES_128_GCM_SHA256";
        Queue<Tls13PskEngine> serverEngines = new ConcurrentLinkedQueue<>();
        SSLContext serverContext = context((host, port) -> {
            Tls13PskEngine engine = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, suite), null);
            serverEngines.add(engine);
            return engine;
        });
        SSLContext clientContext = context((host, port) -> Tls13PskEngine.client(
                PskEnginePair.psk(PskEnginePair.IDENTITY, key, suite), null, host, port,
                new org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto(PskEnginePair.RANDOM)));

        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.createContext("/", exchange -> {
            byte[] body = ("hello over " + ((com.sun.net.httpserver.HttpsExchange) exchange).getSSLSession()
                    .getProtocol()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        ExecutorService executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.start();
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(clientContext).build();
            URI uri = URI.create("https://localhost:" + server.getAddress().getPort() + "/");
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals("hello over TLSv1.3", response.body());
                SSLSession session = response.sslSession().orElseThrow();
                assertEquals("TLSv1.3", session.getProtocol());
                assertEquals(suite, session.getCipherSuite());
            }
            assertEquals(1, serverEngines.stream().filter(Tls13PskEngine::handshakeComplete).count(),
                    "one PSK handshake, its connection kept for the three requests");
        } finally {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** An SSLContext whose engines are PSK engines; nothing else of it is used here. */
    private static SSLContext context(BiFunction<String, Integer, SSLEngine> engines) {
        SSLContextSpi spi = new SSLContextSpi() {
            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
                    throws KeyManagementException {
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLParameters engineGetDefaultSSLParameters() {
                return engines.apply(null, -1).getSSLParameters();
            }

            @Override
            protected SSLParameters engineGetSupportedSSLParameters() {
                return engines.apply(null, -1).getSSLParameters();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return engines.apply(null, -1);
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                return engines.apply(host, port);
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return null;
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return null;
            }
        };
        return new SSLContext(spi, null, "TLSv1.3") {
        };
    }
}
