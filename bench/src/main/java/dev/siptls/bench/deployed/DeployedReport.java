package dev.siptls.bench.deployed;

import dev.siptls.bench.demo.MarkdownTable;
import dev.siptls.bench.deployed.DeployedDistributionBench.Settings;
import java.util.List;
import java.util.Locale;

/**
 * The deployed distribution bench's figures and their text: one table row per level, the key server's live
 * heap before the load and (if waited for) after it settled, and the extrapolated key-server capacity with
 * its assumptions.
 *
 * @param warmUpFailures requests that failed in the warm-up
 * @param settledHeapBytes live heap after the settle wait; null when there was none
 */
record DeployedReport(Settings settings, int cores, long idleHeapBytes, long warmUpFailures,
        List<LevelFigures> levels, Long settledHeapBytes) {

    static final String[] COLUMNS = {">in flight", ">client agents", ">SAs/s", ">SAs in window", ">failed",
        ">p50 ms", ">p99 ms", ">key-server CPU/SA ms", ">agents CPU/SA ms", ">key-server live heap MiB",
        ">key-server capacity on %d cores, extrapolated SAs/s"};

    long failures() {
        return warmUpFailures + levels.stream().mapToLong(LevelFigures::failures).sum();
    }

    String text() {
        String[] columns = COLUMNS.clone();
        columns[columns.length - 1] = String.format(Locale.ROOT, columns[columns.length - 1], cores);
        MarkdownTable table = new MarkdownTable(columns);
        for (LevelFigures l : levels) {
            table.row(l.inFlight(), l.agents(), f("%.0f", l.perSecond()), l.inWindow(), l.failures(),
                    f("%.2f", l.percentileMillis(0.50)), f("%.2f", l.percentileMillis(0.99)),
                    f("%.3f", l.keyServerCpuMillisPerSa()), f("%.3f", l.agentsCpuMillisPerSa()),
                    f("%.1f", mib(l.liveHeapBytes())), f("%.0f", l.extrapolatedCapacity(cores)));
        }
        StringBuilder out = new StringBuilder();
        out.append(f("Deployed SA distribution: the key server is `sip-tls server` in its own JVM; one TLS server"
                + " agent and %d client agents in this JVM; %d cores shared by both JVMs. Warm-up %d s, then per"
                + " level a %d s ramp and a %d s window.%n", settings.clients(), cores, settings.warmUpSeconds(),
                DeployedDistributionBench.RAMP.toSeconds(), settings.seconds()));
        out.append(f("Key server live heap with the agents registered, before any SA: %.1f MiB.%n",
                mib(idleHeapBytes)));
        out.append(table);
        for (LevelFigures l : levels) {
            if (l.receivedInLevel() != l.issuedInLevel()) {
                out.append(f("At %d in flight the clients received %d SAs, the key server counted %d issued.%n",
                        l.inFlight(), l.receivedInLevel(), l.issuedInLevel()));
            }
        }
        out.append(f("Live heap: after full collections forced over JMX right after each level (finished SIP"
                + " transactions the key server still keeps included)%s.%n", settledHeapBytes == null ? ""
                        : f("; %.1f MiB after %d s without load", mib(settledHeapBytes), settings.settleSeconds())));
        out.append(f("CPU per SA: process CPU time (all threads, user + system) in the window / SAs received in"
                + " it; the key server's includes its side of the loopback syscalls and the JMX agent's sampling"
                + " (two reads per level).%n"));
        out.append(f("Extrapolation: key-server capacity when it has the cores to itself = cores / (key-server CPU"
                + " per SA), with cores = %d. It assumes the key server is CPU-bound and scales linearly with"
                + " cores; loopback syscalls are included in its CPU; not measured with the cores to itself.%n",
                cores));
        out.append(f("Failed requests (non-200 or timeout; warm-up, ramps, windows and drains): %d.%n", failures()));
        return out.toString();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
