package dev.siptls.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A server socket whose accepted connections are SIP-TLS sockets ({@link SipTlsSocket#accepted}): each reads its
 * ClientHello before choosing the TLS 1.3 PSK engine or BCJSSE, so the socket that listens is a plain one, and
 * BCJSSE's own server socket, never bound, only keeps the TLS settings (suites, protocols, client
 * authentication, parameters) that accepted sockets start with, as BCJSSE's would. This object's own (never
 * created) socket is not used.
 */
final class SipTlsServerSocket extends SSLServerSocket {

    private final ServerSocket plain;
    private final SSLServerSocket settings;
    private final SSLSocketFactory bcjsse;
    private final HandshakeObserver observer;

    /**
     * @param plain    the listening socket
     * @param settings BCJSSE's server socket, never bound: it keeps the settings accepted sockets start with
     * @param bcjsse   BCJSSE's socket factory, which layers TLS over each accepted socket
     */
    SipTlsServerSocket(ServerSocket plain, SSLServerSocket settings, SSLSocketFactory bcjsse,
                       HandshakeObserver observer) throws IOException {
        this.plain = plain;
        this.settings = settings;
        this.bcjsse = bcjsse;
        this.observer = observer;
    }

    /** The next connection, as a server-mode SIP-TLS socket with this server socket's settings; no I/O yet. */
    @Override
    public Socket accept() throws IOException {
        Socket accepted = plain.accept();
        try {
            return SipTlsSocket.accepted(accepted, bcjsse, settings, observer);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        plain.bind(endpoint);
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        plain.bind(endpoint, backlog);
    }

    @Override
    public InetAddress getInetAddress() {
        return plain.getInetAddress();
    }

    @Override
    public int getLocalPort() {
        return plain.getLocalPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return plain.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        try {
            plain.close();
        } finally {
            settings.close();
        }
    }

    @Override
    public ServerSocketChannel getChannel() {
        return plain.getChannel();
    }

    @Override
    public boolean isBound() {
        return plain.isBound();
    }

    @Override
    public boolean isClosed() {
        return plain.isClosed();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        plain.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws IOException {
        return plain.getSoTimeout();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        plain.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return plain.getReuseAddress();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        plain.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return plain.getReceiveBufferSize();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        plain.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        plain.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return plain.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return plain.supportedOptions();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return settings.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        settings.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return settings.getSupportedCipherSuites();
    }

    @Override
    public String[] getSupportedProtocols() {
        return settings.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return settings.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        settings.setEnabledProtocols(protocols);
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        settings.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return settings.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        settings.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return settings.getWantClientAuth();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        settings.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return settings.getUseClientMode();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        settings.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return settings.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return settings.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters parameters) {
        settings.setSSLParameters(parameters);
    }

    @Override
    public String toString() {
        return "SipTlsServerSocket[" + plain + "]";
    }
}
