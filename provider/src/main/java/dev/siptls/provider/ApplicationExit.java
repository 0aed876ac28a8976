package dev.siptls.provider;

import dev.siptls.sip.SipEndpoint;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stops the SIP-TLS agents of a JVM once its application has ended: the main method returned and no thread of the
 * application is left. JAIN-SIP runs non-daemon threads of its own, so a JVM whose application never closes its
 * provider (one installed through {@code java.security} cannot) would otherwise never exit. A daemon thread looks
 * once a second while any agent runs, and ends with the last one.
 */
final class ApplicationExit {

    private static final System.Logger LOG = System.getLogger(ApplicationExit.class.getName());
    /** The thread the launcher leaves waiting for non-daemon threads once {@code main} has returned. */
    private static final String MAIN_RETURNED = "DestroyJavaVM";
    private static final long INTERVAL_MILLIS = 1_000;
    private static final Set<Runnable> CLOSERS = ConcurrentHashMap.newKeySet();
    private static Thread watcher; // guarded by the class

    private ApplicationExit() {
    }

    /** Runs {@code close} once the application has ended, unless {@link #forget} comes first. */
    static void closeAtEnd(Runnable close) {
        CLOSERS.add(close);
        synchronized (ApplicationExit.class) {
            if (watcher == null) {
                watcher = new Thread(ApplicationExit::watch, "sip-tls-application-exit");
                watcher.setDaemon(true);
                watcher.start();
            }
        }
    }

    static void forget(Runnable close) {
        CLOSERS.remove(close);
        synchronized (ApplicationExit.class) {
            // nothing left to watch: let it end now; unless this is the watcher closing the agents itself, which
            // an interrupt would cut short in the middle of stopping a SIP stack
            if (CLOSERS.isEmpty() && watcher != null && watcher != Thread.currentThread()) {
                watcher.interrupt();
            }
        }
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                // forget() left nothing to watch, or a new agent came meanwhile: look below
            }
            synchronized (ApplicationExit.class) {
                if (CLOSERS.isEmpty()) {
                    watcher = null;
                    return;
                }
            }
            if (applicationEnded()) {
                LOG.log(Level.INFO, "the application has ended (main returned, none of its threads left): stopping"
                        + " its SIP-TLS agents so that the JVM can exit");
                for (Runnable close : List.copyOf(CLOSERS)) {
                    CLOSERS.remove(close);
                    try {
                        close.run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "stopping a SIP-TLS agent failed", e);
                    }
                }
            }
        }
    }

    /** Whether {@code main} returned and every live non-daemon thread but the launcher's is a SIP stack's. */
    static boolean applicationEnded() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() * 2 + 16];
        int count = root.enumerate(threads, true);
        boolean mainReturned = false;
        for (int i = 0; i < count; i++) {
            Thread t = threads[i];
            if (t.isDaemon() || !t.isAlive()) {
                continue;
            }
            if (MAIN_RETURNED.equals(t.getName())) {
                mainReturned = true;
            } else if (!SipEndpoint.isStackThread(t)) {
                return false;
            }
        }
        return mainReturned;
    }
}
