package dev.siptls.protocol;

/**
 * Runs work that handles a master secret on a thread of its own, which ends when the work does. Woodstox and
 * Jackson keep per-thread buffers (soft references in thread-locals) that still hold the last document read
 * or written; an SA's text must not outlive its encoding there. With the thread, those buffers become
 * unreachable at once. A thread costs tens of microseconds: once per SA at each end.
 */
final class SecretScope {

    /** Work that may throw a checked {@code E}. */
    @FunctionalInterface
    interface Work<T, E extends Exception> {
        T call() throws E;
    }

    private SecretScope() {
    }

    @SuppressWarnings("unchecked")
    static <T, E extends Exception> T run(Work<T, E> work) throws E {
        Object[] outcome = new Object[2];
        Thread thread = new Thread(() -> {
            try {
                outcome[0] = work.call();
            } catch (Throwable e) {
                outcome[1] = e;
            }
        }, "siptls-sa-codec");
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable failure = (Throwable) outcome[1];
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw (E) failure;
        }
        return (T) outcome[0];
    }
}
