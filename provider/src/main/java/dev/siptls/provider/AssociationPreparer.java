package dev.siptls.provider;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Prepares SAs that arrive ahead of their first connection (a client's prefetched or renewed SA, a server's SA
 * distributed when its client asked) for every initialised context of the provider, on a thread of its own: what
 * the first lookup of an SA would derive (chains in BCJSSE's form, the trust manager's verdict) is then ready,
 * so the first connection costs what a later one does. Optional work: when its bounded queue is full, an SA is
 * left to be prepared by its first lookup, as it would be without this.
 */
final class AssociationPreparer implements AutoCloseable {

    private static final int QUEUE = 1024;

    /** The contexts' sessions, held weakly so that a context the application drops can go. */
    private final Set<AssociationSessions> contexts =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final ThreadPoolExecutor worker;

    AssociationPreparer(String aor) {
        worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), task -> {
            Thread t = new Thread(task, "sip-tls-prepare-" + aor);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    void add(AssociationSessions sessions) {
        contexts.add(sessions);
    }

    /** A client SA for {@code peer}, obtained before any connection asked for it. */
    void client(HostPort peer, SecurityAssociation sa) {
        each(sessions -> sessions.prepareClient(sa, peer.host()));
    }

    /** An SA this provider accepted as TLS server. */
    void server(SecurityAssociation sa) {
        each(sessions -> sessions.prepareServer(sa));
    }

    private void each(Consumer<AssociationSessions> prepare) {
        try {
            worker.execute(() -> {
                List<AssociationSessions> each;
                synchronized (contexts) {
                    each = List.copyOf(contexts);
                }
                each.forEach(prepare);
            });
        } catch (RejectedExecutionException closed) {
            // closing: nothing to prepare for
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
