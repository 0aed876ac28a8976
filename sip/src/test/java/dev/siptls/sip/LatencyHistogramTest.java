package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentilesAreWithinAnEighthAndNeverAboveTheMaximum() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 1; i <= 100; i++) {
            histogram.record(i * 1_000_000L); // 1..100 ms
        }

        long p50 = histogram.percentileMicros(0.5);
        assertTrue(p50 >= 50_000 && p50 <= 50_000 * 9 / 8, "p50 " + p50);
        long p99 = histogram.percentileMicros(0.99);
        assertTrue(p99 >= 99_000 && p99 <= 100_000, "p99 " + p99);
        assertEquals(100_000, histogram.percentileMicros(1.0));
        assertEquals(100, histogram.count());
        assertEquals(5_050_000, histogram.totalMicros());
        assertEquals(100_000, histogram.maxMicros());
    }

    @Test
    void everyValueFallsInTheBucketThatBoundsIt() {
        for (long v = 0; v < 1L << 27; v = v < 64 ? v + 1 : v + v / 7) {
            int bucket = LatencyHistogram.bucketOf(v);
            assertTrue(v <= LatencyHistogram.upperBound(bucket), v + " above its bucket");
            assertTrue(bucket == 0 || v > LatencyHistogram.upperBound(bucket - 1), v + " fits the bucket below");
            assertTrue(LatencyHistogram.upperBound(bucket) <= Math.max(v, v * 9 / 8), v + " bucket too wide");
        }
    }

    @Test
    void emptyHistogramAnswersZero() {
        assertEquals(0, new LatencyHistogram().percentileMicros(0.5));
    }
}
