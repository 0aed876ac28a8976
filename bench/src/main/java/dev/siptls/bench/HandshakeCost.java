package dev.siptls.bench;

import java.util.Arrays;

/**
 * What one way of connecting cost, per handshake: server CPU and client-observed wall time; and what it negotiated
 * (protocol and suite of its last connection).
 */
record HandshakeCost(String name, long[] wallNanos, long[] serverCpuNanos, int resumed, String negotiated) {

    double medianWallMicros() {
        return median(wallNanos) / 1_000.0;
    }

    double medianServerCpuMicros() {
        return median(serverCpuNanos) / 1_000.0;
    }

    double p99WallMicros() {
        long[] sorted = wallNanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1_000.0;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
