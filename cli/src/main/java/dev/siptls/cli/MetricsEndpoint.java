package dev.siptls.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.siptls.server.Health;
import dev.siptls.server.KeyServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A key server's metrics and health over plain HTTP, for a monitoring system: {@code GET /metrics} (Prometheus
 * text format: the key server's meters and the JVM's), {@code /health/live} and {@code /health/ready} (200 or 503,
 * one line of plain text). GET and HEAD only; any other path is 404. The JDK's HTTP server on two threads of its own.
 * It binds at {@link #bind}, before the key server starts, so that a busy port stops the start at once.
 */
final class MetricsEndpoint implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MetricsEndpoint.class.getName());
    private static final String TEXT = "text/plain; charset=utf-8";
    /** What {@link PrometheusMeterRegistry#scrape()} writes: the Prometheus text format. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer http;
    private final ExecutorService threads;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Set by {@link #serve} before the first request can arrive. */
    private volatile Supplier<Health> live;
    private volatile Supplier<Health> ready;

    /** The address could not be served on: a line naming it and why. */
    static final class Unusable extends UserError {
        private static final long serialVersionUID = 1L;

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private MetricsEndpoint(HttpServer http, ExecutorService threads) {
        this.http = http;
        this.threads = threads;
    }

    /** Binds {@code address}; nothing is served until {@link #serve}. */
    static MetricsEndpoint bind(InetSocketAddress address) throws Unusable {
        HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new Unusable("cannot serve metrics on " + hostPort(address) + ": " + e.getMessage()
                    + "; choose another address for --metrics (or the metrics key)", e);
        } catch (IOException e) {
            throw new Unusable("cannot serve metrics on " + hostPort(address) + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2, task -> {
            Thread t = new Thread(task, "sip-tls-metrics-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        return new MetricsEndpoint(http, threads);
    }

    /** Starts serving {@code server}'s meters, the JVM's, and its health. */
    void serve(KeyServer server) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        server.metrics().bindTo(registry);
        live = server::liveness;
        ready = server::readiness;
        http.createContext("/", this::handle);
        http.start();
    }

    /** Where it listens (the port chosen, if 0 was asked). */
    InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, TEXT, "method not allowed: GET or HEAD\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> reply(exchange, 200, PROMETHEUS_TEXT, registry.scrape());
                case "/health/live" -> health(exchange, live.get());
                case "/health/ready" -> health(exchange, ready.get());
                default -> reply(exchange, 404, TEXT, "not found: /metrics, /health/live or /health/ready\n");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "answering " + exchange.getRequestURI().getPath() + " failed", e);
            throw e;
        }
    }

    private static void health(HttpExchange exchange, Health health) throws IOException {
        reply(exchange, health.up() ? 200 : 503, TEXT, (health.up() ? "UP " : "DOWN ") + health.detail() + "\n");
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops listening and ends its threads; idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        http.stop(0);
        threads.shutdownNow();
        gc.close();
        registry.close();
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * {@code host:port} (an IPv6 host in brackets), not resolved yet; a value that is not one is an
     * {@link IllegalArgumentException} saying why in words that follow the flag's or the key's name.
     */
    static InetSocketAddress parse(String value) {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        String complaint = "'" + v + "' is not host:port (e.g. 127.0.0.1:9464)";
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException(complaint);
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(complaint);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** {@code address} with its host looked up; a host that cannot be is an {@link IllegalArgumentException}. */
    static InetSocketAddress resolve(InetSocketAddress address) {
        InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
        if (resolved.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + address.getHostString() + "'");
        }
        return resolved;
    }
}
