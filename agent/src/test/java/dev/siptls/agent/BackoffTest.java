package dev.siptls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration MIN = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofSeconds(5);

    @Test
    void doublesFromTheMinimumUpToTheMaximumWithoutJitter() {
        Backoff backoff = new Backoff(MIN, MAX, () -> 1.0);
        long[] expected = {200, 400, 800, 1600, 3200, 5000, 5000};
        for (long want : expected) {
            assertEquals(Duration.ofMillis(want), backoff.next());
        }
    }

    @Test
    void jitterKeepsEachDelayBetweenHalfAndAllOfItsCeilingAndNeverBelowTheMinimum() {
        Backoff low = new Backoff(MIN, MAX, () -> 0.0);
        long[] expected = {200, 200, 400, 800, 1600, 2500, 2500};
        for (long want : expected) {
            assertEquals(Duration.ofMillis(want), low.next());
        }
    }

    @Test
    void randomDelaysStayWithinTheBounds() {
        Backoff backoff = new Backoff(MIN, MAX, Math::random);
        for (int i = 0; i < 1000; i++) {
            Duration d = backoff.next();
            assertTrue(d.compareTo(MIN) >= 0 && d.compareTo(MAX) <= 0, d.toString());
        }
    }

    @Test
    void aSuccessStartsAgainFromTheMinimum() {
        Backoff backoff = new Backoff(MIN, MAX, () -> 1.0);
        backoff.next();
        backoff.next();
        backoff.next();
        backoff.reset();
        assertEquals(MIN, backoff.next());
    }

    @Test
    void refusesBoundsInTheWrongOrder() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(MAX, MIN, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, MAX, () -> 0));
    }
}
