package dev.siptls.bench;

import dev.siptls.bench.ClientTerminal.Outcome;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * A load run judged against the criteria: no errors; every connection resumed via SIP or a full
 * handshake the provider counted under a reason; threads and heap back to their baseline once everything
 * is closed; the key server's INVITE→final-response p99 within {@link #KEY_SERVER_P99_MICROS}.
 *
 * @param cold the JVM before anything started (threads are compared with it)
 * @param baseline the JVM after a tiny warm-up run had loaded the classes (the heap is compared with it:
 *     class initialisation and JVM-wide caches are not what the run leaves behind)
 * @param after the JVM once the run had closed everything (and its threads had had time to end)
 * @param loadBefore the machine's load average (1, 5, 15 min) as the run started
 */
record LoadReport(LoadFigures figures, JvmFootprint cold, JvmFootprint baseline, JvmFootprint after,
        String loadBefore, String loadAfter) {

    static final long KEY_SERVER_P99_MICROS = 50_000;
    /**
     * How far the heap may end above its baseline: about a MiB stays after a large run (JVM-wide caches
     * the warm-up did not fill); closed terminals still held (each SIP stack with its dialogs and
     * transactions, about 60 KiB) would leave 12 MiB or more after the run.
     */
    static final long HEAP_SLACK_BYTES = 4L << 20;

    record Criterion(String name, boolean passed, String detail) {
    }

    List<Criterion> criteria() {
        LoadFigures f = figures;
        long total = f.load().connections();
        long sip = f.outcome(Outcome.SIP_RESUMED);
        long full = f.outcome(Outcome.FULL_HANDSHAKE);
        long nativeResumed = f.outcome(Outcome.NATIVE_RESUMED);
        long counted = f.countedClientFallbacks();
        List<String> leftover = after.threadsSince(cold);
        long heapGrowth = after.heapUsedBytes() - baseline.heapUsedBytes();
        return List.of(
                new Criterion("zero errors", f.errors() == 0,
                        f.errors() + " (client " + LoadFigures.sum(f.clientErrors()) + ", server "
                                + LoadFigures.sum(f.serverErrors()) + ")"),
                new Criterion("every connection resumed via SIP or a counted fallback",
                        f.errors() == 0 && nativeResumed == 0 && sip + full == total && full == counted,
                        sip + " SIP-resumed + " + full + " full handshakes (" + counted + " counted by reason) of "
                                + total + "; " + nativeResumed + " natively resumed"),
                new Criterion("threads back to baseline", leftover.isEmpty(),
                        cold.threadCount() + " before, " + after.threadCount() + " after"
                                + (leftover.isEmpty() ? "" : "; left: " + leftover)),
                new Criterion("heap back to baseline", heapGrowth <= HEAP_SLACK_BYTES,
                        mib(baseline.heapUsedBytes()) + " baseline, " + mib(after.heapUsedBytes()) + " after ("
                                + signedMib(heapGrowth) + ", slack " + mib(HEAP_SLACK_BYTES) + ")"),
                new Criterion("key-server p99 <= 50 ms", f.inviteAnswers() > 0
                        && f.keyServerP99Micros() <= KEY_SERVER_P99_MICROS,
                        millis(f.keyServerP99Micros()) + " over " + f.inviteAnswers() + " INVITEs"));
    }

    boolean passed() {
        return criteria().stream().allMatch(Criterion::passed);
    }

    void print(PrintStream out) {
        LoadFigures f = figures;
        Load load = f.load();
        out.printf(Locale.ROOT, "load: %d clients x %d connections -> %d servers, %d in flight, one key server,"
                        + " loopback; %d cores, max heap %s%n", load.clients(), load.connectionsPerClient(),
                load.servers(), load.inFlight(), Runtime.getRuntime().availableProcessors(),
                mib(Runtime.getRuntime().maxMemory()));
        out.printf(Locale.ROOT, "machine load average (1/5/15 min): %s at start, %s at end%n", loadBefore, loadAfter);
        out.printf(Locale.ROOT, "connections: %d total, %d SIP-resumed, %d full handshake, %d natively resumed,"
                        + " %d errors%n", load.connections(), f.outcome(Outcome.SIP_RESUMED),
                f.outcome(Outcome.FULL_HANDSHAKE), f.outcome(Outcome.NATIVE_RESUMED), f.errors());
        out.printf(Locale.ROOT, "fallbacks by reason: clients %s, servers %s%n", f.clientFallbacks(),
                f.serverFallbacks());
        if (f.errors() > 0) {
            out.printf(Locale.ROOT, "errors: clients %s, servers %s%n", f.clientErrors(), f.serverErrors());
        }
        out.printf(Locale.ROOT, "key server: %d SAs issued, %d INVITEs answered, refusals %s; echoes served %d%n",
                f.associationsIssued(), f.inviteAnswers(), f.keyServerRefusals(), f.echoesServed());
        out.printf(Locale.ROOT, "time: setup %.1f s (issue, start, register %d terminals), connections %.1f s"
                        + " (%.0f/s), close %.1f s%n", f.setupNanos() / 1e9, load.clients() + load.servers(),
                f.wallNanos() / 1e9, f.connectionsPerSecond(), f.closeNanos() / 1e9);
        out.printf(Locale.ROOT, "key-server INVITE->final response: p50 %s, p99 %s, max %s; client-observed SA"
                        + " request p99 (worst client) %s; connection p50 %s, p99 %s%n",
                millis(f.keyServerP50Micros()), millis(f.keyServerP99Micros()), millis(f.keyServerMaxMicros()),
                millis(f.clientRequestP99Micros()), millis(f.connectionP50Micros()), millis(f.connectionP99Micros()));
        out.printf(Locale.ROOT, "threads: %d before, %d with every terminal registered, %d after;"
                        + " heap after GC: %s before, %s baseline (after warm-up), %s at peak, %s after%n",
                cold.threadCount(), f.peak().threadCount(), after.threadCount(), mib(cold.heapUsedBytes()),
                mib(baseline.heapUsedBytes()), mib(f.peak().heapUsedBytes()), mib(after.heapUsedBytes()));
        for (Criterion c : criteria()) {
            out.printf(Locale.ROOT, "%s  %s: %s%n", c.passed() ? "PASS" : "FAIL", c.name(), c.detail());
        }
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String signedMib(long bytes) {
        return String.format(Locale.ROOT, "%+.1f MiB", bytes / 1048576.0);
    }
}
