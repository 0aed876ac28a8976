package dev.siptls.provider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most one log line per reason per interval: a peer refused a thousand times a second must not write a
 * thousand lines, yet a reason that comes back an hour later is said again. Each admitted line learns how many of
 * its kind were kept quiet since the one before. The reasons are a fallback's, or the kinds of BCJSSE's alert
 * lines; past {@value #MAX_REASONS} of them the windows start afresh, so that no caller can grow the map.
 */
final class ReasonRateLimit<K> {

    static final int MAX_REASONS = 256;

    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** Per reason: when the next line may be written, and how many were kept quiet meanwhile. */
    private static final class Window {
        long next;
        long quiet;
        boolean opened;
    }

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<K, Window> windows = new ConcurrentHashMap<>();

    ReasonRateLimit() {
        this(DEFAULT_INTERVAL_NANOS, System::nanoTime);
    }

    ReasonRateLimit(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * Whether a line for {@code reason} may be written now: -1 if not (it is counted), else how many were kept
     * quiet since the last line written for it.
     */
    long admit(K reason) {
        if (windows.size() > MAX_REASONS) {
            windows.clear();
        }
        Window window = windows.computeIfAbsent(reason, r -> new Window());
        long now = nanoClock.getAsLong();
        synchronized (window) {
            if (window.opened && now - window.next < 0) {
                window.quiet++;
                return -1;
            }
            window.opened = true;
            window.next = now + intervalNanos;
            long quiet = window.quiet;
            window.quiet = 0;
            return quiet;
        }
    }
}
