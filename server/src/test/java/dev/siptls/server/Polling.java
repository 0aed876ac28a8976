package dev.siptls.server;

import java.util.function.BooleanSupplier;

/** Waits for a condition the system reaches by itself (an expiry, a thread ending), failing after 10 s. */
final class Polling {

    private Polling() {
    }

    static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
