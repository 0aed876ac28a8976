package dev.siptls.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * A TLS client that writes its last handshake flight (Finished) and its first application records in one TCP
 * write, so the key server reads the end of the handshake and the first SIP message together: the case where a
 * non-blocking transport can lose the first message. Blocking, for tests.
 */
final class CoalescingClient implements AutoCloseable {

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer app;
    private final StringBuilder received = new StringBuilder();
    private boolean coalesced;
    private boolean handshakeDone;
    private int emptyRecords;

    private CoalescingClient(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 4);
        this.app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
    }

    /** Handshakes with {@code protocol} and sends {@code first} in the same write as the Finished. */
    static CoalescingClient connect(SSLContext context, InetSocketAddress server, String protocol, byte[] first)
            throws IOException {
        SSLEngine engine = context.createSSLEngine("127.0.0.1", server.getPort());
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {protocol});
        CoalescingClient c = new CoalescingClient(SocketChannel.open(server), engine);
        c.handshakeThenSend(first);
        return c;
    }

    /** Whether the first records went in the same write as handshake records (TLS 1.3: the Finished). */
    boolean coalesced() {
        return coalesced;
    }

    /**
     * Records read after the handshake that carried no application data: in TLS 1.3 the server's
     * NewSessionTicket (a key server that never flushed it would leave the client without resumption).
     */
    int recordsWithoutData() {
        return emptyRecords;
    }

    String protocol() {
        return engine.getSession().getProtocol();
    }

    private void handshakeThenSend(byte[] first) throws IOException {
        ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
        ByteBuffer empty = ByteBuffer.allocate(0);
        engine.beginHandshake();
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = engine.wrap(empty, pending);
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    break;
                }
            } else if (hs == HandshakeStatus.NEED_TASK) {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
            } else if (hs == HandshakeStatus.NEED_UNWRAP) {
                flush(pending);
                SSLEngineResult r = unwrapSome();
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    break;
                }
            } else {
                break;
            }
        }
        // the Finished (still in pending when the client ends the handshake) and the first records together
        coalesced = pending.position() > 0;
        handshakeDone = true;
        engine.wrap(ByteBuffer.wrap(first), pending);
        flush(pending);
    }

    private void flush(ByteBuffer pending) throws IOException {
        pending.flip();
        while (pending.hasRemaining()) {
            channel.write(pending);
        }
        pending.clear();
    }

    /** Unwraps one record, reading more when needed; plaintext is kept for {@link #readMessage}. */
    private SSLEngineResult unwrapSome() throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult r = engine.unwrap(netIn, app);
            netIn.compact();
            if (app.position() > 0) {
                app.flip();
                received.append(StandardCharsets.UTF_8.decode(app));
                app.clear();
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                    || r.bytesConsumed() == 0 && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
                if (channel.read(netIn) < 0) {
                    throw new IOException("closed by the key server");
                }
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new IOException("TLS closed by the key server");
            }
            if (handshakeDone && r.bytesProduced() == 0) {
                emptyRecords++;
            }
            return r;
        }
    }

    /** Sends {@code bytes} (after the handshake). */
    void send(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(bytes.length + 4096);
        engine.wrap(ByteBuffer.wrap(bytes), out);
        flush(out);
    }

    /** The next whole SIP message from the key server (CRLF keep-alives skipped). */
    String readMessage() throws IOException {
        while (true) {
            while (received.length() > 0 && (received.charAt(0) == '\r' || received.charAt(0) == '\n')) {
                received.deleteCharAt(0);
            }
            int blank = received.indexOf("\r\n\r\n");
            if (blank >= 0) {
                String head = received.substring(0, blank + 4);
                int length = Integer.parseInt(RawPeer.header(head, "Content-Length").trim());
                if (received.length() >= blank + 4 + length) {
                    String message = received.substring(0, blank + 4 + length);
                    received.delete(0, blank + 4 + length);
                    return message;
                }
            }
            SSLEngineResult r = unwrapSome();
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
            }
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                engine.wrap(ByteBuffer.allocate(0), out);
                flush(out);
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
