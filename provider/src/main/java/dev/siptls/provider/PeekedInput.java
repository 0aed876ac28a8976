package dev.siptls.provider;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes a server socket read from its connection to choose a TLS engine ({@link ClientHelloPeek}), as the
 * {@code consumed} stream BCJSSE reads before the connection's own: BCJSSE opens it only when its handshake
 * starts, after the choice, so it sees every byte the client sent, in order.
 */
final class PeekedInput extends InputStream {

    private byte[] bytes = new byte[0];
    private int length;
    private int read;

    /** The bytes read so far, to look at. */
    synchronized ByteBuffer bytes() {
        return ByteBuffer.wrap(bytes, read, length - read).asReadOnlyBuffer();
    }

    synchronized void add(byte[] chunk, int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + n));
        }
        System.arraycopy(chunk, 0, bytes, length, n);
        length += n;
    }

    /** Hands the unread bytes to another reader; this stream is then at its end. */
    synchronized byte[] take() {
        byte[] taken = Arrays.copyOfRange(bytes, read, length);
        read = length;
        return taken;
    }

    @Override
    public synchronized int read() {
        return read < length ? bytes[read++] & 0xFF : -1;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int n) {
        if (n == 0) {
            return 0;
        }
        if (read >= length) {
            return -1;
        }
        int count = Math.min(n, length - read);
        System.arraycopy(bytes, read, buffer, offset, count);
        read += count;
        return count;
    }

    @Override
    public synchronized int available() {
        return length - read;
    }
}
