package dev.siptls.bench;

import dev.siptls.bench.demo.QuietLogs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A bounded load run ("load held"): many client terminals, each its own SIP-TLS provider, connect many times
 * to several TLS server terminals through one key server, all in this JVM over loopback; then everything is
 * closed and the JVM must be back where it started. Prints the counts, the key server's response times and a
 * PASS/FAIL line per criterion ({@link LoadReport}).
 *
 * <p>Run: {@code java -cp ... dev.siptls.bench.LoadBench [clients] [connectionsPerClient] [servers] [inFlight]}
 * (defaults 200 50 20 16).
 */
public final class LoadBench {

    /** Loads the classes and JIT-warms the path once, so the heap baseline holds what any run would load. */
    private static final Load WARM_UP = new Load(1, 2, 1, 1);
    /** How long closed terminals' threads may take to end. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private LoadBench() {
    }

    public static void main(String[] args) throws Exception {
        run(Load.parse(args)).print(System.out);
    }

    static LoadReport run(Load load) throws Exception {
        try (QuietLogs quiet = new QuietLogs()) {
            JvmFootprint cold = JvmFootprint.measure();
            LoadRun.execute(WARM_UP);
            JvmFootprint baseline = JvmFootprint.settle(cold, GRACE);
            String loadBefore = loadAverage();
            LoadFigures figures = LoadRun.execute(load);
            String loadAfter = loadAverage();
            JvmFootprint after = JvmFootprint.settle(cold, GRACE);
            return new LoadReport(figures, cold, baseline, after, loadBefore, loadAfter);
        }
    }

    /** The machine's load averages; the benchmark shares its cores with whatever else runs there. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException notLinux) {
            return String.format(Locale.ROOT, "%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
