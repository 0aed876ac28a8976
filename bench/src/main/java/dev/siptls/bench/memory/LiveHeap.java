package dev.siptls.bench.memory;

import java.lang.management.ManagementFactory;

/**
 * The heap live objects take in this JVM: used heap right after full collections. The memory targets are
 * about what stays reachable, not about garbage the collector has not come to yet. Thread stacks, metaspace
 * and the JIT's code are native memory and never show here.
 */
final class LiveHeap {

    private static final int COLLECTIONS = 4;

    private LiveHeap() {
    }

    static long bytes() {
        try {
            for (int i = 0; i < COLLECTIONS; i++) {
                System.gc();
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long maxBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    static int peakThreads() {
        return ManagementFactory.getThreadMXBean().getPeakThreadCount();
    }
}
