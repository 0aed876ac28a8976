package dev.siptls.bench;

import dev.siptls.bench.ClientTerminal.Outcome;
import java.util.Map;

/**
 * What one load run counted: how each connection's session came about, what failed, why providers fell
 * back, what the key server did and how fast it answered, and how long each phase took.
 *
 * @param clientFallbacks client providers' full (or refused) handshakes by reason
 * @param serverFallbacks server providers' full handshakes by reason
 * @param echoesServed connections the server terminals completed (counted once they had closed)
 * @param keyServerP50Micros the key server's INVITE→final-response time, median (power-of-two buckets)
 * @param clientRequestP99Micros the highest of the client providers' SA-request p99s (INVITE out → SA in)
 * @param peak the JVM's threads and heap once every terminal had registered
 */
record LoadFigures(
        Load load,
        Map<Outcome, Long> outcomes,
        Map<String, Long> clientErrors,
        Map<String, Long> serverErrors,
        Map<String, Long> clientFallbacks,
        Map<String, Long> serverFallbacks,
        long echoesServed,
        long associationsIssued,
        Map<String, Long> keyServerRefusals,
        long inviteAnswers,
        long keyServerP50Micros,
        long keyServerP99Micros,
        long keyServerMaxMicros,
        long clientRequestP99Micros,
        long connectionP50Micros,
        long connectionP99Micros,
        long setupNanos,
        long wallNanos,
        long closeNanos,
        JvmFootprint peak) {

    long outcome(Outcome o) {
        return outcomes.getOrDefault(o, 0L);
    }

    long errors() {
        return sum(clientErrors) + sum(serverErrors);
    }

    long countedClientFallbacks() {
        return sum(clientFallbacks);
    }

    double connectionsPerSecond() {
        return load.connections() / (wallNanos / 1e9);
    }

    static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
