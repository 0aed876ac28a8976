package dev.siptls.agent;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Delays between registration attempts: exponential from {@code min} up to {@code max}, with "equal
 * jitter" (the n-th delay lies between half and all of {@code min * 2^n}, capped, never below {@code min}), so that thousands of agents that lost the same key server do not come
 * back in lock step. Not thread-safe: the agent's worker thread owns it.
 */
final class Backoff {

    private final long minMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    private int failures;

    Backoff(Duration min, Duration max, DoubleSupplier random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("retry backoff needs 0 < min <= max, got " + min + ", " + max);
        }
        this.minMillis = min.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The delay before the next attempt; each call counts one more consecutive failure. */
    Duration next() {
        long ceiling = minMillis << Math.min(failures, 30);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        }
        failures++;
        long half = ceiling / 2;
        long delay = half + (long) (random.getAsDouble() * (ceiling - half));
        return Duration.ofMillis(Math.max(minMillis, delay));
    }

    long maxMillis() {
        return maxMillis;
    }

    /** After a success: the next failure starts again from {@code min}. */
    void reset() {
        failures = 0;
    }
}
