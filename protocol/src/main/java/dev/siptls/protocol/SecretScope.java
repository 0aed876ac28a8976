package dev.siptls.protocol;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs work that handles a master secret on threads that end a second after their last such work. Woodstox
 * and Jackson keep per-thread buffers (soft references in thread-locals) that still hold the last document
 * read or written; an SA's text must not outlive its exchange there. On a long-lived thread (a SIP stack's)
 * it would; here the buffers go with the thread, a second after the last SA.
 */
final class SecretScope {

    private static final long IDLE_SECONDS = 1;
    private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), new Factory());

    /** Work that may throw a checked {@code E}. */
    @FunctionalInterface
    interface Work<T, E extends Exception> {
        T call() throws E;
    }

    private SecretScope() {
    }

    @SuppressWarnings("unchecked")
    static <T, E extends Exception> T run(Work<T, E> work) throws E {
        Future<T> future = THREADS.submit(() -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new Failure(e);
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof Failure f ? f.getCause() : e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw (E) cause;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Carries the work's own exception through the executor. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(Exception cause) {
            super(cause);
        }
    }

    /** Daemon threads in the top thread group: not counted among, or stopped with, the SIP stack's threads. */
    private static final class Factory implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();
        private final ThreadGroup group;

        Factory() {
            ThreadGroup top = Thread.currentThread().getThreadGroup();
            while (top.getParent() != null) {
                top = top.getParent();
            }
            this.group = top;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(group, task, "siptls-sa-codec-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
