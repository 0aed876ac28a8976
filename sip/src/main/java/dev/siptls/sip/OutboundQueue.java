package dev.siptls.sip;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The output of one accepted connection, as the SIP stack writes to it: a write only queues a copy and
 * returns, so no thread of the stack (its single event thread above all) ever waits for a peer that does
 * not read. A writer thread borrowed from a shared pool drains the queue into the TLS socket and zeroes each
 * chunk once written (they may hold security associations). A queue past its bound means the peer is not
 * reading: the connection is closed and the write fails.
 */
final class OutboundQueue extends OutputStream {

    private final AcceptedSocket owner;
    private final OutputStream sink;
    private final Executor writers;
    private final int limit;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int queued;
    private boolean draining;
    private boolean closed;
    /** Close the connection once the queue is empty: the stack closed it with a last answer still queued. */
    private boolean closeWhenDrained;
    /** {@link System#nanoTime()} when the write in progress began; 0 when none is. */
    private volatile long writingSince;

    OutboundQueue(AcceptedSocket owner, OutputStream sink, Executor writers, int limit) {
        this.owner = owner;
        this.sink = sink;
        this.writers = writers;
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Flow.checkPinned(owner);
        if (len == 0) {
            return;
        }
        byte[] chunk = Arrays.copyOfRange(b, off, off + len);
        boolean start;
        synchronized (this) {
            if (closed) {
                Arrays.fill(chunk, (byte) 0);
                throw new IOException("connection " + owner.remote() + " is closed");
            }
            if (queued + len > limit) {
                Arrays.fill(chunk, (byte) 0);
                owner.overflowed(queued + len);
                throw new IOException("peer " + owner.remote() + " is not reading: over " + limit + " bytes queued");
            }
            chunks.add(chunk);
            queued += len;
            start = !draining;
            draining = true;
        }
        if (start) {
            try {
                writers.execute(this::drain);
            } catch (RejectedExecutionException e) {
                discard();
                throw new IOException("endpoint closing", e);
            }
        }
    }

    private void drain() {
        while (true) {
            byte[] chunk;
            boolean close;
            synchronized (this) {
                chunk = chunks.poll();
                draining = chunk != null;
                close = chunk == null && closeWhenDrained;
            }
            if (chunk == null) {
                if (close) {
                    owner.abort();
                }
                return;
            }
            writingSince = System.nanoTime();
            try {
                sink.write(chunk);
                sink.flush();
            } catch (IOException e) {
                owner.abort();
                discard();
                return;
            } finally {
                writingSince = 0;
                Arrays.fill(chunk, (byte) 0);
                synchronized (this) {
                    queued -= chunk.length;
                }
            }
        }
    }

    /** Whether a write has been blocked for longer than {@code timeoutNanos}. */
    boolean stalled(long nowNanos, long timeoutNanos) {
        long since = writingSince;
        return since != 0 && nowNanos - since > timeoutNanos;
    }

    /**
     * Writes what is queued, then closes the connection (at once if nothing is); later writes fail. JAIN-SIP
     * closes a connection right after its last answer on it (a 505, a 400 to a malformed request), which
     * {@link #discard} would drop unsent. A write that blocks still counts as stalled, and closes it then.
     */
    void closeWhenDrained() {
        boolean now;
        synchronized (this) {
            closed = true;
            closeWhenDrained = true;
            now = !draining;
        }
        if (now) {
            owner.abort();
        }
    }

    /** Zeroes and drops what is queued; later writes fail. */
    void discard() {
        synchronized (this) {
            closed = true;
            for (byte[] chunk : chunks) {
                Arrays.fill(chunk, (byte) 0);
            }
            queued -= chunks.stream().mapToInt(c -> c.length).sum();
            chunks.clear();
            draining = false;
        }
    }

    @Override
    public void flush() {
        // the writer flushes each chunk it writes
    }

    /** As {@link #closeWhenDrained}: JAIN-SIP closes the stream as well as the socket. */
    @Override
    public void close() {
        closeWhenDrained();
    }
}
