package dev.siptls.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS listener of a key server: accepts TCP connections, layers server-mode TLS over each with the
 * parameters the stack set on the listener, and hands the stack a {@link FlowSocket}. Layering keeps the raw
 * socket in hand (to close a stalled connection at once) and puts every write behind a bounded queue.
 */
final class TlsListener extends SSLServerSocket {

    private final ServerSocket tcp;
    private final SSLSocketFactory layers;
    private final AcceptedFlows flows;
    private final SSLParameters parameters;

    TlsListener(SSLContext context, int port, int backlog, InetAddress address, AcceptedFlows flows)
            throws IOException {
        this.tcp = new ServerSocket(port, backlog, address);
        this.layers = context.getSocketFactory();
        this.flows = flows;
        this.parameters = context.getDefaultSSLParameters();
    }

    @Override
    public Socket accept() throws IOException {
        Socket raw = tcp.accept();
        while (flows.quarantined((java.net.InetSocketAddress) raw.getRemoteSocketAddress())) {
            raw.close();
            raw = tcp.accept();
        }
        try {
            raw.setTcpNoDelay(true);
            SSLSocket tls = (SSLSocket) layers.createSocket(raw, null, true);
            tls.setUseClientMode(false);
            tls.setSSLParameters(getSSLParameters());
            return flows.accepted(new FlowSocket(tls, raw, flows));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        flows.closeAll();
    }

    @Override public boolean isClosed() { return tcp.isClosed(); }
    @Override public boolean isBound() { return tcp.isBound(); }
    @Override public void bind(SocketAddress endpoint, int backlog) throws IOException { tcp.bind(endpoint, backlog); }
    @Override public InetAddress getInetAddress() { return tcp.getInetAddress(); }
    @Override public int getLocalPort() { return tcp.getLocalPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return tcp.getLocalSocketAddress(); }
    @Override public void setSoTimeout(int timeout) throws java.net.SocketException { tcp.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws IOException { return tcp.getSoTimeout(); }

    @Override public synchronized String[] getEnabledCipherSuites() { return parameters.getCipherSuites(); }
    @Override public synchronized void setEnabledCipherSuites(String[] suites) { parameters.setCipherSuites(suites); }
    @Override public String[] getSupportedCipherSuites() { return layers.getSupportedCipherSuites(); }
    @Override public synchronized String[] getSupportedProtocols() { return parameters.getProtocols(); }
    @Override public synchronized String[] getEnabledProtocols() { return parameters.getProtocols(); }
    @Override public synchronized void setEnabledProtocols(String[] protocols) { parameters.setProtocols(protocols); }
    @Override public synchronized void setNeedClientAuth(boolean need) { parameters.setNeedClientAuth(need); }
    @Override public synchronized boolean getNeedClientAuth() { return parameters.getNeedClientAuth(); }
    @Override public synchronized void setWantClientAuth(boolean want) { parameters.setWantClientAuth(want); }
    @Override public synchronized boolean getWantClientAuth() { return parameters.getWantClientAuth(); }
    @Override public void setUseClientMode(boolean mode) {
        if (mode) {
            throw new IllegalArgumentException("a TLS listener accepts in server mode only");
        }
    }
    @Override public boolean getUseClientMode() { return false; }
    @Override public void setEnableSessionCreation(boolean flag) { }
    @Override public boolean getEnableSessionCreation() { return true; }
    @Override public synchronized SSLParameters getSSLParameters() { return copy(parameters); }
    @Override public synchronized void setSSLParameters(SSLParameters params) {
        parameters.setCipherSuites(params.getCipherSuites());
        parameters.setProtocols(params.getProtocols());
        if (params.getNeedClientAuth()) {
            parameters.setNeedClientAuth(true);
        } else {
            parameters.setWantClientAuth(params.getWantClientAuth());
        }
    }
    @Override public String toString() { return "TlsListener[" + tcp.getLocalSocketAddress() + "]"; }

    private static SSLParameters copy(SSLParameters p) {
        SSLParameters c = new SSLParameters(p.getCipherSuites(), p.getProtocols());
        if (p.getNeedClientAuth()) {
            c.setNeedClientAuth(true);
        } else {
            c.setWantClientAuth(p.getWantClientAuth());
        }
        return c;
    }
}
