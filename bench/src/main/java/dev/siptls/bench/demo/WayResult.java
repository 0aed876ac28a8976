package dev.siptls.bench.demo;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one way did on one topology: the counts after the first round (every link connected once: the
 * paper's Table 1) and after all rounds, the SIP side's counters, and every connection measured.
 *
 * @param firstRound     ledger counts from before the setup (key server, agents) to the end of round 1
 * @param allRounds      the same to the end of the last round
 * @param sip            key server and agent counters at the end ({@link SipCounters#NONE} without SIP)
 * @param setupNanos     starting the key server and the terminals' agents until all registered (SIP-TLS)
 */
record WayResult(Way way, Topology topology, int rounds, Tally firstRound, Tally allRounds, SipCounters sip,
        List<Sample> samples, long setupNanos) {

    WayResult {
        samples = List.copyOf(samples);
    }

    /** Distinct TLS sessions among the connections of {@code upToRound} rounds. */
    long sessions(int upToRound) {
        Set<String> ids = samples.stream().filter(s -> s.round() <= upToRound).map(Sample::sessionId)
                .collect(Collectors.toSet());
        return ids.size();
    }

    long connections(int upToRound) {
        return samples.stream().filter(s -> s.round() <= upToRound).count();
    }

    long abbreviated(boolean first) {
        return select(first).stream().filter(Sample::abbreviated).count();
    }

    List<Sample> select(boolean first) {
        return samples.stream().filter(s -> (s.round() == 1) == first).toList();
    }

    static double medianMillis(List<Sample> samples, java.util.function.ToLongFunction<Sample> metric) {
        long[] values = samples.stream().mapToLong(metric).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int n = values.length;
        double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
        return median / 1e6;
    }
}
