package dev.siptls.sip;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The TLS connections a listening endpoint accepted and that are still open, by remote address, with what
 * keeps one peer from costing the others: the shared pool that writes every connection's queued output, the
 * check that closes a connection whose peer stopped reading, and the closing of idle ones. Failed TLS
 * handshakes go to {@link HandshakeFailures}.
 */
final class AcceptedFlows {

    private static final System.Logger LOG = System.getLogger(AcceptedFlows.class.getName());

    /** Twice JAIN-SIP's longest transaction linger (64 T1, 32 s). */
    static final Duration REUSE_QUARANTINE = Duration.ofSeconds(64);
    private static final int MAX_REMEMBERED_CLOSED = 100_000;

    private final Map<InetSocketAddress, TlsConnection> open = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, PlainSocket> plain = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Long> recentlyClosed = new ConcurrentHashMap<>();
    private final AtomicLong reusedAddressesRefused = new AtomicLong();
    private final ExecutorService writers;
    private final int maxQueuedBytes;
    private final long writeTimeoutNanos;
    private final HandshakeFailures handshakeFailures = new HandshakeFailures();
    private final AtomicLong slowPeersClosed = new AtomicLong();
    private final AtomicLong idleClosed = new AtomicLong();
    private volatile boolean closing;

    AcceptedFlows(String name, int maxQueuedBytes, Duration writeTimeout) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        AtomicInteger n = new AtomicInteger();
        // Threads only while connections have output pending (an idle one ends after a second); a blocked one
        // costs only its own connection.
        this.writers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread t = new Thread(task, name + "-writer-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** The pool that writes plain-TCP connections' queued output (TLS connections are written by their loop). */
    Executor writers() { return writers; }
    int maxQueuedBytes() { return maxQueuedBytes; }

    TlsConnection accepted(TlsConnection socket) {
        open.put(socket.remote(), socket);
        if (closing) {
            socket.abort();
        }
        return socket;
    }

    PlainSocket acceptedPlain(PlainSocket socket) {
        plain.put(socket.remote(), socket);
        if (closing) {
            socket.abort();
        }
        return socket;
    }

    void closed(AcceptedSocket socket) {
        open.remove(socket.remote(), socket);
        plain.remove(socket.remote(), socket);
        if (!socket.mayHaveCarriedSip()) {
            // No message ever passed (no TLS handshake completed): nothing can follow it to a newcomer, and a
            // connect-and-close by anyone sharing the address must not lock agents behind it out.
            return;
        }
        long now = System.nanoTime();
        if (recentlyClosed.size() >= MAX_REMEMBERED_CLOSED) {
            recentlyClosed.values().removeIf(at -> now - at >= REUSE_QUARANTINE.toNanos());
        }
        if (recentlyClosed.size() < MAX_REMEMBERED_CLOSED) {
            recentlyClosed.put(socket.remote(), now);
        }
    }

    /** The open connection from {@code remote}, if any. */
    Optional<Flow> flow(InetSocketAddress remote) {
        TlsConnection socket = open.get(remote);
        return socket == null || !socket.established() ? Optional.empty() : Optional.of(new Flow(socket));
    }

    /** Counts and reports a failed handshake; the caller closes the connection. */
    void handshakeFailed(AcceptedSocket socket, Exception e) {
        handshakeFailures.failed(socket.remote(), e);
    }

    void slowPeer(AcceptedSocket socket, String why) {
        slowPeersClosed.incrementAndGet();
        LOG.log(Level.WARNING, "closing connection from {0}: the peer is not reading ({1})", socket.remote(), why);
        socket.abort();
    }

    /** Closes every connection whose current write has been blocked longer than the write timeout. */
    void closeStalled() {
        long now = System.nanoTime();
        for (AcceptedSocket socket : all()) {
            if (socket.writeStalled(now, writeTimeoutNanos)) {
                slowPeer(socket, "a write blocked for over " + TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos)
                        + " ms");
            }
        }
    }

    /**
     * Closes the connections that {@code claimed} has not claimed for {@code grace}, counted from when they were
     * accepted or last claimed, whatever they send meanwhile (keep-alives and OPTIONS earn nothing); how many.
     */
    int closeUnclaimed(Duration grace, Predicate<Flow> claimed) {
        long now = System.nanoTime();
        int count = 0;
        for (AcceptedSocket socket : all()) {
            if (socket instanceof TlsConnection tls && tls.established() && claimed.test(new Flow(tls))) {
                socket.claimed(now);
            } else if (socket.unclaimedNanos(now) >= grace.toNanos()) {
                LOG.log(Level.DEBUG, "closing connection from {0}: no registration on it for {1} s", socket.remote(),
                        grace.toSeconds());
                idleClosed.incrementAndGet(); // before the peer can see the close
                socket.abort();
                count++;
            }
        }
        return count;
    }

    /**
     * Whether a connection from {@code remote} must be refused: one from that very address is still open here
     * (its peer reset it, and its end has not been read yet) or closed less than {@link #REUSE_QUARANTINE} ago.
     * The SIP stack finds connections by address, so what it still sends for the old connection's
     * transactions (a 100 Trying, a late refusal) would otherwise reach the new one.
     */
    boolean quarantined(InetSocketAddress remote) {
        Long closedAt = recentlyClosed.get(remote);
        boolean stillOpen = open.containsKey(remote) || plain.containsKey(remote);
        if (closedAt == null && !stillOpen) {
            return false;
        }
        if (closedAt != null && System.nanoTime() - closedAt >= REUSE_QUARANTINE.toNanos()) {
            recentlyClosed.remove(remote, closedAt);
            if (!stillOpen) {
                return false;
            }
        }
        reusedAddressesRefused.incrementAndGet();
        LOG.log(Level.DEBUG, "refusing a connection from {0}: one from that address is open or closed under 64 s ago",
                remote);
        return true;
    }

    long handshakeFailures() { return handshakeFailures.count(); }
    long slowPeersClosed() { return slowPeersClosed.get(); }
    long idleClosed() { return idleClosed.get(); }
    long reusedAddressesRefused() { return reusedAddressesRefused.get(); }
    int openCount() { return open.size() + plain.size(); }

    private List<AcceptedSocket> all() {
        List<AcceptedSocket> all = new ArrayList<>(open.values());
        all.addAll(plain.values());
        return all;
    }

    void closeAll() {
        closing = true;
        for (AcceptedSocket socket : all()) {
            socket.abort();
        }
        open.clear();
        plain.clear();
        writers.shutdownNow();
    }

    /** The exception's own message, and its root cause's where that says more (PKIX names the actual fault). */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += " (" + root.getMessage() + ")";
        }
        return message.length() > 240 ? message.substring(0, 240) + "..." : message;
    }
}
