package dev.siptls.bench.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What {@code sip-tls demo} runs: the paper's case 1 with {@code applications} (the paper's m) and case 2
 * with {@code terminals} (n), each way connecting every application pair {@code connectionsPerPair}
 * times; then case 2 again for n = 2..{@code maxTerminalsForPlot} (fewer connections per pair) for the
 * plots. Immutable; {@link #builder()} starts from the defaults, {@link Builder#quick()} from a run small
 * enough for tests.
 */
public final class DemoOptions {

    private final int terminals;
    private final int applications;
    private final Path reportDirectory;
    private final int maxTerminalsForPlot;
    private final int connectionsPerPair;
    private final int sweepConnectionsPerPair;
    private final boolean warmUp;
    private final List<Integer> sweep;

    private DemoOptions(Builder b) {
        this.terminals = atLeast(b.terminals, 2, "terminals");
        this.applications = atLeast(b.applications, 1, "applications");
        this.reportDirectory = Objects.requireNonNull(b.reportDirectory, "reportDirectory");
        this.maxTerminalsForPlot = atLeast(b.maxTerminalsForPlot, 2, "maxTerminalsForPlot");
        this.connectionsPerPair = atLeast(b.connectionsPerPair, 2, "connectionsPerPair");
        this.sweepConnectionsPerPair = atLeast(b.sweepConnectionsPerPair, 2, "sweepConnectionsPerPair");
        this.warmUp = b.warmUp;
        if (terminals > 64 || maxTerminalsForPlot > 64) {
            throw new IllegalArgumentException("at most 64 terminals: every pair is connected both ways");
        }
        if (applications > 64) {
            throw new IllegalArgumentException("at most 64 applications");
        }
        this.sweep = sweepPoints(maxTerminalsForPlot);
    }

    /**
     * 2, 3, 4, 6, 8, then doubling up to the maximum (always included): enough points for the curves, few
     * enough that the n(n-1) full handshakes stay within the run's time budget (n = 16 alone is 240 sessions).
     */
    static List<Integer> sweepPoints(int max) {
        TreeSet<Integer> points = new TreeSet<>();
        for (int n : new int[] {2, 3, 4, 6, 8, 16, 24, 32, 48, 64}) {
            if (n <= max) {
                points.add(n);
            }
        }
        points.add(max);
        return new ArrayList<>(points);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The paper's n for case 2 (default 4). */
    public int terminals() { return terminals; }
    /** The paper's m for case 1 (default 3). */
    public int applications() { return applications; }
    /** Where report.md and the plots go (default {@code ./sip-tls-report}). */
    public Path reportDirectory() { return reportDirectory; }
    /** The largest n of the sweep for the plots (default 16). */
    public int maxTerminalsForPlot() { return maxTerminalsForPlot; }
    /** Connections per application pair in cases 1 and 2: the first, then later ones (default 3). */
    public int connectionsPerPair() { return connectionsPerPair; }
    /**
     * Connections per pair in the sweep for TLS resumption and SIP-TLS (default 2: the first and one later);
     * traditional TLS connects each pair once there, its later connections being full handshakes too.
     */
    public int sweepConnectionsPerPair() { return sweepConnectionsPerPair; }
    /** Whether a small unrecorded run warms the JIT up first (default true; off in quick mode). */
    public boolean warmUp() { return warmUp; }
    /** The n of the sweep. */
    public List<Integer> sweep() { return sweep; }

    private static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "DemoOptions[n=" + terminals + ", m=" + applications + ", connectionsPerPair=" + connectionsPerPair
                + ", sweep=" + sweep + " x" + sweepConnectionsPerPair + ", warmUp=" + warmUp + ", report="
                + reportDirectory + "]";
    }

    /** Defaults: n = 4, m = 3, 3 connections per pair, sweep n = 2..16 with 2, report in ./sip-tls-report. */
    public static final class Builder {
        private int terminals = 4;
        private int applications = 3;
        private Path reportDirectory = Path.of("sip-tls-report");
        private int maxTerminalsForPlot = 16;
        private int connectionsPerPair = 3;
        private int sweepConnectionsPerPair = 2;
        private boolean warmUp = true;

        private Builder() {
        }

        public Builder terminals(int n) { this.terminals = n; return this; }
        public Builder applications(int m) { this.applications = m; return this; }
        public Builder reportDirectory(Path directory) { this.reportDirectory = directory; return this; }
        public Builder maxTerminalsForPlot(int max) { this.maxTerminalsForPlot = max; return this; }
        public Builder connectionsPerPair(int connections) { this.connectionsPerPair = connections; return this; }
        public Builder sweepConnectionsPerPair(int connections) { this.sweepConnectionsPerPair = connections; return this; }
        public Builder warmUp(boolean warmUp) { this.warmUp = warmUp; return this; }

        /** A run for tests: n = 3, m = 2, sweep n = 2..3, no warm-up. */
        public Builder quick() {
            this.terminals = 3;
            this.applications = 2;
            this.maxTerminalsForPlot = 3;
            this.connectionsPerPair = 2;
            this.sweepConnectionsPerPair = 2;
            this.warmUp = false;
            return this;
        }

        public DemoOptions build() {
            return new DemoOptions(this);
        }
    }
}
