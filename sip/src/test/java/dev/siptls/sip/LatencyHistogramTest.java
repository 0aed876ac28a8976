package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentilesAreWithinAFactorOfTwoAndNeverAboveTheMaximum() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 1; i <= 100; i++) {
            histogram.record(i * 1_000_000L); // 1..100 ms
        }

        long p50 = histogram.percentileMicros(0.5);
        assertTrue(p50 >= 50_000 && p50 < 100_000, "p50 " + p50);
        assertEquals(100_000, histogram.percentileMicros(1.0));
        assertEquals(100, histogram.count());
        assertEquals(5_050_000, histogram.totalMicros());
        assertEquals(100_000, histogram.maxMicros());
    }

    @Test
    void emptyHistogramAnswersZero() {
        assertEquals(0, new LatencyHistogram().percentileMicros(0.5));
    }
}
