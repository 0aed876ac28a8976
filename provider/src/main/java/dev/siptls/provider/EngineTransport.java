package dev.siptls.provider;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;

/**
 * Moves records between an {@link SSLEngine} and a connected plain socket with blocking calls: the handshake,
 * application data each way, close_notify. {@link EngineSocket} puts the {@code SSLSocket} API on top.
 *
 * <p>Locks, always taken in this order: {@code handshakeLock} (the initial handshake runs once), {@code readLock}
 * (the inbound buffers and {@code unwrap}), {@code writeLock} (the outbound buffer, {@code wrap} and the plain
 * output stream). A writer never waits for the read lock, so a read blocked on the network never blocks a write;
 * the exception is a writer that finds the engine waiting for the peer mid-write (renegotiation), which lets go
 * of the write lock first. When an unwrap leaves the engine wanting to send (a TLS 1.2 close_notify reply, a
 * TLS 1.3 KeyUpdate reply) the reader sends it only if the write lock is free; otherwise the writer holding it
 * sends it when it lets go ({@link #flushIfFree}), so a reader never waits behind a writer stalled by the peer.
 * The engine must allow {@code wrap} and {@code unwrap} on two threads at once, as the SSLEngine contract says.
 */
final class EngineTransport {

    private static final System.Logger LOG = System.getLogger(EngineTransport.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** SunJSSE's switch: with it, EOF without close_notify after the handshake is an error, not the end. */
    private static final boolean REQUIRE_CLOSE_NOTIFY = Boolean.getBoolean("com.sun.net.ssl.requireCloseNotify");
    /** A TLS record with its header and the largest expansion, for engines that report less before a handshake. */
    private static final int MIN_PACKET = 16_384 + 2_048 + 5;

    private final SSLEngine engine;
    private final Socket plain;
    private final boolean autoClose;
    private final InputStream in;
    private final OutputStream out;
    private final Runnable onHandshakeCompleted;

    private final ReentrantLock handshakeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    /** Received bytes not yet unwrapped, in write mode; under the read lock. */
    private ByteBuffer netIn;
    /** Unwrapped bytes not yet read, in read mode; under the read lock. */
    private ByteBuffer appIn;
    /** Wrapped bytes on their way out; under the write lock. */
    private ByteBuffer netOut;

    /** An unwrap left the engine wanting to wrap, and the write lock was busy. */
    private final AtomicBoolean flushWanted = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean handshakeDone;
    /** beginHandshake was called: a handshake resumed after SO_TIMEOUT must not begin it again. */
    private boolean handshakeBegun;
    /** close_notify, EOF after the handshake, shutdownInput or close: reads return what is buffered, then -1. */
    private volatile boolean inboundDone;
    /** The error that broke the connection, if one did. */
    private volatile SSLException failure;

    EngineTransport(SSLEngine engine, Socket plain, byte[] alreadyRead, boolean autoClose,
                    Runnable onHandshakeCompleted) throws IOException {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.plain = Objects.requireNonNull(plain, "plain");
        if (!plain.isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        this.autoClose = autoClose;
        this.onHandshakeCompleted = onHandshakeCompleted;
        this.in = plain.getInputStream();
        this.out = plain.getOutputStream();
        byte[] prefix = alreadyRead == null ? new byte[0] : alreadyRead;
        int packet = Math.max(MIN_PACKET, engine.getSession().getPacketBufferSize());
        this.netIn = ByteBuffer.allocate(Math.max(packet, prefix.length));
        this.netIn.put(prefix);
        this.appIn = ByteBuffer.allocate(Math.max(MIN_PACKET, engine.getSession().getApplicationBufferSize()));
        this.appIn.flip();
        this.netOut = ByteBuffer.allocate(packet);
    }

    SSLEngine engine() {
        return engine;
    }

    boolean handshakeDone() {
        return handshakeDone;
    }

    boolean isClosed() {
        return closed.get() || plain.isClosed();
    }

    boolean isBroken() {
        return failure != null;
    }

    boolean inboundDone() {
        return inboundDone;
    }

    boolean isInputShutdown() {
        return isClosed() || inboundDone && (!autoClose || plain.isInputShutdown());
    }

    boolean isOutputShutdown() {
        return isClosed() || engine.isOutboundDone() && (!autoClose || plain.isOutputShutdown());
    }

    // ---- handshake ----

    /** Runs the initial handshake once; later calls return at once. Another thread's handshake is waited for. */
    void handshake() throws IOException {
        if (handshakeDone) {
            return;
        }
        handshakeLock.lock();
        try {
            if (handshakeDone) {
                return;
            }
            if (isClosed() || failure != null || inboundDone || engine.isOutboundDone()) {
                throw new SocketException("Socket has been closed or broken");
            }
            readLock.lock();
            try {
                runHandshake();
                handshakeDone = true;
            } finally {
                readLock.unlock();
            }
        } finally {
            handshakeLock.unlock();
        }
        // no lock held: a listener may read, write or close
        onHandshakeCompleted.run();
    }

    private void runHandshake() throws IOException {
        try {
            if (!handshakeBegun) {
                engine.beginHandshake();
                handshakeBegun = true;
            }
            HandshakeStatus status = engine.getHandshakeStatus();
            while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
                switch (status) {
                    case NEED_TASK -> status = runTasks();
                    case NEED_WRAP -> {
                        SSLEngineResult result;
                        writeLock.lock();
                        try {
                            result = wrapAndSend(EMPTY);
                        } finally {
                            writeLock.unlock();
                        }
                        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw closedDuringHandshake();
                        }
                        status = result.getHandshakeStatus();
                    }
                    default -> {
                        SSLEngineResult result = unwrapOnce();
                        if (result == null) {
                            throw caused(new SSLHandshakeException("Remote host terminated the handshake"),
                                    new EOFException("the peer closed the connection"));
                        }
                        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw closedDuringHandshake();
                        }
                        status = result.getHandshakeStatus();
                    }
                }
            }
        } catch (SSLException e) {
            throw fail(e);
        } catch (InterruptedIOException e) {
            throw e; // SO_TIMEOUT: the handshake can be resumed, as with SunJSSE
        } catch (SocketException e) {
            breakQuietly();
            throw e;
        } catch (IOException e) {
            throw fail(caused(new SSLHandshakeException("Couldn't kickstart handshaking"), e));
        }
    }

    /** Java 17's SSLHandshakeException and SSLProtocolException take no cause in their constructors. */
    private static <T extends SSLException> T caused(T exception, Throwable cause) {
        exception.initCause(cause);
        return exception;
    }

    private IOException closedDuringHandshake() {
        if (closed.get()) {
            return new SocketException("Socket closed");
        }
        return new SSLHandshakeException("Remote host terminated the handshake");
    }

    private HandshakeStatus runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    // ---- reading ----

    int available() {
        if (!readLock.tryLock()) {
            return 0;
        }
        try {
            return appIn.remaining();
        } finally {
            readLock.unlock();
        }
    }

    int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        throwIfBroken();
        if (!handshakeDone) {
            if (inboundDone) {
                return -1;
            }
            handshake();
        }
        readLock.lock();
        try {
            while (true) {
                if (appIn.hasRemaining()) {
                    int n = Math.min(len, appIn.remaining());
                    appIn.get(b, off, n);
                    return n;
                }
                if (inboundDone) {
                    return -1;
                }
                throwIfBroken();
                SSLEngineResult result;
                try {
                    result = unwrapOnce();
                } catch (SSLException e) {
                    throw fail(e);
                }
                if (result == null) {
                    endOfStream();
                } else {
                    afterUnwrap(result);
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    private void throwIfBroken() throws SSLException {
        SSLException cause = failure;
        if (cause != null) {
            throw new SSLException("Connection has closed: " + cause.getMessage(), cause);
        }
    }

    /** The peer closed TCP after the handshake without close_notify: SunJSSE's default takes it as one. */
    private void endOfStream() throws IOException {
        if (REQUIRE_CLOSE_NOTIFY) {
            throw fail(caused(new SSLProtocolException("Remote host terminated the connection"),
                    new EOFException("the peer closed the connection")));
        }
        inboundDone = true;
        if (autoClose && !plain.isInputShutdown()) {
            try {
                plain.shutdownInput();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot shut the plain socket's input down", e);
            }
        }
    }

    /**
     * Unwraps until the engine consumes or produces something, reading from the socket while it needs more.
     * Returns null at end of stream. Under the read lock.
     */
    private SSLEngineResult unwrapOnce() throws IOException {
        while (true) {
            SSLEngineResult result;
            netIn.flip();
            appIn.compact();
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
                appIn.flip();
            }
            switch (result.getStatus()) {
                case BUFFER_UNDERFLOW -> {
                    if (!fill()) {
                        return null;
                    }
                }
                case BUFFER_OVERFLOW -> appIn = enlarge(appIn, engine.getSession().getApplicationBufferSize());
                case CLOSED -> {
                    inboundDone = true;
                    return result;
                }
                default -> {
                    if (result.bytesConsumed() > 0 || result.bytesProduced() > 0
                            || result.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
                        return result;
                    }
                    if (!fill()) {
                        return null;
                    }
                }
            }
        }
    }

    /** One blocking read from the socket into netIn; false at end of stream. */
    private boolean fill() throws IOException {
        if (!netIn.hasRemaining()) {
            netIn.flip();
            netIn = enlarge(netIn, Math.max(MIN_PACKET, engine.getSession().getPacketBufferSize()));
            netIn.position(netIn.limit()).limit(netIn.capacity());
        }
        int n = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
        if (n < 0) {
            return false;
        }
        netIn.position(netIn.position() + n);
        return true;
    }

    /** A copy of a buffer in read mode with room for {@code more} bytes after what it holds, in read mode. */
    private static ByteBuffer enlarge(ByteBuffer buffer, int more) {
        ByteBuffer bigger = ByteBuffer.allocate(buffer.remaining() + Math.max(more, buffer.capacity()));
        bigger.put(buffer);
        bigger.flip();
        return bigger;
    }

    /** After an unwrap outside the initial handshake: run tasks, send what the engine wants sent. */
    private void afterUnwrap(SSLEngineResult result) throws IOException {
        HandshakeStatus status = result.getHandshakeStatus();
        if (status == HandshakeStatus.NEED_TASK) {
            status = runTasks();
        }
        if (status == HandshakeStatus.NEED_WRAP) {
            flushWanted.set(true);
            try {
                flushIfFree();
            } catch (SSLException e) {
                throw fail(e);
            } catch (IOException e) {
                // the reader's data is fine; the writer meets a broken connection on its next write
                LOG.log(System.Logger.Level.DEBUG, "cannot send the engine's reply", e);
            }
        }
    }

    /** Sends what an unwrap left for the engine to wrap, unless a writer holds the lock (it sends it then). */
    private void flushIfFree() throws IOException {
        while (flushWanted.get() && writeLock.tryLock()) {
            try {
                if (flushWanted.getAndSet(false)) {
                    flushPending();
                }
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Wraps with no data while the engine wants to wrap. Under the write lock. */
    private void flushPending() throws IOException {
        HandshakeStatus status = engine.getHandshakeStatus();
        while (status == HandshakeStatus.NEED_WRAP || status == HandshakeStatus.NEED_TASK) {
            if (status == HandshakeStatus.NEED_TASK) {
                status = runTasks();
                continue;
            }
            SSLEngineResult result = wrapAndSend(EMPTY);
            if (result.bytesProduced() == 0) {
                return;
            }
            status = result.getHandshakeStatus();
        }
    }

    // ---- writing ----

    void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return; // like SunJSSE: no empty records, no handshake
        }
        handshake();
        writeLock.lock();
        try {
            ByteBuffer src = ByteBuffer.wrap(b, off, len);
            while (src.hasRemaining()) {
                if (failure != null || closed.get() || engine.isOutboundDone()) {
                    throw new SocketException("Connection or outbound has closed");
                }
                SSLEngineResult result = wrapAndSend(src);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SocketException("Connection or outbound has closed");
                }
                HandshakeStatus status = result.getHandshakeStatus();
                if (status == HandshakeStatus.NEED_TASK) {
                    runTasks();
                } else if (status == HandshakeStatus.NEED_UNWRAP && result.bytesConsumed() == 0
                        && result.bytesProduced() == 0) {
                    // the engine waits for the peer before it takes more data: let the read side move it on
                    writeLock.unlock();
                    try {
                        unwrapForWriter();
                    } finally {
                        writeLock.lock();
                    }
                }
            }
        } catch (SSLException e) {
            throw fail(e);
        } finally {
            writeLock.unlock();
            flushIfFree();
        }
    }

    private void unwrapForWriter() throws IOException {
        readLock.lock();
        try {
            if (engine.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
                return; // a reader did it while we waited
            }
            SSLEngineResult result = unwrapOnce();
            if (result == null) {
                throw new SSLException("Remote host terminated the connection during a handshake",
                        new EOFException("the peer closed the connection"));
            }
            afterUnwrap(result);
        } finally {
            readLock.unlock();
        }
    }

    /** One wrap, its output written to the socket. Under the write lock. */
    private SSLEngineResult wrapAndSend(ByteBuffer src) throws IOException {
        while (true) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(src, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(Math.max(2 * netOut.capacity(),
                        engine.getSession().getPacketBufferSize()));
                continue;
            }
            if (netOut.position() > 0) {
                out.write(netOut.array(), netOut.arrayOffset(), netOut.position());
                out.flush();
            }
            return result;
        }
    }

    // ---- closing ----

    /** Half-close: close_notify, then the peer may still send (TLS 1.3; a TLS 1.2 peer answers and closes). */
    void shutdownOutput() throws IOException {
        if (isOutputShutdown()) {
            return;
        }
        writeLock.lock();
        try {
            sendCloseNotify();
        } finally {
            writeLock.unlock();
        }
        if (autoClose && !plain.isOutputShutdown()) {
            plain.shutdownOutput();
        }
    }

    /**
     * Stops reading without close_notify. Like SunJSSE, the engine is not told (an engine whose inbound closes
     * before close_notify treats that as an attack and fails the whole connection); data still buffered is
     * dropped; the output stays usable. Throws, as SunJSSE does, if the peer's close_notify had not come.
     */
    void shutdownInput() throws IOException {
        if (isInputShutdown()) {
            return;
        }
        boolean notified = engine.isInboundDone();
        boolean started = handshakeDone || engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING;
        inboundDone = true;
        if (readLock.tryLock()) {
            try {
                appIn.position(appIn.limit());
            } finally {
                readLock.unlock();
            }
        }
        if (autoClose && !plain.isInputShutdown()) {
            plain.shutdownInput();
        }
        if (!notified && started) {
            throw new SSLException("closing inbound before receiving peer's close_notify");
        }
    }

    /**
     * Duplex close as SunJSSE does it: close_notify (waiting for the write lock at most SO_LINGER seconds when
     * SO_LINGER is set); a layered socket that keeps its plain socket open waits for the peer's close_notify on
     * TLS 1.2, where the peer must answer; then the plain socket closes if autoClose. Never throws.
     */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (!engine.isOutboundDone()) {
                closeNotifyWithinLinger();
            }
            if (!autoClose && handshakeDone && !inboundDone && failure == null
                    && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
                waitForCloseNotify();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "duplex close of the TLS connection failed", e);
        } finally {
            inboundDone = true;
            if (autoClose) {
                drainQuietly();
                closePlainQuietly();
            }
        }
    }

    private void closeNotifyWithinLinger() throws IOException {
        int linger;
        try {
            linger = plain.getSoLinger();
        } catch (SocketException e) {
            linger = -1;
        }
        boolean locked;
        if (linger < 0) {
            writeLock.lock();
            locked = true;
        } else {
            boolean interrupted = Thread.interrupted();
            try {
                locked = writeLock.tryLock() || writeLock.tryLock(linger, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
                locked = false;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (!locked) {
            // a writer is stuck: the session must not be resumed after an unannounced end (SunJSSE's choice)
            engine.getSession().invalidate();
            if (!autoClose) {
                throw new SSLException("SO_LINGER timeout, close_notify message cannot be sent.");
            }
            return;
        }
        try {
            sendCloseNotify();
        } finally {
            writeLock.unlock();
        }
    }

    /** Under the write lock. */
    private void sendCloseNotify() throws IOException {
        engine.closeOutbound();
        for (int i = 0; i < 8 && !engine.isOutboundDone(); i++) {
            if (wrapAndSend(EMPTY).bytesProduced() == 0) {
                return;
            }
        }
    }

    private void waitForCloseNotify() throws IOException {
        readLock.lock();
        try {
            while (!inboundDone) {
                appIn.position(appIn.limit());
                if (unwrapOnce() == null) {
                    return;
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The engine failed (or the peer vanished mid-handshake): send the alert the engine has queued, close, and
     * give back the exception to throw, a handshake exception if the handshake had not completed.
     */
    private SSLException fail(SSLException cause) {
        SSLException thrown = cause;
        if (!handshakeDone && !(cause instanceof SSLHandshakeException)) {
            thrown = caused(new SSLHandshakeException(cause.getMessage()), cause);
        }
        if (failure == null) {
            failure = thrown;
        }
        if (!engine.isInboundDone() && cause.getCause() instanceof EOFException) {
            try {
                engine.closeInbound(); // tells the engine the peer is gone; it queues its alert
            } catch (SSLException expected) {
                LOG.log(System.Logger.Level.TRACE, "the engine refused the inbound close", expected);
            }
        }
        if (writeLock.tryLock()) {
            try {
                for (int i = 0; i < 8 && !engine.isOutboundDone(); i++) {
                    if (wrapAndSend(EMPTY).bytesProduced() == 0) {
                        break;
                    }
                }
                engine.closeOutbound();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot send the alert", e);
            } finally {
                writeLock.unlock();
            }
        }
        breakQuietly();
        return thrown;
    }

    /** Closes without close_notify: the connection is unusable. */
    private void breakQuietly() {
        inboundDone = true;
        if (closed.compareAndSet(false, true) && autoClose) {
            closePlainQuietly();
        }
    }

    /** Reads what has already arrived, so that closing sends FIN rather than a reset that could lose our data. */
    private void drainQuietly() {
        if (!readLock.tryLock()) {
            return;
        }
        try {
            int n;
            while (!plain.isClosed() && !plain.isInputShutdown() && (n = in.available()) > 0) {
                in.skipNBytes(n);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.TRACE, "drain before close", e);
        } finally {
            readLock.unlock();
        }
    }

    private void closePlainQuietly() {
        try {
            plain.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot close the plain socket", e);
        }
    }
}
