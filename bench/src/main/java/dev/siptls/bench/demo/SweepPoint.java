package dev.siptls.bench.demo;

import java.util.Map;

/** Case 2 with {@code n} terminals, run each way, for the plots. */
record SweepPoint(int n, Map<Way, WayResult> results) {

    SweepPoint {
        results = Map.copyOf(results);
    }

    WayResult result(Way way) {
        return results.get(way);
    }
}
