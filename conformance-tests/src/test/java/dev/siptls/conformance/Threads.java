package dev.siptls.conformance;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** JVM-wide thread snapshots: what a component leaves running after close. */
final class Threads {

    private Threads() {
    }

    /** Names (with ids) of the live threads, except the JVM's and the test runner's own daemons. */
    static Set<String> snapshot() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(t -> t.getName() + "#" + t.getId())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Waits up to {@code grace} for every thread not in {@code baseline} to end; returns those still alive
     * (empty when none leaked).
     */
    static Set<String> leakedSince(Set<String> baseline, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        Set<String> extra;
        do {
            extra = new TreeSet<>(snapshot());
            extra.removeAll(baseline);
            extra.removeIf(Threads::isJvmOwned);
            if (extra.isEmpty()) {
                return extra;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return extra;
    }

    /** Threads the JDK or the test runner start lazily and keep (common pool, process reaper, JUnit's timeout watcher). */
    private static boolean isJvmOwned(String name) {
        return name.startsWith("ForkJoinPool.commonPool") || name.startsWith("process reaper")
                || name.startsWith("Attach Listener") || name.startsWith("Common-Cleaner")
                || name.startsWith("surefire-forkedjvm") || name.startsWith("junit-jupiter-timeout-watcher") || name.startsWith("RMI ") || name.startsWith("JMX ");
    }
}
