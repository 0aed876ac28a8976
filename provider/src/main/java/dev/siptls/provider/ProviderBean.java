package dev.siptls.provider;

import dev.siptls.agent.AgentStatistics;

import java.util.Locale;
import java.util.Map;

/** The JMX view of one provider's {@link ProviderRuntime}: reads, never changes. */
final class ProviderBean implements SipTlsProviderMXBean {

    private final ProviderRuntime runtime;

    ProviderBean(ProviderRuntime runtime) {
        this.runtime = runtime;
    }

    private ProviderStatistics stats() {
        return runtime.statistics();
    }

    @Override
    public String getAddressOfRecord() {
        return runtime.config().aor();
    }

    @Override
    public String getRegistrationState() {
        return runtime.health().registration().name();
    }

    @Override
    public String getLastError() {
        return runtime.health().lastError().orElse("");
    }

    @Override
    public String getFallback() {
        return runtime.config().fallback().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean isBridgeCompatible() {
        return BridgeCheck.get().compatible();
    }

    @Override
    public int getAssociationsHeld() {
        return runtime.associations().map(s -> s.size()).orElse(0);
    }

    @Override
    public long getSipResumptionsAsClient() {
        return stats().sipResumptions(true);
    }

    @Override
    public long getSipTls13HandshakesAsClient() {
        return stats().pskHandshakes(true);
    }

    @Override
    public long getSipTls13HandshakesAsServer() {
        return stats().pskHandshakes(false);
    }

    @Override
    public long getRefusedTls13HandshakesAsServer() {
        return stats().pskHandshakesRefused();
    }

    @Override
    public long getNativeResumptionsAsClient() {
        return stats().nativeResumptions(true);
    }

    @Override
    public long getNativeResumptionsAsServer() {
        return stats().nativeResumptions(false);
    }

    @Override
    public long getDeclinedAssociations() {
        return stats().declinedAssociations();
    }

    @Override
    public long getSipResumptionsAsServer() {
        return stats().sipResumptions(false);
    }

    @Override
    public long getHandshakesCompletedAsClient() {
        return stats().completed(true);
    }

    @Override
    public long getHandshakesCompletedAsServer() {
        return stats().completed(false);
    }

    @Override
    public long getFullHandshakesAsClient() {
        return stats().fullHandshakes(true);
    }

    @Override
    public long getFullHandshakesAsServer() {
        return stats().fullHandshakes(false);
    }

    @Override
    public long getRefusedHandshakes() {
        return stats().refused();
    }

    @Override
    public Map<String, Long> getFallbacksByReason() {
        return stats().fallbacks();
    }

    @Override
    public long getAssociationsPrefetched() {
        return stats().prefetched();
    }

    @Override
    public long getAssociationPrefetchFailures() {
        return stats().prefetchFailures();
    }

    @Override
    public long getAssociationRenewals() {
        return stats().renewals();
    }

    @Override
    public long getAssociationRenewalFailures() {
        return stats().renewalFailures();
    }

    @Override
    public long getAssociationRenewalsLimited() {
        return stats().renewalsLimited();
    }

    @Override
    public long getAssociationRequests() {
        return stats().requests();
    }

    @Override
    public long getAssociationRequestsFailed() {
        return stats().requestFailures();
    }

    @Override
    public Map<Integer, Long> getAssociationRequestsRefusedByCode() {
        return runtime.agentStatistics().map(AgentStatistics::associationsRefusedByCode).orElse(Map.of());
    }

    @Override
    public long getAssociationsAcceptedAsServer() {
        return runtime.agentStatistics().map(AgentStatistics::associationsAccepted).orElse(0L);
    }

    @Override
    public long getAssociationRequestLatencyCount() {
        return stats().requestLatency().count();
    }

    @Override
    public long getAssociationRequestLatencyTotalMicros() {
        return stats().requestLatency().totalMicros();
    }

    @Override
    public long getAssociationRequestLatencyMaxMicros() {
        return stats().requestLatency().maxMicros();
    }

    @Override
    public long getAssociationRequestLatencyP50Micros() {
        return stats().requestLatency().percentileMicros(0.5);
    }

    @Override
    public long getAssociationRequestLatencyP99Micros() {
        return stats().requestLatency().percentileMicros(0.99);
    }

    @Override
    public long getAgentRegistrations() {
        return runtime.agentStatistics().map(AgentStatistics::registrations).orElse(0L);
    }

    @Override
    public long getAgentReconnects() {
        return runtime.agentStatistics().map(AgentStatistics::reconnects).orElse(0L);
    }

    @Override
    public long getAgentFailovers() {
        return runtime.agentStatistics().map(AgentStatistics::failovers).orElse(0L);
    }

    @Override
    public String getKeyServer() {
        return runtime.agentStatistics().flatMap(AgentStatistics::currentKeyServer).orElse("");
    }
}
