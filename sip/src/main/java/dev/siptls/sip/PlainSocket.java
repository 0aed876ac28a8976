package dev.siptls.sip;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection the plain-TCP listener accepted (for conformance tools; nothing security-relevant succeeds
 * on it), with the same queued writes, stall check and unregistered-connection limit as a TLS flow: a peer
 * of that listener that stops reading must not hold up the key server either.
 */
final class PlainSocket extends Socket implements AcceptedSocket {

    private final Socket raw;
    private final AcceptedFlows flows;
    private final InetSocketAddress remote;
    private final OutboundQueue output;
    private final InputStream input;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    private volatile long lastClaimedNanos = System.nanoTime();

    PlainSocket(Socket raw, AcceptedFlows flows) throws IOException {
        this.raw = raw;
        this.flows = flows;
        this.remote = (InetSocketAddress) raw.getRemoteSocketAddress();
        this.output = new OutboundQueue(this, raw.getOutputStream(), flows.writers(), flows.maxQueuedBytes());
        // JAIN-SIP's parser closes the input stream as it closes the connection: that must not cut the output
        this.input = new FilterInputStream(raw.getInputStream()) {
            @Override
            public void close() {
                PlainSocket.this.close();
            }
        };
    }

    @Override public InetSocketAddress remote() { return remote; }
    @Override public void overflowed(int bytes) { flows.slowPeer(this, "over " + bytes + " bytes waiting to be sent"); }
    @Override public boolean isOpenFlow() { return !isClosed(); }
    @Override public boolean writeStalled(long nowNanos, long timeoutNanos) { return output.stalled(nowNanos, timeoutNanos); }
    @Override public void claimed(long nowNanos) { lastClaimedNanos = nowNanos; }
    @Override public long unclaimedNanos(long nowNanos) { return nowNanos - lastClaimedNanos; }

    @Override
    public void abort() {
        if (closed.compareAndSet(false, true)) {
            output.discard();
            try {
                raw.close();
            } catch (IOException e) {
                // closed anyway
            }
            flows.closed(this);
        }
    }

    @Override public OutputStream getOutputStream() { return output; }
    @Override public InputStream getInputStream() throws IOException { return input; }
    /** JAIN-SIP's close, which may follow its last answer at once: that answer still goes out first. */
    @Override public void close() {
        closing = true;
        output.closeWhenDrained();
    }
    @Override public boolean isClosed() { return closing || closed.get() || raw.isClosed(); }
    @Override public boolean isConnected() { return raw.isConnected(); }
    @Override public boolean isBound() { return raw.isBound(); }
    @Override public boolean isInputShutdown() { return raw.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return raw.isOutputShutdown(); }
    @Override public void shutdownInput() { abort(); }
    @Override public void shutdownOutput() { abort(); }
    @Override public SocketChannel getChannel() { return null; }
    @Override public InetAddress getInetAddress() { return raw.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return raw.getLocalAddress(); }
    @Override public int getPort() { return raw.getPort(); }
    @Override public int getLocalPort() { return raw.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return raw.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return raw.getLocalSocketAddress(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { raw.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return raw.getTcpNoDelay(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { raw.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return raw.getSoTimeout(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { raw.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return raw.getKeepAlive(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { raw.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return raw.getSoLinger(); }
    @Override public void connect(SocketAddress endpoint, int timeout) throws IOException {
        throw new SocketException("an accepted connection is connected already");
    }
    @Override public void bind(SocketAddress bindpoint) throws IOException {
        throw new SocketException("an accepted connection is bound already");
    }

    @Override
    public String toString() {
        return "PlainSocket[" + remote.getAddress().getHostAddress() + ":" + remote.getPort() + "]";
    }
}
