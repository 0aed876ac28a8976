package dev.siptls.sip;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread and the connections it owns: it reads, decrypts, frames and hands each SIP message to
 * the stack, encrypts and writes what was queued for its connections, and times out handshakes and silent
 * keep-alive flows. The read, plaintext and write buffers are the loop's, shared by all its connections, so
 * an idle connection costs no buffer. Other threads reach a connection only through {@link #execute}.
 */
final class EventLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final long TICK_MILLIS = 100;

    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<TlsConnection> connections = new HashSet<>();
    private final Buffers buffers;
    private final long handshakeTimeoutNanos;
    private final long keepAliveNanos;
    private volatile boolean running = true;
    private volatile Thread thread;
    /** The most bytes one connection of this loop kept between two events, since the loop started. */
    private long peakBuffered;

    /** What the loop's thread uses for every connection in turn. */
    static final class Buffers {
        final ByteBuffer netIn;
        final ByteBuffer netOut;
        final ByteBuffer app;
        final SipStreamFramer framer;
        final MessageSink sink;

        Buffers(int packetSize, int applicationSize, SipStreamFramer framer, MessageSink sink) {
            this.netIn = ByteBuffer.allocate(2 * packetSize);
            this.netOut = ByteBuffer.allocate(packetSize);
            this.app = ByteBuffer.allocate(applicationSize);
            this.framer = framer;
            this.sink = sink;
        }
    }

    EventLoop(Buffers buffers, long handshakeTimeoutNanos, long keepAliveNanos) throws IOException {
        this.selector = Selector.open();
        this.buffers = buffers;
        this.handshakeTimeoutNanos = handshakeTimeoutNanos;
        this.keepAliveNanos = keepAliveNanos;
    }

    Buffers buffers() {
        return buffers;
    }

    void start(Thread thread) {
        this.thread = thread;
        thread.start();
    }

    /** Runs {@code task} on the loop's thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** Takes over an accepted connection. */
    void adopt(TlsConnection connection, java.nio.channels.SocketChannel socket) {
        execute(() -> {
            if (!running || connection.isClosed()) {
                connection.abort();
                return;
            }
            try {
                connection.register(selector);
                connections.add(connection);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "dropping connection {0}: {1}", connection, e.getMessage());
                connection.abort();
            }
        });
    }

    /** On the loop, once a connection closed. */
    void forget(TlsConnection connection) {
        connections.remove(connection);
    }

    /** How many connections this loop owns; loop thread only (tests reach it through {@link #call}). */
    int size() {
        return connections.size();
    }

    /** The bytes the loop's connections keep between events, summed; loop thread only. */
    long bufferedBytes() {
        long sum = 0;
        for (TlsConnection c : connections) {
            sum += c.bufferedBytes();
        }
        return sum;
    }

    /** See {@link #peakBuffered}; loop thread only. */
    long peakBuffered() {
        return peakBuffered;
    }

    /** Whether the loop's thread still runs it: false once stopped, or after a failure ended it. */
    boolean alive() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        long nextTick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
        try {
            while (running) {
                selector.select(TICK_MILLIS);
                runTasks();
                Set<SelectionKey> ready = selector.selectedKeys();
                for (Iterator<SelectionKey> it = ready.iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    TlsConnection connection = (TlsConnection) key.attachment();
                    try {
                        if (key.isValid() && key.isWritable()) {
                            connection.onWritable(buffers);
                        }
                        if (key.isValid() && key.isReadable()) {
                            connection.onReadable(buffers);
                        }
                        peakBuffered = Math.max(peakBuffered, connection.bufferedBytes());
                    } catch (CancelledKeyException e) {
                        connection.abort();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "dropping connection " + connection + " after an internal error", e);
                        connection.abort();
                    }
                }
                runTasks();
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
                    for (TlsConnection c : new ArrayList<>(connections)) {
                        c.tick(now, handshakeTimeoutNanos, keepAliveNanos);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.log(Level.ERROR, "event loop failed; closing its connections", e);
            }
        } finally {
            running = false;
            for (TlsConnection c : new ArrayList<>(connections)) {
                c.abort();
            }
            runTasks();
            connections.clear();
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            try {
                task.run();
            } catch (CancelledKeyException e) {
                // the connection closed meanwhile
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "event loop task failed", e);
            }
        }
    }
}
