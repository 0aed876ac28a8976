package dev.siptls.conformance;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for something asynchronous (a counter updated after a handshake, an agent's state). */
final class Polling {

    private Polling() {
    }

    /** Polls {@code condition} until true or {@code timeout}; returns its last value. */
    static boolean until(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return condition.getAsBoolean();
            }
            Thread.sleep(20);
        }
        return true;
    }
}
