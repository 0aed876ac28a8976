package dev.siptls.bench.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything one demo run counted and measured, and where its report went.
 *
 * @param case1 the paper's case 1 with m applications, each way
 * @param case2 the paper's case 2 with n terminals, each way
 * @param sweep case 2 for the plots' n, each way
 * @param loadAtStart the system's load average when the run began (negative if unknown): other processes
 *                    competing for the cores inflate wall times
 */
record DemoResult(DemoOptions options, Map<Way, WayResult> case1, Map<Way, WayResult> case2,
        List<SweepPoint> sweep, Path report, List<Path> plots, Duration elapsed, double loadAtStart,
        double loadAtEnd) {

    DemoResult {
        case1 = Map.copyOf(case1);
        case2 = Map.copyOf(case2);
        sweep = List.copyOf(sweep);
        plots = List.copyOf(plots);
    }
}
