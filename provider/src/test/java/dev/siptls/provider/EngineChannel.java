package dev.siptls.provider;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/** Textbook JSSE engine code over a blocking socket channel: handshake, then whole messages. */
public final class EngineChannel {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final SocketChannel channel;
    private final ByteBuffer netIn = ByteBuffer.allocate(1 << 17);
    private final ByteBuffer netOut = ByteBuffer.allocate(1 << 17);
    private final ByteBuffer appIn = ByteBuffer.allocate(1 << 17);

    public EngineChannel(SSLEngine engine, SocketChannel channel) {
        this.engine = engine;
        this.channel = channel;
    }

    public SSLEngine engine() {
        return engine;
    }

    public void handshake() throws IOException {
        engine.beginHandshake();
        HandshakeStatus status = engine.getHandshakeStatus();
        while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
            switch (status) {
                case NEED_WRAP -> status = wrap(EMPTY).getHandshakeStatus();
                case NEED_UNWRAP -> status = unwrap().getHandshakeStatus();
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    status = engine.getHandshakeStatus();
                }
                default -> throw new SSLException("unexpected handshake status " + status);
            }
        }
    }

    public void write(byte[] message) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(message);
        while (data.hasRemaining()) {
            wrap(data);
        }
    }

    public byte[] read() throws IOException {
        while (appIn.position() == 0) {
            unwrap();
        }
        appIn.flip();
        byte[] message = Arrays.copyOf(appIn.array(), appIn.limit());
        appIn.clear();
        return message;
    }

    private SSLEngineResult wrap(ByteBuffer data) throws IOException {
        netOut.clear();
        SSLEngineResult result = engine.wrap(data, netOut);
        netOut.flip();
        while (netOut.hasRemaining()) {
            channel.write(netOut);
        }
        return result;
    }

    /** Unwraps one record, reading from the channel as long as the engine needs more bytes. */
    private SSLEngineResult unwrap() throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult result = engine.unwrap(netIn, appIn);
            netIn.compact();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new EOFException("engine closed");
            }
            if (result.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                return result;
            }
            if (channel.read(netIn) < 0) {
                throw new EOFException("peer closed the connection");
            }
        }
    }
}
