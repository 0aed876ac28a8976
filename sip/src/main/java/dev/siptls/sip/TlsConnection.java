package dev.siptls.sip;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One accepted TLS connection of the non-blocking transport: its socket, its {@link SSLEngine}, and only what
 * must survive between two events (a partial TLS record, a partial SIP message, encrypted bytes the socket did
 * not take, the plaintext waiting to be sent). An idle connection holds no buffer at all: reads and wraps go
 * through its {@link EventLoop}'s buffers.
 *
 * <p>Everything but {@link #send}, {@link #abort} and the getters runs on the connection's event loop. A send
 * only queues a copy (bounded: a peer that lets more pile up is not reading and is closed) and wakes the loop,
 * so no thread ever waits for a peer.
 */
final class TlsConnection implements AcceptedSocket {

    private static final System.Logger LOG = System.getLogger(TlsConnection.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /**
     * How much of an unfinished message a connection without a registration may hold: a REGISTER has no body.
     * Without it, one certificate could open connections each holding most of a message of the size limit until
     * the unregistered-connection timeout, heap bounded only by descriptors.
     */
    static final int UNREGISTERED_PARTIAL = 8 * 1024;
    /** How long a refused peer has to read the alert and close, before its connection is closed anyway. */
    private static final long REFUSAL_LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SocketChannel socket;
    private final SSLEngine engine;
    private final EventLoop loop;
    private final InetSocketAddress remote;
    private final AcceptedFlows flows;
    private final TlsFlowProcessor processor;
    private final long acceptedNanos = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private SelectionKey key;

    // Loop-owned state.
    private byte[] netTail;
    private final PartialMessage partial;
    private byte[] netOut;
    private byte[] current;
    private int currentOffset;
    private boolean tasking;
    private boolean keepAliveArmed;
    private boolean tls13;
    private long lastReadNanos = acceptedNanos;
    /** When its handshake failed and its alert went out; 0 if it has not. */
    private long refusedNanos;

    // Shared state.
    private volatile boolean established;
    private volatile boolean registered;
    private volatile X509Certificate peer;
    /** SHA-256 of {@link #peer}, taken once: the certificate cannot change (renegotiation closes the connection). */
    private volatile byte[] peerFingerprint;
    private volatile TlsFlowChannel channel;
    private ArrayDeque<byte[]> queue;
    private int queued;
    private boolean flushPosted;
    private volatile long stalledSince;
    private volatile long lastClaimedNanos = acceptedNanos;

    TlsConnection(SocketChannel socket, SSLEngine engine, EventLoop loop, InetSocketAddress remote,
            AcceptedFlows flows, TlsFlowProcessor processor) {
        this.socket = socket;
        this.engine = engine;
        this.loop = loop;
        this.remote = remote;
        this.flows = flows;
        this.processor = processor;
        this.partial = new PartialMessage(processor.maxMessageSize());
    }

    /** On the loop: registers for reads and starts the handshake (the client speaks first). */
    void register(java.nio.channels.Selector selector) throws IOException {
        key = socket.register(selector, SelectionKey.OP_READ, this);
        engine.beginHandshake();
    }

    @Override public InetSocketAddress remote() { return remote; }
    @Override public void claimed(long nowNanos) { lastClaimedNanos = nowNanos; }
    @Override public long unclaimedNanos(long nowNanos) { return nowNanos - lastClaimedNanos; }
    @Override public boolean isOpenFlow() { return !closed.get(); }

    /** Whether the TLS handshake has completed, with the client certificate it authenticated. */
    boolean established() {
        return established && !closed.get();
    }

    Optional<X509Certificate> peerCertificate() {
        return Optional.ofNullable(peer);
    }

    /** {@link Flow#fingerprint} of the peer certificate, or null without one; the caller must not modify it. */
    byte[] peerFingerprint() {
        return peerFingerprint;
    }

    TlsFlowChannel channel() {
        return channel;
    }

    @Override
    public boolean writeStalled(long nowNanos, long timeoutNanos) {
        long since = stalledSince;
        return since != 0 && nowNanos - since > timeoutNanos;
    }

    @Override
    public void overflowed(int bytes) {
        flows.slowPeer(this, "over " + bytes + " bytes waiting to be sent");
    }

    /**
     * Queues {@code length} bytes for the peer, on the caller's thread; fails if this send is pinned to another
     * flow, if the connection is closed, or if the peer has let too much pile up (which closes it).
     */
    void send(byte[] bytes, int offset, int length) throws IOException {
        Flow.checkPinned(this);
        if (length == 0) {
            return;
        }
        byte[] chunk = Arrays.copyOfRange(bytes, offset, offset + length);
        boolean post;
        int total;
        synchronized (this) {
            if (closed.get()) {
                Arrays.fill(chunk, (byte) 0);
                throw new IOException("connection " + remote + " is closed");
            }
            total = queued + length;
            if (total <= flows.maxQueuedBytes()) {
                if (queue == null) {
                    queue = new ArrayDeque<>(4);
                }
                queue.add(chunk);
                queued = total;
                post = !flushPosted;
                flushPosted = true;
                chunk = null;
            } else {
                post = false;
            }
        }
        if (chunk != null) {
            Arrays.fill(chunk, (byte) 0);
            overflowed(total);
            throw new IOException("peer " + remote + " is not reading: over " + flows.maxQueuedBytes()
                    + " bytes queued");
        }
        if (post) {
            loop.execute(() -> flush(loop.buffers()));
        }
    }

    /** Bytes queued for the peer, not yet encrypted; for tests and statistics. */
    synchronized int queuedBytes() {
        return queued;
    }

    /** Bytes kept between events: partial records and messages, unsent ciphertext. Loop thread only. */
    int bufferedBytes() {
        return length(netTail) + partial.heldBytes() + length(netOut) + length(current);
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    /** Closes the TCP connection at once (no close_notify: the peer may not be reading) and forgets it. */
    @Override
    public void abort() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (queue != null) {
                for (byte[] chunk : queue) {
                    Arrays.fill(chunk, (byte) 0);
                }
                queue = null;
            }
            queued = 0;
        }
        stalledSince = 0;
        try {
            socket.close();
        } catch (IOException e) {
            // closed anyway
        }
        flows.closed(this);
        TlsFlowChannel c = channel;
        if (c != null) {
            processor.forget(c);
        }
        loop.execute(this::released);
    }

    /** On the loop, once closed: drops what the connection kept, zeroing plaintext. */
    private void released() {
        loop.forget(this);
        if (current != null) {
            Arrays.fill(current, (byte) 0);
            current = null;
        }
        partial.release();
        netTail = null;
        netOut = null;
        engine.closeOutbound();
    }

    boolean isClosed() {
        return closed.get();
    }

    // ---- loop thread from here on ----

    void onReadable(EventLoop.Buffers b) {
        if (closed.get() || tasking) {
            return;
        }
        if (refusedNanos != 0) {
            drainRefused(b);
            return;
        }
        ByteBuffer in = b.netIn;
        in.clear();
        if (netTail != null) {
            in.put(netTail);
            netTail = null;
        }
        int n;
        try {
            n = socket.read(in);
        } catch (IOException e) {
            abort();
            return;
        }
        if (n < 0) {
            if (!established) {
                flows.handshakeFailed(this, new SSLException("the peer closed the connection during the handshake"));
            }
            abort();
            return;
        }
        if (n > 0) {
            lastReadNanos = System.nanoTime();
        }
        in.flip();
        unwrap(in, b);
    }

    void onWritable(EventLoop.Buffers b) {
        if (closed.get() || refusedNanos != 0) {
            return;
        }
        if (writeNetOut()) {
            resume(b);
        }
    }

    /** Handshake timeout and keep-alive timeout, checked by the loop every tick. */
    void tick(long now, long handshakeTimeoutNanos, long keepAliveNanos) {
        if (closed.get()) {
            return;
        }
        if (refusedNanos != 0) {
            if (now - refusedNanos > REFUSAL_LINGER_NANOS) {
                abort();
            }
        } else if (!established && now - acceptedNanos > handshakeTimeoutNanos) {
            flows.handshakeFailed(this, new SSLException("TLS handshake not completed within "
                    + TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNanos) + " ms"));
            abort();
        } else if (keepAliveArmed && keepAliveNanos > 0 && now - lastReadNanos > keepAliveNanos) {
            LOG.log(Level.DEBUG, "closing connection from {0}: silent past the keep-alive timeout", remote);
            abort();
        }
    }

    private void unwrap(ByteBuffer in, EventLoop.Buffers b) {
        try {
            while (!closed.get() && in.hasRemaining()) {
                ByteBuffer app = b.app;
                app.clear();
                boolean wasEstablished = established;
                SSLEngineResult r = engine.unwrap(in, app);
                if (wasEstablished && !tls13 && r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
                    // A TLS 1.2 renegotiation: the connection's identity is its first handshake's certificate,
                    // which a second one could replace, and nothing here needs one.
                    LOG.log(Level.INFO, "connection from {0} tried to renegotiate TLS; its connection is dropped",
                            remote);
                    Arrays.fill(app.array(), 0, app.position(), (byte) 0);
                    abort();
                    return;
                }
                if (app.position() > 0) {
                    deliver(app, b);
                }
                SSLEngineResult.Status status = r.getStatus();
                if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    break;
                }
                if (status == SSLEngineResult.Status.CLOSED) {
                    abort();
                    return;
                }
                if (status == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    throw new SSLException("a TLS record larger than the engine's application buffer");
                }
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakeDone(b);
                }
                if (!advanceHandshake(b)) {
                    break;
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException e) {
            if (!established) {
                refuse(e, b);
            } else {
                LOG.log(Level.DEBUG, "TLS error on connection from {0}: {1}", remote,
                        PrintableText.of(e.getMessage()));
                abort();
            }
            return;
        }
        if (!closed.get() && in.hasRemaining()) {
            netTail = new byte[in.remaining()];
            in.get(netTail);
        }
    }

    /**
     * Ends a failed handshake telling the peer why: the alert the engine made of it (bad_certificate, say) is
     * written once, without waiting, and the connection half-closed; what the peer still sends is read and
     * dropped until it closes too, or for {@link #REFUSAL_LINGER_NANOS}. A TLS 1.3 client has finished its
     * handshake, and sent its first request, before its certificate is refused: closed at once with that request
     * unread, the connection would be reset and the alert lost, and the client would know only that it is gone.
     */
    private void refuse(SSLException e, EventLoop.Buffers b) {
        flows.handshakeFailed(this, e);
        if (netOut != null) {
            abort(); // handshake bytes the peer has not taken yet would have to go first
            return;
        }
        refusedNanos = System.nanoTime();
        key.interestOps(SelectionKey.OP_READ);
        try {
            ByteBuffer out = b.netOut;
            out.clear();
            engine.wrap(EMPTY, out);
            out.flip();
            socket.write(out);
            socket.shutdownOutput();
        } catch (IOException closed) {
            abort();
        }
    }

    /** Reads and drops what a refused peer still sends, a buffer at a time; closes at its end. */
    private void drainRefused(EventLoop.Buffers b) {
        ByteBuffer in = b.netIn;
        in.clear();
        int n;
        try {
            n = socket.read(in);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            abort();
        }
    }

    /**
     * Drives the handshake as far as it goes without reading: wraps what the engine wants sent, hands delegated
     * tasks to the pool. False if it must wait (for the socket to take bytes, or for a task).
     */
    private boolean advanceHandshake(EventLoop.Buffers b) throws SSLException {
        while (!closed.get()) {
            if (tasking || netOut != null) {
                return false;
            }
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
                return false;
            }
            if (hs != HandshakeStatus.NEED_WRAP) {
                if (!established && hs == HandshakeStatus.NOT_HANDSHAKING) {
                    handshakeDone(b);
                }
                return true;
            }
            ByteBuffer out = b.netOut;
            out.clear();
            SSLEngineResult r = engine.wrap(EMPTY, out);
            out.flip();
            if (!write(out)) {
                return false;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                abort();
                return false;
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                handshakeDone(b);
            }
        }
        return false;
    }

    private void runTasks() {
        tasking = true;
        key.interestOps(0);
        processor.handshakeTasks().execute(() -> {
            try {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "TLS handshake task for {0} failed: {1}", remote, e.getMessage());
            }
            loop.execute(this::tasksDone);
        });
    }

    private void tasksDone() {
        tasking = false;
        if (closed.get() || refusedNanos != 0) {
            return;
        }
        key.interestOps(SelectionKey.OP_READ | (netOut != null ? SelectionKey.OP_WRITE : 0));
        resume(loop.buffers());
    }

    /** Continues after a wait (a delegated task, a full socket): the handshake, input kept meanwhile, output. */
    private void resume(EventLoop.Buffers b) {
        ByteBuffer in = b.netIn;
        in.clear();
        if (netTail != null) {
            in.put(netTail);
            netTail = null;
        }
        in.flip();
        try {
            if (advanceHandshake(b)) {
                unwrap(in, b);
                flush(b);
            } else if (in.hasRemaining()) {
                netTail = new byte[in.remaining()];
                in.get(netTail);
            }
        } catch (SSLException e) {
            if (!established) {
                refuse(e, b);
            } else {
                abort();
            }
        }
    }

    private void handshakeDone(EventLoop.Buffers b) {
        if (established) {
            return;
        }
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                peerFingerprint = Flow.fingerprint(x);
                peer = x;
            }
        } catch (SSLPeerUnverifiedException e) {
            peer = null;
        }
        tls13 = "TLSv1.3".equals(engine.getSession().getProtocol());
        channel = processor.established(this);
        established = true;
        flush(b);
    }

    /** Frames the decrypted bytes in {@code app} after what was left of a partial message; zeroes them. */
    private void deliver(ByteBuffer app, EventLoop.Buffers b) {
        if (!established) {
            handshakeDone(b);
        }
        if (!partial.add(app.array(), app.position(), b.framer, b.sink.on(this))) {
            LOG.log(Level.WARNING, "connection from {0} sent {1}; its connection is dropped", remote,
                    b.framer.brokenReason());
            abort();
        } else if (!registered && partial.keptBytes() > UNREGISTERED_PARTIAL) {
            LOG.log(Level.WARNING, "connection from {0} holds over {1} bytes of an unfinished message before any "
                    + "registration; its connection is dropped", remote, UNREGISTERED_PARTIAL);
            abort();
        } else if (closed.get()) {
            partial.release();
        }
    }

    /** See {@link Flow#registered()}. */
    void registered() {
        registered = true;
    }

    @Override
    public boolean mayHaveCarriedSip() {
        return established;
    }

    /** A keep-alive ping from the peer: answer with a pong and expect the next within the keep-alive timeout. */
    void pinged() {
        keepAliveArmed = true;
        try {
            send(new byte[] {'\r', '\n'}, 0, 2);
        } catch (IOException e) {
            // closed meanwhile
        }
    }

    /** Wraps and writes queued plaintext until done or the socket is full. */
    void flush(EventLoop.Buffers b) {
        if (closed.get() || !established || tasking || !writeNetOut()) {
            return;
        }
        boolean progress = false;
        try {
            while (true) {
                if (current == null) {
                    synchronized (this) {
                        current = queue == null ? null : queue.poll();
                        if (current == null) {
                            flushPosted = false;
                            break;
                        }
                    }
                    currentOffset = 0;
                }
                ByteBuffer src = ByteBuffer.wrap(current, currentOffset, current.length - currentOffset);
                ByteBuffer out = b.netOut;
                out.clear();
                SSLEngineResult r = engine.wrap(src, out);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    abort();
                    return;
                }
                currentOffset = src.position();
                if (currentOffset == current.length) {
                    Arrays.fill(current, (byte) 0);
                    synchronized (this) {
                        queued -= current.length;
                    }
                    current = null;
                }
                out.flip();
                int before = out.remaining();
                boolean all = write(out);
                progress |= out.remaining() < before;
                if (!all) {
                    if (progress || stalledSince == 0) {
                        stalledSince = System.nanoTime();
                    }
                    return;
                }
            }
        } catch (SSLException e) {
            LOG.log(Level.DEBUG, "TLS error on connection from {0}: {1}", remote,
                    PrintableText.of(e.getMessage()));
            abort();
            return;
        }
        stalledSince = 0;
    }

    /** Writes the ciphertext left from before; true once none is left. */
    private boolean writeNetOut() {
        if (netOut == null) {
            return true;
        }
        ByteBuffer out = ByteBuffer.wrap(netOut);
        int before = out.remaining();
        netOut = null;
        boolean all = write(out);
        if (all) {
            stalledSince = 0;
        } else if (out.remaining() < before) {
            stalledSince = System.nanoTime();
        }
        return all;
    }

    /** Writes {@code out}; what the socket does not take is kept and OP_WRITE armed. True if all went. */
    private boolean write(ByteBuffer out) {
        try {
            socket.write(out);
        } catch (IOException e) {
            abort();
            return false;
        }
        if (out.hasRemaining()) {
            netOut = new byte[out.remaining()];
            out.get(netOut);
            if (stalledSince == 0) {
                stalledSince = System.nanoTime();
            }
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            return false;
        }
        if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        }
        return true;
    }

    @Override
    public String toString() {
        return "tls:" + remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }
}
