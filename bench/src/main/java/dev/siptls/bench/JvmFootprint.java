package dev.siptls.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the JVM holds at one moment: its live threads (by id, with their names) and the heap in use after a
 * full collection. Taken before and after a run, the difference is what the run left behind.
 */
record JvmFootprint(Map<Long, String> threads, long heapUsedBytes) {

    /** Collects garbage (twice: the first may only queue finalisation), then counts. */
    static JvmFootprint measure() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(100);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Map<Long, String> threads = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            threads.put(t.getId(), t.getName());
        }
        return new JvmFootprint(threads, heap);
    }

    /**
     * Measures once the threads started since {@code baseline} have ended, or once {@code grace} has passed
     * (threads of closed components may take a moment to notice).
     */
    static JvmFootprint settle(JvmFootprint baseline, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        JvmFootprint now = measure();
        while (!now.threadsSince(baseline).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            now = measure();
        }
        return now;
    }

    int threadCount() {
        return threads.size();
    }

    /** Names of the threads alive now that were not alive at {@code baseline}. */
    List<String> threadsSince(JvmFootprint baseline) {
        return threads.entrySet().stream().filter(e -> !baseline.threads.containsKey(e.getKey()))
                .map(Map.Entry::getValue).sorted().collect(Collectors.toList());
    }
}
