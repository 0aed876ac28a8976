package dev.siptls.sip;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies in power-of-two microsecond buckets (1 µs to about 67 s): count, total, maximum and
 * percentiles to within a factor of two, without locks or allocation per sample. Shared by the provider (its
 * SA requests) and the key server (its INVITE answers), so both report latencies the same way.
 */
public final class LatencyHistogram {

    private static final int BUCKETS = 27;

    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private final LongAdder count = new LongAdder();
    private final LongAdder totalMicros = new LongAdder();
    private final LongAccumulator maxMicros = new LongAccumulator(Math::max, 0);

    public void record(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        int bucket = Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros));
        buckets.incrementAndGet(bucket);
        count.increment();
        totalMicros.add(micros);
        maxMicros.accumulate(micros);
    }

    public long count() {
        return count.sum();
    }

    public long totalMicros() {
        return totalMicros.sum();
    }

    public long maxMicros() {
        return maxMicros.get();
    }

    /**
     * The upper bound of the bucket holding the {@code quantile} (0..1) sample, capped at the maximum seen;
     * 0 before the first sample.
     */
    public long percentileMicros(double quantile) {
        long[] snapshot = new long[BUCKETS];
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = buckets.get(i);
            n += snapshot[i];
        }
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                long upper = i == 0 ? 0 : (1L << i) - 1;
                return Math.min(upper, maxMicros());
            }
        }
        return maxMicros();
    }
}
