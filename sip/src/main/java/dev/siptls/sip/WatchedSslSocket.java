package dev.siptls.sip;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.util.function.BiConsumer;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A TLS connection an agent dialled, as JAIN-SIP uses it, that reports a TLS error met while reading from it.
 * In TLS 1.3 the client's handshake is over before the server has checked the client's certificate, so a key
 * server's refusal (a {@code bad_certificate} alert) arrives on the first read, in JAIN-SIP's reader thread,
 * which just closes the connection: without this the agent would only see its REGISTER go unanswered.
 */
final class WatchedSslSocket extends SSLSocket {

    private final SSLSocket tls;
    private final InputStream input;

    WatchedSslSocket(SSLSocket tls, BiConsumer<InetSocketAddress, SSLException> readFailed) throws IOException {
        this.tls = tls;
        InetSocketAddress peer = (InetSocketAddress) tls.getRemoteSocketAddress();
        this.input = new FilterInputStream(tls.getInputStream()) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (SSLException e) {
                    readFailed.accept(peer, e);
                    throw e;
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (SSLException e) {
                    readFailed.accept(peer, e);
                    throw e;
                }
            }
        };
    }

    @Override public InputStream getInputStream() { return input; }
    @Override public OutputStream getOutputStream() throws IOException { return tls.getOutputStream(); }
    @Override public String[] getSupportedCipherSuites() { return tls.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return tls.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { tls.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedProtocols() { return tls.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return tls.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { tls.setEnabledProtocols(protocols); }
    @Override public SSLSession getSession() { return tls.getSession(); }
    @Override public SSLSession getHandshakeSession() { return tls.getHandshakeSession(); }
    @Override public void addHandshakeCompletedListener(HandshakeCompletedListener l) {
        tls.addHandshakeCompletedListener(l);
    }
    @Override public void removeHandshakeCompletedListener(HandshakeCompletedListener l) {
        tls.removeHandshakeCompletedListener(l);
    }
    @Override public void startHandshake() throws IOException { tls.startHandshake(); }
    @Override public void setUseClientMode(boolean mode) { tls.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return tls.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { tls.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return tls.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { tls.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return tls.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { tls.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return tls.getEnableSessionCreation(); }
    @Override public javax.net.ssl.SSLParameters getSSLParameters() { return tls.getSSLParameters(); }
    @Override public void setSSLParameters(javax.net.ssl.SSLParameters p) { tls.setSSLParameters(p); }
    @Override public String getApplicationProtocol() { return tls.getApplicationProtocol(); }
    @Override public String getHandshakeApplicationProtocol() { return tls.getHandshakeApplicationProtocol(); }

    @Override public void close() throws IOException { tls.close(); }
    @Override public boolean isClosed() { return tls.isClosed(); }
    @Override public boolean isConnected() { return tls.isConnected(); }
    @Override public boolean isBound() { return tls.isBound(); }
    @Override public boolean isInputShutdown() { return tls.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return tls.isOutputShutdown(); }
    @Override public void shutdownInput() throws IOException { tls.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { tls.shutdownOutput(); }
    @Override public SocketChannel getChannel() { return tls.getChannel(); }
    @Override public InetAddress getInetAddress() { return tls.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return tls.getLocalAddress(); }
    @Override public int getPort() { return tls.getPort(); }
    @Override public int getLocalPort() { return tls.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return tls.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return tls.getLocalSocketAddress(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { tls.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return tls.getTcpNoDelay(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { tls.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return tls.getSoTimeout(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { tls.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return tls.getKeepAlive(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { tls.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return tls.getSoLinger(); }
    @Override public void connect(SocketAddress endpoint, int timeout) throws IOException {
        throw new SocketException("a dialled connection is connected already");
    }
    @Override public void bind(SocketAddress bindpoint) throws IOException {
        throw new SocketException("a dialled connection is bound already");
    }

    @Override
    public String toString() {
        return tls.toString();
    }
}
