package dev.siptls.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The key server's statistics as Micrometer meters, tagged {@code keyserver=<name>}: counters and gauges read the
 * same adders JMX reads (nothing is counted twice), and timers with fixed buckets are fed each latency where it is
 * measured. A refusal reason becomes a counter when it first happens. Bind it to as many registries as wanted.
 */
final class KeyServerMetrics implements MeterBinder {

    /** Histogram buckets: an SA is answered in about a millisecond; the relay gives up after seconds. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1).dividedBy(10), Duration.ofMillis(1).dividedBy(4), Duration.ofMillis(1).dividedBy(2),
        Duration.ofMillis(1), Duration.ofMillis(5).dividedBy(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500)};

    private final Counters counters;
    private final Tags tags;
    private final boolean cluster;

    KeyServerMetrics(String name, Counters counters, boolean cluster) {
        this.counters = counters;
        this.tags = Tags.of("keyserver", name);
        this.cluster = cluster;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "siptls.keyserver.registrations.new", "REGISTERs that created a registration (not refreshes)",
                Tags.empty(), Counters::getTotalRegistrations);
        counter(registry, "siptls.keyserver.registrations.refreshed", "REGISTERs that refreshed a registration",
                Tags.empty(), Counters::getRefreshedRegistrations);
        counter(registry, "siptls.keyserver.registrations.queried", "REGISTERs without Contact: queries that"
                + " changed nothing", Tags.empty(), Counters::registrationQueries);
        gauge(registry, "siptls.keyserver.registrations.current", "AORs registered on this key server now",
                Counters::getCurrentRegistrations);
        counter(registry, "siptls.keyserver.policies.accepted", "Security policies accepted", Tags.empty(),
                Counters::getTotalPolicies);
        gauge(registry, "siptls.keyserver.policies.current", "Registrations holding an accepted policy now",
                Counters::getCurrentPolicies);
        counter(registry, "siptls.keyserver.sas.issued", "Security associations delivered to both agents",
                Tags.of("tls", "1.2"), Counters::tls12AssociationsIssued);
        counter(registry, "siptls.keyserver.sas.issued", "Security associations delivered to both agents",
                Tags.of("tls", "1.3"), Counters::getTls13AssociationsIssued);
        counter(registry, "siptls.keyserver.relays.answered", "Server-leg INVITEs the server agent answered",
                Tags.empty(), Counters::getRelaysAnswered);
        gauge(registry, "siptls.keyserver.connections.open", "Accepted TLS connections open now",
                Counters::getOpenConnections);
        counter(registry, "siptls.keyserver.tls.handshakes.failed", "TLS handshakes that failed", Tags.empty(),
                Counters::getFailedTlsHandshakes);
        counter(registry, "siptls.keyserver.connections.closed", "Connections the key server closed",
                Tags.of("reason", "slow-peer"), Counters::getSlowPeersDisconnected);
        counter(registry, "siptls.keyserver.connections.closed", "Connections the key server closed",
                Tags.of("reason", "idle"), Counters::getIdleConnectionsClosed);
        counter(registry, "siptls.keyserver.connections.refused", "Connections refused at accept",
                Tags.of("reason", "reused-address"), Counters::getReusedAddressesRefused);
        if (cluster) {
            counter(registry, "siptls.keyserver.cluster.relayed", "Server legs passed between nodes",
                    Tags.of("direction", "to-node"), Counters::getRelayedToNodes);
            counter(registry, "siptls.keyserver.cluster.relayed", "Server legs passed between nodes",
                    Tags.of("direction", "from-node"), Counters::getRelayedFromNodes);
            gauge(registry, "siptls.keyserver.cluster.registrations", "Registrations kept cluster-wide",
                    Counters::getClusterRegistrations);
        }
        Map<Counters.Latency, Timer> timers = new EnumMap<>(Counters.Latency.class);
        timers.put(Counters.Latency.INVITE, timer(registry, "siptls.keyserver.invite.latency",
                "From a client's INVITE to its final response (SA or refusal), relay included"));
        timers.put(Counters.Latency.RELAY, timer(registry, "siptls.keyserver.relay.latency",
                "From the server-leg INVITE to the server agent's final answer"));
        timers.put(Counters.Latency.REGISTER, timer(registry, "siptls.keyserver.register.latency",
                "Handling a REGISTER, to its response"));
        timers.put(Counters.Latency.POLICY, timer(registry, "siptls.keyserver.policy.latency",
                "Handling a policy MESSAGE, to its response"));
        counters.observe(new Counters.Observer() {
            @Override
            public void latency(Counters.Latency which, long nanos) {
                timers.get(which).record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void newRefusal(int status, String key, LongAdder count) {
                FunctionCounter.builder("siptls.keyserver.refusals", count, LongAdder::sum)
                        .description("Requests the key server refused, by status and reason")
                        .tags(tags).tags("status", Integer.toString(status), "reason", key)
                        .register(registry);
            }
        });
    }

    private void counter(MeterRegistry registry, String name, String description, Tags extra,
            ToDoubleFunction<Counters> read) {
        FunctionCounter.builder(name, counters, read).description(description).tags(tags).tags(extra)
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Counters> read) {
        Gauge.builder(name, counters, read).description(description).tags(tags).register(registry);
    }

    private Timer timer(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(BUCKETS)
                .register(registry);
    }
}
