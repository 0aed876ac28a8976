package dev.siptls.server;

import dev.siptls.sip.TransportStatistics;
import java.util.function.Supplier;

import dev.siptls.sip.LatencyHistogram;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The counters behind {@link KeyServerStatistics}: adders, so the SIP thread never contends on them. */
final class Counters implements KeyServerStatistics {

    final LongAdder registrationsCreated = new LongAdder();
    final LongAdder registrationsRefreshed = new LongAdder();
    /** REGISTERs without Contact that asked for an AOR's binding (and changed nothing). */
    final LongAdder registrationQueries = new LongAdder();
    final LongAdder policiesAccepted = new LongAdder();
    private final LongAdder associationsIssued = new LongAdder();
    private final LongAdder tls12AssociationsIssued = new LongAdder();
    private final LongAdder tls13AssociationsIssued = new LongAdder();
    /** Server legs this node sent to another node, for an agent registered there. */
    final LongAdder relayedToNodes = new LongAdder();
    /** Server legs another node sent here, passed on to an agent registered here. */
    final LongAdder relayedFromNodes = new LongAdder();
    private volatile LongSupplier sharedRegistrations = () -> -1;
    private volatile Supplier<Map<String, Long>> clusterTotals = Map::of;
    private final LongAdder relays = new LongAdder();
    private final LongAdder relayNanos = new LongAdder();
    private final LongAccumulator relayMaxNanos = new LongAccumulator(Math::max, 0);
    private final LatencyHistogram inviteAnswers = new LatencyHistogram();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final LongSupplier currentRegistrations;
    private final LongSupplier currentPolicies;
    private volatile Supplier<TransportStatistics> transport = () -> new TransportStatistics(0, 0, 0, 0, 0);
    /** Bound metrics ({@link KeyServerMetrics}), told each latency and each new refusal reason; none by default. */
    private final List<Observer> observers = new CopyOnWriteArrayList<>();

    /** What {@link Counters} times; each also goes to its observers. */
    enum Latency { RELAY, INVITE, REGISTER, POLICY }

    /** Hears what the adders alone cannot give a meter registry: single latencies, and refusal reasons as they appear. */
    interface Observer {
        void latency(Latency which, long nanos);

        /** The first refusal of {@code status} and {@code key} happened; {@code count} counts them from now on. */
        void newRefusal(int status, String key, LongAdder count);
    }

    Counters(LongSupplier currentRegistrations, LongSupplier currentPolicies) {
        this.currentRegistrations = currentRegistrations;
        this.currentPolicies = currentPolicies;
    }

    void attachCluster(LongSupplier clusterRegistrations, Supplier<Map<String, Long>> totals) {
        this.sharedRegistrations = clusterRegistrations;
        this.clusterTotals = totals;
    }

    /** This node's running totals, as it publishes them to the other nodes of a cluster. */
    Map<String, Long> totals() {
        Map<String, Long> totals = new TreeMap<>();
        totals.put("SecurityAssociationsIssued", associationsIssued.sum());
        totals.put("Tls13AssociationsIssued", tls13AssociationsIssued.sum());
        totals.put("TotalRegistrations", registrationsCreated.sum());
        totals.put("TotalPolicies", policiesAccepted.sum());
        totals.put("TotalRefusals", getTotalRefusals());
        totals.put("RelayedToNodes", relayedToNodes.sum());
        return totals;
    }

    void attach(Supplier<TransportStatistics> transportStatistics) {
        this.transport = transportStatistics;
    }

    /** Adds an observer and tells it the refusals seen so far. */
    void observe(Observer observer) {
        observers.add(observer);
        refusals.forEach((k, count) -> {
            int space = k.indexOf(' ');
            observer.newRefusal(Integer.parseInt(k.substring(0, space)), k.substring(space + 1), count);
        });
    }

    void refused(int status, String key) {
        String k = status + " " + key;
        LongAdder count = refusals.get(k);
        if (count == null) {
            count = refusals.computeIfAbsent(k, x -> new LongAdder());
            // outside the map's lock; two first refusals at once both tell, which observers take twice
            for (Observer o : observers) {
                o.newRefusal(status, key, count);
            }
        }
        count.increment();
    }

    void associationIssued(boolean tls13) {
        associationsIssued.increment();
        (tls13 ? tls13AssociationsIssued : tls12AssociationsIssued).increment();
    }

    /** TLS 1.2 SAs issued: counted apart, so that a reader never sees the difference of two racing sums fall. */
    long registrationQueries() {
        return registrationQueries.sum();
    }

    long tls12AssociationsIssued() {
        return tls12AssociationsIssued.sum();
    }

    void relayAnswered(long nanos) {
        relays.increment();
        relayNanos.add(nanos);
        relayMaxNanos.accumulate(nanos);
        tell(Latency.RELAY, nanos);
    }

    /** A client's INVITE got its final response {@code nanos} after it arrived. */
    void inviteAnswered(long nanos) {
        inviteAnswers.record(nanos);
        tell(Latency.INVITE, nanos);
    }

    /** A REGISTER was answered {@code nanos} after its handling began (for meters only; JMX has no such figure). */
    void registerAnswered(long nanos) {
        tell(Latency.REGISTER, nanos);
    }

    /** A policy MESSAGE was answered {@code nanos} after its handling began (for meters only). */
    void policyAnswered(long nanos) {
        tell(Latency.POLICY, nanos);
    }

    private void tell(Latency which, long nanos) {
        for (Observer o : observers) {
            o.latency(which, nanos);
        }
    }

    /** How often one refusal happened, 0 if never. */
    long refusals(int status, String key) {
        LongAdder a = refusals.get(status + " " + key);
        return a == null ? 0 : a.sum();
    }

    @Override public long getCurrentRegistrations() { return currentRegistrations.getAsLong(); }
    @Override public long getTotalRegistrations() { return registrationsCreated.sum(); }
    @Override public long getRefreshedRegistrations() { return registrationsRefreshed.sum(); }
    @Override public long getCurrentPolicies() { return currentPolicies.getAsLong(); }
    @Override public long getTotalPolicies() { return policiesAccepted.sum(); }
    @Override public long getSecurityAssociationsIssued() { return associationsIssued.sum(); }
    @Override public long getTls13AssociationsIssued() { return tls13AssociationsIssued.sum(); }

    @Override
    public Map<String, Long> getRefusals() {
        Map<String, Long> out = new TreeMap<>();
        refusals.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public long getTotalRefusals() {
        return refusals.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override public long getRelaysAnswered() { return relays.sum(); }
    @Override public long getRelayedToNodes() { return relayedToNodes.sum(); }
    @Override public long getRelayedFromNodes() { return relayedFromNodes.sum(); }
    @Override public long getClusterRegistrations() { return sharedRegistrations.getAsLong(); }
    @Override public Map<String, Long> getClusterTotals() { return clusterTotals.get(); }
    @Override public long getOpenConnections() { return transport.get().openConnections(); }
    @Override public long getFailedTlsHandshakes() { return transport.get().failedHandshakes(); }
    @Override public long getSlowPeersDisconnected() { return transport.get().slowPeersClosed(); }
    @Override public long getIdleConnectionsClosed() { return transport.get().idleClosed(); }
    @Override public long getReusedAddressesRefused() { return transport.get().reusedAddressesRefused(); }

    @Override
    public long getRelayLatencyMeanMicros() {
        long n = relays.sum();
        return n == 0 ? 0 : relayNanos.sum() / n / 1000;
    }

    @Override public long getRelayLatencyMaxMicros() { return relayMaxNanos.get() / 1000; }

    @Override public long getInviteAnswers() { return inviteAnswers.count(); }
    @Override public long getInviteAnswerLatencyP50Micros() { return inviteAnswers.percentileMicros(0.5); }
    @Override public long getInviteAnswerLatencyP99Micros() { return inviteAnswers.percentileMicros(0.99); }
    @Override public long getInviteAnswerLatencyMaxMicros() { return inviteAnswers.maxMicros(); }

    @Override
    public String toString() {
        return "KeyServerStatistics[registrations=" + getCurrentRegistrations() + " (total " + getTotalRegistrations()
                + "), policies=" + getCurrentPolicies() + ", SAs=" + getSecurityAssociationsIssued()
                + " (TLS 1.3: " + getTls13AssociationsIssued() + ")"
                + ", refusals=" + getRefusals() + "]";
    }
}
