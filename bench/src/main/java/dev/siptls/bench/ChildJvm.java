package dev.siptls.bench;

import java.util.concurrent.TimeUnit;

/** Ending a child JVM a bench started, once it has been asked to stop. */
public final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Waits up to 10 s for {@code process} to end, kills it if it has not, and removes {@code shutdownHook}, which
     * was there to kill it had this JVM ended first.
     */
    public static void awaitOrKill(Process process, Thread shutdownHook) {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
