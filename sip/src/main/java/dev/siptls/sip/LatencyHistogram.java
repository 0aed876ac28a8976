package dev.siptls.sip;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies in microsecond buckets, eight per power of two (1 µs to about 134 s): count, total, maximum and
 * percentiles to within 12.5 % (so that a p99 can be held against a target such as 50 ms), without locks or
 * allocation per sample. Shared by the provider (its SA requests) and the key server (its INVITE answers),
 * so both report latencies the same way.
 */
public final class LatencyHistogram {

    /** Values below this are counted exactly; above, each power of two is split into this many buckets. */
    private static final int SUB_BUCKETS = 8;
    private static final int SUB_BITS = 3;
    private static final int MAX_EXPONENT = 26;
    private static final int BUCKETS = SUB_BUCKETS * (MAX_EXPONENT - SUB_BITS + 2);

    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private final LongAdder count = new LongAdder();
    private final LongAdder totalMicros = new LongAdder();
    private final LongAccumulator maxMicros = new LongAccumulator(Math::max, 0);

    public void record(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        buckets.incrementAndGet(bucketOf(micros));
        count.increment();
        totalMicros.add(micros);
        maxMicros.accumulate(micros);
    }

    static int bucketOf(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        if (exponent > MAX_EXPONENT) {
            return BUCKETS - 1;
        }
        int sub = (int) (micros >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return SUB_BUCKETS * (exponent - SUB_BITS + 1) + sub;
    }

    /** The largest value {@link #bucketOf} puts in {@code bucket}. */
    static long upperBound(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int exponent = bucket / SUB_BUCKETS + SUB_BITS - 1;
        int sub = bucket % SUB_BUCKETS;
        return ((long) (SUB_BUCKETS + sub + 1) << (exponent - SUB_BITS)) - 1;
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
                return Math.min(upperBound(i), maxMicros());
            }
        }
        return maxMicros();
    }
}
