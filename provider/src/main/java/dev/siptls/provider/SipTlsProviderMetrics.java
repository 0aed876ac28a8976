package dev.siptls.provider;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Bridges one provider's counters (the same as its JMX bean, {@link SipTlsProvider#statistics()}) to an application's
 * Micrometer registry, tagged {@code aor=<AOR>}: {@code new SipTlsProviderMetrics(provider).bindTo(registry)}.
 * Micrometer is an optional dependency of the provider: only an application that uses this class needs it.
 * The meters read the counters when scraped; nothing is counted twice.
 */
public final class SipTlsProviderMetrics implements MeterBinder {

    private final SipTlsProviderMXBean stats;
    private final Tags tags;

    /** @throws IllegalStateException if {@code provider} is not configured */
    public SipTlsProviderMetrics(SipTlsProvider provider) {
        this.stats = provider.statistics();
        this.tags = Tags.of("aor", stats.getAddressOfRecord());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String handshakes = "siptls.provider.handshakes";
        String what = "Handshakes completed: resumed with an SA from the key server, resumed natively, or in full";
        counter(registry, handshakes, what, Tags.of("role", "client", "kind", "sip"), s -> s.getSipResumptionsAsClient());
        counter(registry, handshakes, what, Tags.of("role", "server", "kind", "sip"), s -> s.getSipResumptionsAsServer());
        counter(registry, handshakes, what, Tags.of("role", "client", "kind", "native"),
                s -> s.getNativeResumptionsAsClient());
        counter(registry, handshakes, what, Tags.of("role", "server", "kind", "native"),
                s -> s.getNativeResumptionsAsServer());
        counter(registry, handshakes, what, Tags.of("role", "client", "kind", "full"), s -> s.getFullHandshakesAsClient());
        counter(registry, handshakes, what, Tags.of("role", "server", "kind", "full"), s -> s.getFullHandshakesAsServer());
        counter(registry, "siptls.provider.handshakes.tls13", "Of the SIP resumptions, TLS 1.3 handshakes on an SA's PSK",
                Tags.of("role", "client"), s -> s.getSipTls13HandshakesAsClient());
        counter(registry, "siptls.provider.handshakes.tls13", "Of the SIP resumptions, TLS 1.3 handshakes on an SA's PSK",
                Tags.of("role", "server"), s -> s.getSipTls13HandshakesAsServer());
        counter(registry, "siptls.provider.handshakes.refused", "Handshakes refused under fallback=fail", Tags.empty(),
                s -> s.getRefusedHandshakes());
        for (FallbackReason reason : FallbackReason.values()) {
            counter(registry, "siptls.provider.fallbacks", "Full or refused handshakes, by reason",
                    Tags.of("reason", reason.key()), s -> s.getFallbacksByReason().getOrDefault(reason.key(), 0L));
        }
        counter(registry, "siptls.provider.sas.requested", "SA requests to the key server", Tags.empty(),
                s -> s.getAssociationRequests());
        counter(registry, "siptls.provider.sas.request.failures", "SA requests that failed", Tags.empty(),
                s -> s.getAssociationRequestsFailed());
        counter(registry, "siptls.provider.sas.accepted", "SAs the key server distributed to this TLS server",
                Tags.empty(), s -> s.getAssociationsAcceptedAsServer());
        counter(registry, "siptls.provider.sas.declined", "SAs offered by a client that the server did not resume",
                Tags.empty(), s -> s.getDeclinedAssociations());
        counter(registry, "siptls.provider.sas.renewed", "SAs renewed before they stopped being offered", Tags.empty(),
                s -> s.getAssociationRenewals());
        Gauge.builder("siptls.provider.sas.held", stats, s -> s.getAssociationsHeld()).tags(tags)
                .description("SAs the agent holds now").register(registry);
        FunctionTimer.builder("siptls.provider.sas.request.latency", stats, s -> s.getAssociationRequestLatencyCount(),
                        s -> s.getAssociationRequestLatencyTotalMicros(), TimeUnit.MICROSECONDS)
                .tags(tags).description("Successful SA requests, from INVITE to the SA").register(registry);
        counter(registry, "siptls.provider.agent.registrations", "Times the agent registered", Tags.empty(),
                s -> s.getAgentRegistrations());
        counter(registry, "siptls.provider.agent.failovers", "Times the agent moved to another key server",
                Tags.empty(), s -> s.getAgentFailovers());
        Gauge.builder("siptls.provider.agent.registered", stats,
                        s -> "REGISTERED".equals(s.getRegistrationState()) ? 1 : 0)
                .tags(tags).description("1 while the agent is registered with a key server").register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, Tags extra,
            ToDoubleFunction<SipTlsProviderMXBean> read) {
        FunctionCounter.builder(name, stats, read).description(description).tags(tags).tags(extra).register(registry);
    }
}
