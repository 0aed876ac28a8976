package dev.siptls.sip;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;

/**
 * The threads of one JAIN-SIP stack. The stack is created from a thread of its own {@link ThreadGroup}, so
 * every thread it starts (timers, event scanner, listener and connection readers) lands in that group and
 * can be found again: JAIN-SIP's {@code stop()} leaves some of them running, one of them non-daemon.
 */
final class StackThreads {

    private static final System.Logger LOG = System.getLogger(StackThreads.class.getName());
    private static final long JOIN_MILLIS = 2_000;
    private static final long REINTERRUPT_MILLIS = 50;

    private final ThreadGroup group;

    StackThreads(String name) {
        this.group = new Group(name);
        this.group.setDaemon(false);
    }

    /** The thread group of a stack, told apart from any other by its class. */
    private static final class Group extends ThreadGroup {
        Group(String name) {
            super(name);
        }

        @Override
        public void uncaughtException(Thread thread, Throwable e) {
            ended(thread, e);
        }
    }

    /** Whether {@code thread} was started by a SIP stack (in a stack's group or one below it). */
    static boolean isStackThread(Thread thread) {
        for (ThreadGroup g = thread.getThreadGroup(); g != null; g = g.getParent()) {
            if (g instanceof Group) {
                return true;
            }
        }
        return false;
    }

    /**
     * JAIN-SIP's per-connection parser thread ends by throwing on some hostile input (a Content-Length over
     * the message limit, a line of bare CRs); the stack then drops that connection. Said in one line, not a
     * stack trace on stderr that any authenticated peer could repeat at will.
     */
    private static void ended(Thread thread, Throwable e) {
        String message = String.valueOf(e.getMessage());
        LOG.log(Level.WARNING, "{0} ended on {1}: {2}; its connection is dropped", thread.getName(),
                e.getClass().getSimpleName(), message.length() > 160 ? message.substring(0, 160) + "..." : message);
        LOG.log(Level.DEBUG, "where " + thread.getName() + " ended", e);
    }

    /** Runs {@code task} on a thread of this group and waits for it. */
    <T> T callInGroup(Callable<T> task) throws Exception {
        FutureTask<T> future = new FutureTask<>(task);
        Thread starter = new Thread(group, future, group.getName() + "-start");
        starter.start();
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ? (Exception) cause : new IllegalStateException(cause);
        }
    }

    /** A new daemon thread of this group, so that what it creates is found too. */
    Thread newThread(String name, Runnable task) {
        Thread thread = new Thread(group, task, group.getName() + "-" + name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Interrupts and joins the group's threads, again while new ones appear (a connection accepted just before
     * the listener closed still gets its reader thread a moment later), and again every few milliseconds: JAIN-SIP
     * swallows an interrupt in several places, so one is not enough. Threads still alive at the deadline are
     * named in a warning, with where they wait, instead of being left behind without a word.
     */
    void stopAll() {
        long deadline = System.currentTimeMillis() + JOIN_MILLIS;
        Thread[] threads;
        while ((threads = others()).length > 0) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                LOG.log(Level.WARNING, "{0} thread(s) of {1} still running {2} ms after its close: {3}",
                        threads.length, group.getName(), String.valueOf(JOIN_MILLIS), describe(threads));
                return;
            }
            for (Thread thread : threads) {
                thread.interrupt();
            }
            try {
                threads[0].join(Math.min(left, REINTERRUPT_MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String describe(Thread[] threads) {
        return Arrays.stream(threads).map(t -> {
            StackTraceElement[] stack = t.getStackTrace();
            return t.getName() + (stack.length == 0 ? "" : " in " + stack[0]);
        }).collect(Collectors.joining(", "));
    }

    private Thread[] others() {
        return Arrays.stream(snapshot()).filter(t -> t != Thread.currentThread() && t.isAlive()).toArray(Thread[]::new);
    }

    Set<String> live() {
        return Arrays.stream(snapshot()).filter(Thread::isAlive).map(Thread::getName).collect(Collectors.toSet());
    }

    private Thread[] snapshot() {
        Thread[] threads = new Thread[group.activeCount() + 16];
        int n = group.enumerate(threads, true);
        return Arrays.copyOf(threads, n);
    }
}
