package dev.siptls.bench.deployed;

/**
 * One level of the deployed distribution bench: what the clients saw in the measuring window, what the key
 * server's process and the agents' JVM spent in it, and the key server's live heap right after the level.
 *
 * @param inFlight requests in flight in total
 * @param agents client agents sending them
 * @param windowNanos length of the measuring window
 * @param latencies sorted INVITE→200(SA) latencies (nanoseconds) of the SAs received in the window
 * @param failures requests that failed or timed out anywhere in the level (ramp, window or drain)
 * @param firstFailure what the first failure said; null without failures
 * @param receivedInLevel SAs the clients received over the whole level
 * @param issuedInLevel SAs the key server counted as issued over the whole level (its statistics MBean)
 * @param keyServerCpuNanos CPU time of the key server's process in the window
 * @param agentsCpuNanos CPU time of the agents' JVM (this one) in the window
 * @param liveHeapBytes the key server's heap after full collections, right after the level
 */
record LevelFigures(int inFlight, int agents, long windowNanos, long[] latencies, long failures,
        String firstFailure, long receivedInLevel, long issuedInLevel, long keyServerCpuNanos, long agentsCpuNanos, long liveHeapBytes) {

    long inWindow() {
        return latencies.length;
    }

    double perSecond() {
        return inWindow() / (windowNanos / 1e9);
    }

    /** Nearest-rank percentile in milliseconds; NaN without samples. */
    double percentileMillis(double p) {
        if (latencies.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(latencies.length - 1, Math.max(0, Math.ceil(latencies.length * p) - 1));
        return latencies[index] / 1e6;
    }

    double keyServerCpuMillisPerSa() {
        return keyServerCpuNanos / 1e6 / inWindow();
    }

    double agentsCpuMillisPerSa() {
        return agentsCpuNanos / 1e6 / inWindow();
    }

    /**
     * The key server's capacity if it had {@code cores} to itself: cores / key-server CPU per SA. An
     * extrapolation: it assumes the key server is CPU-bound and scales linearly with cores.
     */
    double extrapolatedCapacity(int cores) {
        return cores * 1000.0 / keyServerCpuMillisPerSa();
    }
}
