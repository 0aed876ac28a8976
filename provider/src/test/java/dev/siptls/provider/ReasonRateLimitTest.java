package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReasonRateLimitTest {

    private static final long INTERVAL = 1_000;

    private final AtomicLong now = new AtomicLong(-5); // nanoTime may be negative
    private final ReasonRateLimit<FallbackReason> limit = new ReasonRateLimit<>(INTERVAL, now::get);

    @Test
    void admitsOneLinePerReasonPerIntervalAndCountsTheRest() {
        assertEquals(0, limit.admit(FallbackReason.NO_ASSOCIATION));
        assertEquals(-1, limit.admit(FallbackReason.NO_ASSOCIATION));
        now.addAndGet(INTERVAL - 1);
        assertEquals(-1, limit.admit(FallbackReason.NO_ASSOCIATION));

        now.addAndGet(1);

        assertEquals(2, limit.admit(FallbackReason.NO_ASSOCIATION), "the two kept quiet since the last line");
        assertEquals(-1, limit.admit(FallbackReason.NO_ASSOCIATION));
    }

    @Test
    void reasonsHaveTheirOwnWindows() {
        assertEquals(0, limit.admit(FallbackReason.NO_ASSOCIATION));

        assertEquals(0, limit.admit(FallbackReason.CLIENT_OFFERED_NONE));
        assertEquals(-1, limit.admit(FallbackReason.CLIENT_OFFERED_NONE));
        assertEquals(-1, limit.admit(FallbackReason.NO_ASSOCIATION));
    }

    @Test
    void aReasonBackAfterALongSilenceIsSaidAgainWithNothingKeptQuiet() {
        assertEquals(0, limit.admit(FallbackReason.REQUEST_TIMEOUT));

        now.addAndGet(3_600 * INTERVAL);

        assertEquals(0, limit.admit(FallbackReason.REQUEST_TIMEOUT));
    }
}
