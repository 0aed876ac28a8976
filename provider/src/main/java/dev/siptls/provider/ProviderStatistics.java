package dev.siptls.provider;

import dev.siptls.sip.LatencyHistogram;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The handshake and SA-request counters of one SIP-TLS provider (or one stand-alone context), updated from
 * handshake threads without locks; {@link SipTlsProvider#statistics()} and JMX read them. Counts only grow.
 */
final class ProviderStatistics {

    private final LongAdder sipResumptionsClient = new LongAdder();
    private final LongAdder sipResumptionsServer = new LongAdder();
    private final LongAdder pskClient = new LongAdder();
    private final LongAdder pskServer = new LongAdder();
    private final LongAdder pskRefusedServer = new LongAdder();
    private final LongAdder nativeClient = new LongAdder();
    private final LongAdder nativeServer = new LongAdder();
    private final LongAdder declined = new LongAdder();
    private final LongAdder completedClient = new LongAdder();
    private final LongAdder completedServer = new LongAdder();
    private final LongAdder fullClient = new LongAdder();
    private final LongAdder fullServer = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final Map<FallbackReason, LongAdder> fallbacks = new EnumMap<>(FallbackReason.class);
    private final LongAdder requests = new LongAdder();
    private final LongAdder requestFailures = new LongAdder();
    private final LongAdder prefetched = new LongAdder();
    private final LongAdder prefetchFailures = new LongAdder();
    private final LongAdder renewals = new LongAdder();
    private final LongAdder renewalFailures = new LongAdder();
    private final LongAdder renewalsLimited = new LongAdder();
    private final LatencyHistogram requestLatency = new LatencyHistogram();

    ProviderStatistics() {
        for (FallbackReason reason : FallbackReason.values()) {
            fallbacks.put(reason, new LongAdder());
        }
    }

    /**
     * How a handshake completed: on an SA (a TLS 1.3 PSK handshake, {@code SIP_PSK}, or a TLS 1.2 resumption), on a
     * session from an earlier full handshake, or in full.
     */
    enum Completion { SIP_PSK, SIP, NATIVE, FULL }

    void completed(boolean client, Completion how) {
        (client ? completedClient : completedServer).increment();
        if (how == Completion.SIP || how == Completion.SIP_PSK) {
            (client ? sipResumptionsClient : sipResumptionsServer).increment();
        }
        if (how == Completion.SIP_PSK) {
            (client ? pskClient : pskServer).increment();
        } else if (how == Completion.NATIVE) {
            (client ? nativeClient : nativeServer).increment();
        }
    }

    /** Of the handshakes on an SA, those that were TLS 1.3 PSK handshakes. */
    long pskHandshakes(boolean client) {
        return (client ? pskClient : pskServer).sum();
    }

    /** A server's TLS 1.3 PSK handshake failed: a forged binder, a {@code psk_ke}-only hello, an alert, a cut. */
    void pskHandshakeRefused() {
        pskRefusedServer.increment();
    }

    long pskHandshakesRefused() {
        return pskRefusedServer.sum();
    }

    void associationDeclined() {
        declined.increment();
    }

    long nativeResumptions(boolean client) {
        return (client ? nativeClient : nativeServer).sum();
    }

    long declinedAssociations() {
        return declined.sum();
    }

    /** A full handshake went ahead (fallback=full) or was refused (fallback=fail), for {@code reason}. */
    void fallback(FallbackReason reason, boolean refusedIt) {
        fallbacks.get(reason).increment();
        if (refusedIt) {
            refused.increment();
        } else {
            (reason.client() ? fullClient : fullServer).increment();
        }
    }

    void requested() {
        requests.increment();
    }

    void requestSucceeded(long nanos) {
        requestLatency.record(nanos);
    }

    void requestFailed() {
        requestFailures.increment();
    }

    /** An SA obtained for a {@code prefetch} peer ({@code ok}), or a prefetch that failed. */
    void prefetch(boolean ok) {
        (ok ? prefetched : prefetchFailures).increment();
    }

    /** An SA renewed for a peer in use ({@code ok}), or a renewal that failed. */
    void renewal(boolean ok) {
        (ok ? renewals : renewalFailures).increment();
    }

    /** A renewal not made because the per-minute bound was reached. */
    void renewalLimited() {
        renewalsLimited.increment();
    }

    long prefetched() {
        return prefetched.sum();
    }

    long prefetchFailures() {
        return prefetchFailures.sum();
    }

    long renewals() {
        return renewals.sum();
    }

    long renewalFailures() {
        return renewalFailures.sum();
    }

    long renewalsLimited() {
        return renewalsLimited.sum();
    }

    long sipResumptions(boolean client) {
        return (client ? sipResumptionsClient : sipResumptionsServer).sum();
    }

    long completed(boolean client) {
        return (client ? completedClient : completedServer).sum();
    }

    long fullHandshakes(boolean client) {
        return (client ? fullClient : fullServer).sum();
    }

    long refused() {
        return refused.sum();
    }

    /** Reasons that occurred, by counter name. */
    Map<String, Long> fallbacks() {
        Map<String, Long> out = new TreeMap<>();
        fallbacks.forEach((reason, n) -> {
            long sum = n.sum();
            if (sum > 0) {
                out.put(reason.key(), sum);
            }
        });
        return out;
    }

    long fallbacks(FallbackReason reason) {
        return fallbacks.get(reason).sum();
    }

    long requests() {
        return requests.sum();
    }

    long requestFailures() {
        return requestFailures.sum();
    }

    LatencyHistogram requestLatency() {
        return requestLatency;
    }
}
