package dev.siptls.bench.memory;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * This JVM's CPU time and file descriptors, as the operating system counts them: a connection costs a
 * descriptor on each side, and the open-file limit, not the heap, is what first caps connections per process.
 * -1 where the platform does not tell.
 */
public final class ProcessFigures {

    private ProcessFigures() {
    }

    /** CPU time of all this process's threads, in nanoseconds. */
    public static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    public static long openFiles() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os
                ? os.getOpenFileDescriptorCount() : -1;
    }

    /** The open-file limit (read anew each time: it may have been raised since start). */
    public static long maxFiles() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os
                ? os.getMaxFileDescriptorCount() : -1;
    }
}
