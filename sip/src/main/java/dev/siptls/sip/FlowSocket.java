package dev.siptls.sip;

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
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * An accepted TLS connection as JAIN-SIP gets it: the server-mode {@code SSLSocket} layered over the raw TCP
 * socket, with the stack's writes queued ({@link OutboundQueue}) and its handshake's failure reported. Holding the raw socket lets the endpoint close a connection at once,
 * even while a write to a peer that does not read is blocked inside TLS.
 */
final class FlowSocket extends SSLSocket implements AcceptedSocket {

    private final SSLSocket tls;
    private final Socket raw;
    private final AcceptedFlows flows;
    private final InetSocketAddress remote;
    private final OutboundQueue output;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** When a registration last held this connection (or when it was accepted). */
    private volatile long lastClaimedNanos = System.nanoTime();

    FlowSocket(SSLSocket tls, Socket raw, AcceptedFlows flows) throws IOException {
        this.tls = tls;
        this.raw = raw;
        this.flows = flows;
        this.remote = (InetSocketAddress) raw.getRemoteSocketAddress();
        this.output = new OutboundQueue(this, tls.getOutputStream(), flows.writers(), flows.maxQueuedBytes());
    }

    @Override public InetSocketAddress remote() { return remote; }

    @Override
    public void claimed(long nowNanos) {
        lastClaimedNanos = nowNanos;
    }

    @Override
    public long unclaimedNanos(long nowNanos) {
        return nowNanos - lastClaimedNanos;
    }

    @Override
    public boolean isOpenFlow() {
        return !closed.get() && !raw.isClosed();
    }

    @Override
    public boolean writeStalled(long nowNanos, long timeoutNanos) {
        return output.stalled(nowNanos, timeoutNanos);
    }

    /** The peer let more than the queue's bound pile up. */
    @Override
    public void overflowed(int bytes) {
        flows.slowPeer(this, "over " + bytes + " bytes waiting to be sent");
    }

    /** Closes the TCP connection under TLS at once: nothing may wait on a peer that does not read. */
    @Override
    public void abort() {
        if (closed.compareAndSet(false, true)) {
            output.discard();
            try {
                raw.close();
            } catch (IOException e) {
                // closed anyway
            }
            try {
                tls.close();
            } catch (IOException e) {
                // the raw socket is closed: TLS cannot say goodbye
            }
            flows.closed(this);
        }
    }

    @Override
    public void startHandshake() throws IOException {
        try {
            tls.startHandshake();
        } catch (IOException e) {
            flows.handshakeFailed(this, e);
            throw e;
        }
    }

    @Override public OutputStream getOutputStream() throws IOException { return output; }
    @Override public InputStream getInputStream() throws IOException { return tls.getInputStream(); }
    @Override public void close() { abort(); }
    @Override public boolean isClosed() { return closed.get() || raw.isClosed(); }
    @Override public boolean isConnected() { return raw.isConnected(); }
    @Override public boolean isBound() { return raw.isBound(); }
    @Override public boolean isInputShutdown() { return raw.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return raw.isOutputShutdown(); }
    @Override public void shutdownInput() throws IOException { abort(); }
    @Override public void shutdownOutput() throws IOException { abort(); }
    @Override public SocketChannel getChannel() { return null; }
    @Override public InetAddress getInetAddress() { return raw.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return raw.getLocalAddress(); }
    @Override public int getPort() { return raw.getPort(); }
    @Override public int getLocalPort() { return raw.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return raw.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return raw.getLocalSocketAddress(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { raw.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return raw.getTcpNoDelay(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { tls.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return tls.getSoTimeout(); }
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

    @Override public String[] getSupportedCipherSuites() { return tls.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return tls.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { tls.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedProtocols() { return tls.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return tls.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { tls.setEnabledProtocols(protocols); }
    @Override public SSLSession getSession() { return tls.getSession(); }
    @Override public SSLSession getHandshakeSession() { return tls.getHandshakeSession(); }
    @Override public void addHandshakeCompletedListener(HandshakeCompletedListener l) { tls.addHandshakeCompletedListener(l); }
    @Override public void removeHandshakeCompletedListener(HandshakeCompletedListener l) { tls.removeHandshakeCompletedListener(l); }
    @Override public void setUseClientMode(boolean mode) { tls.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return tls.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { tls.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return tls.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { tls.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return tls.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { tls.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return tls.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return tls.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters params) { tls.setSSLParameters(params); }
    @Override public String getApplicationProtocol() { return tls.getApplicationProtocol(); }
    @Override public String getHandshakeApplicationProtocol() { return tls.getHandshakeApplicationProtocol(); }

    @Override
    public String toString() {
        return "FlowSocket[" + remote.getAddress().getHostAddress() + ":" + remote.getPort() + "]";
    }
}
