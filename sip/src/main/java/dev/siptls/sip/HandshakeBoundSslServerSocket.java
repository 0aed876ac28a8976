package dev.siptls.sip;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The listener of a link between key servers (JAIN-SIP's blocking TLS transport, which starts a reader thread
 * per accepted connection and does the handshake on it). Anyone who reaches the port could hold those threads
 * without a certificate, so each accepted connection reads with the handshake timeout until its handshake
 * completes (then 0, JAIN-SIP's own setting), and at most {@link #MAX_HANDSHAKING} connections may be in their
 * handshake at once: beyond, a new one is closed at once. The timeout is enforced by the reader thread itself,
 * not by JAIN-SIP's handshake watchdog on the stack's timer. Also sets {@code TCP_NODELAY}, which JAIN-SIP never
 * does. Everything else is the wrapped listener's.
 */
final class HandshakeBoundSslServerSocket extends SSLServerSocket {

    /** Connections in their TLS handshake one link listener holds at once (a cluster has a handful of nodes). */
    static final int MAX_HANDSHAKING = 64;

    private static final System.Logger LOG = System.getLogger(HandshakeBoundSslServerSocket.class.getName());

    private final SSLServerSocket listener;
    private final int handshakeMillis;
    private final Set<SSLSocket> handshaking = ConcurrentHashMap.newKeySet();

    HandshakeBoundSslServerSocket(SSLServerSocket listener, int handshakeMillis) throws IOException {
        this.listener = listener;
        this.handshakeMillis = handshakeMillis;
    }

    @Override
    public Socket accept() throws IOException {
        while (true) {
            SSLSocket socket = (SSLSocket) listener.accept();
            // JAIN-SIP closes a connection whose handshake failed; one that completed left in the listener.
            handshaking.removeIf(Socket::isClosed);
            if (handshaking.size() >= MAX_HANDSHAKING) {
                LOG.log(Level.DEBUG, "{0} connections in their TLS handshake on the node links; closing another",
                        MAX_HANDSHAKING);
                socket.close();
                continue;
            }
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(handshakeMillis);
                handshaking.add(socket);
                socket.addHandshakeCompletedListener(new Completed());
                return socket;
            } catch (IOException e) {
                handshaking.remove(socket);
                socket.close();
            }
        }
    }

    /**
     * Clears the read timeout once the handshake completed. JSSE calls this on a thread of its own, so the first
     * read after the handshake may still run with the timeout; a dialling node sends its request right after its
     * handshake, so that read does not wait.
     */
    private final class Completed implements HandshakeCompletedListener {
        @Override
        public void handshakeCompleted(HandshakeCompletedEvent event) {
            SSLSocket socket = event.getSocket();
            socket.removeHandshakeCompletedListener(this);
            try {
                socket.setSoTimeout(0);
            } catch (SocketException e) {
                // closed meanwhile
            }
            handshaking.remove(socket);
        }
    }

    /** Closes the listener and the connections still in their handshake, which JAIN-SIP's stop() does not know. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (SSLSocket socket : handshaking) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        handshaking.clear();
    }

    @Override public boolean isClosed() { return listener.isClosed(); }
    @Override public boolean isBound() { return listener.isBound(); }
    @Override public void bind(SocketAddress endpoint, int backlog) throws IOException { listener.bind(endpoint, backlog); }
    @Override public InetAddress getInetAddress() { return listener.getInetAddress(); }
    @Override public int getLocalPort() { return listener.getLocalPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return listener.getLocalSocketAddress(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { listener.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws IOException { return listener.getSoTimeout(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { listener.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return listener.getReuseAddress(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { listener.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return listener.getReceiveBufferSize(); }
    @Override public String[] getEnabledCipherSuites() { return listener.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { listener.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedCipherSuites() { return listener.getSupportedCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return listener.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return listener.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { listener.setEnabledProtocols(protocols); }
    @Override public void setNeedClientAuth(boolean need) { listener.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return listener.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { listener.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return listener.getWantClientAuth(); }
    @Override public void setUseClientMode(boolean mode) { listener.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return listener.getUseClientMode(); }
    @Override public void setEnableSessionCreation(boolean flag) { listener.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return listener.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return listener.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters params) { listener.setSSLParameters(params); }
    @Override public String toString() { return "HandshakeBound" + listener; }
}
