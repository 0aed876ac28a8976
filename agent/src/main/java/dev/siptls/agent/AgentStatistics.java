package dev.siptls.agent;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one agent, cheap to update from any thread, read with plain getters (the provider exposes
 * them through JMX). Counts only ever grow.
 */
public final class AgentStatistics {

    private final LongAdder registrations = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder registrationFailures = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private volatile String keyServer;
    private final LongAdder requested = new LongAdder();
    private final LongAdder obtained = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<Integer, LongAdder> refusedByCode = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refusedAsServer = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();
    private final LongAccumulator maxLatencyNanos = new LongAccumulator(Math::max, 0);

    AgentStatistics() {
    }

    /** Times the agent became registered (REGISTER and policy MESSAGE accepted) from not being so. */
    public long registrations() { return registrations.sum(); }
    /** Registration refreshes the key server accepted. */
    public long refreshes() { return refreshes.sum(); }
    /** Registration attempts that failed (no connection, timeout, refusal). */
    public long registrationFailures() { return registrationFailures.sum(); }
    /** Times the agent lost a working registration (connection or key server gone) and started again. */
    public long reconnects() { return reconnects.sum(); }
    /** Times the agent registered with another key server than the one it was registered with before. */
    public long failovers() { return failovers.sum(); }
    /** The key server the agent is registered with ({@code ip:port}); empty while it is not registered. */
    public java.util.Optional<String> currentKeyServer() { return java.util.Optional.ofNullable(keyServer); }
    /** SAs this agent asked for as TLS client. */
    public long associationsRequested() { return requested.sum(); }
    /** SAs obtained as TLS client, validated and stored. */
    public long associationsObtained() { return obtained.sum(); }
    /** SA requests answered with a SIP error. */
    public long associationsRefused() { return refused.sum(); }
    /** SA requests that failed otherwise: not registered, timeout, invalid answer, closed. */
    public long associationsFailed() { return failed.sum(); }
    /** SA requests answered with a SIP error, by status code. */
    public Map<Integer, Long> associationsRefusedByCode() {
        Map<Integer, Long> out = new TreeMap<>();
        refusedByCode.forEach((code, n) -> out.put(code, n.sum()));
        return out;
    }
    /** SAs accepted and stored as TLS server. */
    public long associationsAccepted() { return accepted.sum(); }
    /** SAs offered as TLS server and refused. */
    public long associationsRefusedAsServer() { return refusedAsServer.sum(); }
    /** Sum over obtained SAs of the time from request to SA stored, in nanoseconds. */
    public long requestLatencyTotalNanos() { return latencyNanos.sum(); }
    /** The longest time from request to SA stored, in nanoseconds. */
    public long requestLatencyMaxNanos() { return maxLatencyNanos.get(); }
    /** The mean time from request to SA stored, in microseconds; 0 before the first. */
    public long requestLatencyMeanMicros() {
        long n = obtained.sum();
        return n == 0 ? 0 : latencyNanos.sum() / n / 1000;
    }

    void registered() { registrations.increment(); }
    void refreshed() { refreshes.increment(); }
    void registrationFailed() { registrationFailures.increment(); }
    void reconnecting() { reconnects.increment(); }
    void failedOver() { failovers.increment(); }
    void keyServer(String address) { keyServer = address; }
    void requested() { requested.increment(); }
    void obtained(long nanos) {
        obtained.increment();
        latencyNanos.add(nanos);
        maxLatencyNanos.accumulate(nanos);
    }
    void refused(int code) {
        refused.increment();
        refusedByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
    }
    void failed() { failed.increment(); }
    void accepted() { accepted.increment(); }
    void refusedAsServer() { refusedAsServer.increment(); }

    @Override
    public String toString() {
        return "AgentStatistics[registrations=" + registrations() + ", refreshes=" + refreshes()
                + ", registrationFailures=" + registrationFailures() + ", reconnects=" + reconnects()
                + ", failovers=" + failovers() + ", keyServer=" + currentKeyServer().orElse("-")
                + ", requested=" + associationsRequested() + ", obtained=" + associationsObtained()
                + ", refused=" + associationsRefusedByCode() + ", failed=" + associationsFailed()
                + ", accepted=" + associationsAccepted() + ", refusedAsServer=" + associationsRefusedAsServer()
                + ", meanLatency=" + requestLatencyMeanMicros() + "us]";
    }
}
