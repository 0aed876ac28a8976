package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.server.KeyServer;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sip-tls server --metrics}: a real key server, real agents over TLS, and a scrape over HTTP whose values move
 * with what the agents did; health that follows the key server's life.
 */
class MetricsEndpointTest {

    private static final String SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

    /** Shared: the demo credentials are made once, and each test's key server loads them. */
    @TempDir
    static Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void scrapedValuesMoveWithRegistrationsAssociationsRefusalsAndLatencies() throws Exception {
        ServerCommand command = command("server", "--port", "0", "--metrics", "127.0.0.1:0",
                "--data-dir", dataDir.toString());
        StringWriter printed = new StringWriter();
        KeyServer server = command.start(new PrintWriter(printed));
        try (MetricsEndpoint endpoint = command.metrics) {
            String base = "http://" + MetricsEndpoint.hostPort(endpoint.address());
            assertTrue(printed.toString().contains("Metrics on " + base + "/metrics"), printed.toString());
            HttpResponse<String> first = get(base + "/metrics");
            assertEquals(200, first.statusCode());
            assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String before = first.body();
            assertEquals(0, value(before, "siptls_keyserver_registrations_new_total"));
            assertEquals(0, value(before, "siptls_keyserver_sas_issued_total"));
            assertTrue(value(before, "jvm_threads_live_threads") > 0, "the JVM's meters too");

            String password = Files.readString(dataDir.resolve("password")).strip();
            try (SipTlsAgent bob = agent(server, "sip:bob@example.com", password);
                 SipTlsAgent alice = agent(server, "sip:alice@example.com", password)) {
                bob.start();
                alice.start();
                assertTrue(bob.awaitRegistered(Duration.ofSeconds(10)), "bob: " + bob.lastError());
                assertTrue(alice.awaitRegistered(Duration.ofSeconds(10)), "alice: " + alice.lastError());
                alice.requestAssociation("sips:bob@example.com").get(10, TimeUnit.SECONDS);
                assertThrows(ExecutionException.class, () -> alice.requestAssociation("sips:nobody@example.com")
                        .get(10, TimeUnit.SECONDS), "nobody is registered");

                String after = scrapeUntil(base, s -> value(s, "siptls_keyserver_invite_latency_seconds_count") >= 2);

                assertEquals(2, value(after, "siptls_keyserver_registrations_new_total"));
                assertEquals(2, value(after, "siptls_keyserver_registrations_current"));
                assertTrue(value(after, "siptls_keyserver_policies_accepted_total") >= 2);
                assertEquals(1, value(after, "siptls_keyserver_sas_issued_total", "tls=\"1.2\""));
                assertEquals(1, value(after, "siptls_keyserver_refusals_total", "status=\"404\"",
                        "reason=\"unknown-target\""), after);
                assertEquals(2, value(after, "siptls_keyserver_invite_latency_seconds_count"));
                assertEquals(2, value(after, "siptls_keyserver_invite_latency_seconds_bucket", "le=\"+Inf\""));
                assertEquals(1, value(after, "siptls_keyserver_relay_latency_seconds_count"));
                assertTrue(value(after, "siptls_keyserver_register_latency_seconds_count") >= 2);
                assertTrue(value(after, "siptls_keyserver_connections_open") >= 2);
                assertTrue(after.contains("keyserver=\"keyserver\""), "tagged with the key server's name");
            }
            assertEquals(200, get(base + "/health/live").statusCode());
            HttpResponse<String> ready = get(base + "/health/ready");
            assertEquals(200, ready.statusCode());
            assertTrue(ready.body().startsWith("UP accepting agents"), ready.body());

            server.close();

            assertEquals(503, get(base + "/health/live").statusCode());
            HttpResponse<String> closed = get(base + "/health/ready");
            assertEquals(503, closed.statusCode());
            assertEquals("DOWN key server closed\n", closed.body());
            endpoint.close();
            assertThrows(IOException.class, () -> get(base + "/health/live"), "nothing listens once closed");
        } finally {
            server.close();
        }
    }

    @Test
    void answersGetAndHeadOnItsThreePathsOnly() throws Exception {
        ServerCommand command = command("server", "--port", "0", "--data-dir", dataDir.toString());
        command.metricsAddress = java.net.InetSocketAddress.createUnresolved("127.0.0.1", 0);
        try (KeyServer server = command.start(new PrintWriter(new StringWriter()));
             MetricsEndpoint endpoint = command.metrics) {
            String base = "http://" + MetricsEndpoint.hostPort(endpoint.address());

            assertEquals(404, get(base + "/").statusCode());
            assertEquals(404, get(base + "/metrics/extra").statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            assertTrue(server.readiness().up());
        }
    }

    @Test
    void aBusyMetricsPortIsOneLineNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            ServerCommand command = command("server", "--port", "0", "--metrics", address,
                    "--data-dir", dataDir.toString());

            MetricsEndpoint.Unusable e = assertThrows(MetricsEndpoint.Unusable.class,
                    () -> command.start(new PrintWriter(new StringWriter())).close());

            assertTrue(e.getMessage().startsWith("cannot serve metrics on " + address + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void readsTheMetricsAddressFromTheConfigurationFileAndRefusesAMalformedOne() throws Exception {
        Path config = dataDir.resolve("metrics.properties");
        Files.writeString(config, "metrics=localhost\n");

        UserError e = assertThrows(UserError.class,
                () -> command("server", "--config", config.toString(), "--data-dir", dataDir.toString())
                        .start(new PrintWriter(new StringWriter())));

        assertEquals(config + ": metrics: 'localhost' is not host:port (e.g. 127.0.0.1:9464)", e.getMessage());
    }

    /** Scrapes until {@code done} holds: a latency is recorded just after its response went out. */
    private String scrapeUntil(String base, java.util.function.Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String body = get(base + "/metrics").body();
            if (done.test(body) || System.nanoTime() > deadline) {
                return body;
            }
            Thread.sleep(20);
        }
    }

    /** The sum of the samples of {@code metric} carrying every one of {@code labels}; 0 if none. */
    static double value(String scrape, String metric, String... labels) {
        return scrape.lines().filter(l -> !l.startsWith("#"))
                .filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
                .filter(l -> Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private SipTlsAgent agent(KeyServer server, String aor, String password) throws Exception {
        char[] pw = password.toCharArray();
        TlsIdentity identity = TlsIdentity.fromPkcs12(dataDir.resolve(DemoCredentials.fileName(aor) + ".p12"),
                pw, dataDir.resolve("truststore.p12"), pw);
        return SipTlsAgent.builder().aor(aor).identity(identity).keyServer(server.address())
                .keyServerName("127.0.0.1").policy(SecurityPolicy.builder().cipherSuite(SUITE).build()).build();
    }

    private static ServerCommand command(String... args) {
        CommandLine.ParseResult parsed = SipTlsCommand.commandLine().parseArgs(args);
        return (ServerCommand) parsed.subcommand().commandSpec().userObject();
    }
}
