package dev.siptls.cli;

import dev.siptls.cli.BoundedHttpServer.Response;
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
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A key server's metrics and health over plain HTTP, for a monitoring system: {@code GET /metrics} (Prometheus
 * text format: the key server's meters and the JVM's), {@code /health/live} and {@code /health/ready} (200 or 503,
 * one line of plain text). GET and HEAD only; any other path is 404. Served by a {@link BoundedHttpServer}: at most
 * {@value #MAX_CONNECTIONS} connections, each closed {@link #DEADLINE} after its accept, so that the port can neither
 * use up the key server's file descriptors nor be held by a few idle sockets. It binds at {@link #bind}, before the
 * key server starts, so that a busy port stops the start at once.
 */
final class MetricsEndpoint implements AutoCloseable {

    /** A scraper and a few health checks need a handful; file descriptors are what the SIP side needs. */
    static final int MAX_CONNECTIONS = 16;
    /** From accept to close: a request and its answer on loopback or a LAN take milliseconds. */
    static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final String TEXT = "text/plain; charset=utf-8";
    /** What {@link PrometheusMeterRegistry#scrape()} writes: the Prometheus text format. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final BoundedHttpServer http;
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

    private MetricsEndpoint(BoundedHttpServer http) {
        this.http = http;
    }

    /** Binds {@code address}; nothing is served until {@link #serve}. */
    static MetricsEndpoint bind(InetSocketAddress address) throws Unusable {
        return bind(address, MAX_CONNECTIONS, DEADLINE);
    }

    /** {@link #bind(InetSocketAddress)} with other bounds (a test's short deadline). */
    static MetricsEndpoint bind(InetSocketAddress address, int maxConnections, Duration deadline) throws Unusable {
        BoundedHttpServer http;
        try {
            http = BoundedHttpServer.bind(address, maxConnections, deadline);
        } catch (BindException e) {
            throw new Unusable("cannot serve metrics on " + hostPort(address) + ": " + e.getMessage()
                    + "; choose another address for --metrics (or the metrics key)", e);
        } catch (IOException e) {
            throw new Unusable("cannot serve metrics on " + hostPort(address) + ": " + e.getMessage(), e);
        }
        return new MetricsEndpoint(http);
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
        http.start(this::answer);
    }

    /** Where it listens (the port chosen, if 0 was asked). */
    InetSocketAddress address() {
        return http.address();
    }

    /** How many HTTP connections are open now. */
    int openConnections() {
        return http.openConnections();
    }

    private Response answer(String path) {
        return switch (path) {
            case "/metrics" -> new Response(200, PROMETHEUS_TEXT, registry.scrape());
            case "/health/live" -> health(live.get());
            case "/health/ready" -> health(ready.get());
            default -> new Response(404, TEXT, "not found: /metrics, /health/live or /health/ready\n");
        };
    }

    private static Response health(Health health) {
        return new Response(health.up() ? 200 : 503, TEXT, (health.up() ? "UP " : "DOWN ") + health.detail() + "\n");
    }

    /** Stops listening and ends its threads; idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        http.close();
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
