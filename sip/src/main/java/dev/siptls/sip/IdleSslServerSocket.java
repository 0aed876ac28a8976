package dev.siptls.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLServerSocket;

/**
 * The TLS "listener" of an agent. JAIN-SIP needs a listening point, and its address becomes the bind address
 * of outgoing connections, but an agent is reached over the flow it registered on and opens no port:
 * {@link #accept()} waits until the socket is closed and never returns a connection.
 */
final class IdleSslServerSocket extends SSLServerSocket {

    private final InetAddress address;
    private final int port;
    private final CountDownLatch closed = new CountDownLatch(1);
    private String[] suites = new String[0];
    private String[] protocols = new String[0];
    private boolean needClientAuth;
    private boolean wantClientAuth;
    private boolean sessionCreation = true;

    IdleSslServerSocket(InetAddress address, int port) throws IOException {
        this.address = address;
        this.port = port;
    }

    @Override
    public Socket accept() throws IOException {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new SocketException("Socket is closed");
    }

    @Override public void close() { closed.countDown(); }
    @Override public boolean isClosed() { return closed.getCount() == 0; }
    @Override public boolean isBound() { return true; }
    @Override public void bind(SocketAddress endpoint, int backlog) { }
    @Override public InetAddress getInetAddress() { return address; }
    @Override public int getLocalPort() { return port; }
    @Override public SocketAddress getLocalSocketAddress() { return new InetSocketAddress(address, port); }
    @Override public String[] getEnabledCipherSuites() { return suites.clone(); }
    @Override public void setEnabledCipherSuites(String[] suites) { this.suites = suites.clone(); }
    @Override public String[] getSupportedCipherSuites() { return suites.clone(); }
    @Override public String[] getSupportedProtocols() { return protocols.clone(); }
    @Override public String[] getEnabledProtocols() { return protocols.clone(); }
    @Override public void setEnabledProtocols(String[] protocols) { this.protocols = protocols.clone(); }
    @Override public void setNeedClientAuth(boolean need) { this.needClientAuth = need; }
    @Override public boolean getNeedClientAuth() { return needClientAuth; }
    @Override public void setWantClientAuth(boolean want) { this.wantClientAuth = want; }
    @Override public boolean getWantClientAuth() { return wantClientAuth; }
    @Override public void setUseClientMode(boolean mode) { }
    @Override public boolean getUseClientMode() { return false; }
    @Override public void setEnableSessionCreation(boolean flag) { this.sessionCreation = flag; }
    @Override public boolean getEnableSessionCreation() { return sessionCreation; }
    @Override public String toString() { return "IdleSslServerSocket[" + address.getHostAddress() + ":" + port + "]"; }
}
