package dev.siptls.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;

/**
 * A TLS listener whose accepted connections have {@code TCP_NODELAY} and are closed with it; everything else
 * is delegated.
 */
final class NoDelaySslServerSocket extends SSLServerSocket {

    private final SSLServerSocket delegate;
    private final AcceptedSockets accepted = new AcceptedSockets();

    NoDelaySslServerSocket(SSLServerSocket delegate) throws IOException {
        this.delegate = delegate;
    }

    @Override
    public Socket accept() throws IOException {
        Socket socket = delegate.accept();
        socket.setTcpNoDelay(true);
        return accepted.add(socket);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
        accepted.closeAll();
    }

    @Override public boolean isClosed() { return delegate.isClosed(); }
    @Override public boolean isBound() { return delegate.isBound(); }
    @Override public void bind(SocketAddress endpoint, int backlog) throws IOException { delegate.bind(endpoint, backlog); }
    @Override public InetAddress getInetAddress() { return delegate.getInetAddress(); }
    @Override public int getLocalPort() { return delegate.getLocalPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return delegate.getLocalSocketAddress(); }
    @Override public void setSoTimeout(int timeout) throws java.net.SocketException { delegate.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws IOException { return delegate.getSoTimeout(); }
    @Override public String[] getEnabledCipherSuites() { return delegate.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { delegate.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedCipherSuites() { return delegate.getSupportedCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return delegate.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return delegate.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { delegate.setEnabledProtocols(protocols); }
    @Override public void setNeedClientAuth(boolean need) { delegate.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return delegate.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { delegate.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return delegate.getWantClientAuth(); }
    @Override public void setUseClientMode(boolean mode) { delegate.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return delegate.getUseClientMode(); }
    @Override public void setEnableSessionCreation(boolean flag) { delegate.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return delegate.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return delegate.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters params) { delegate.setSSLParameters(params); }
    @Override public String toString() { return delegate.toString(); }
}
