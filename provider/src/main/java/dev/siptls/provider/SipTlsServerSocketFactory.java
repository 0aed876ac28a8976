package dev.siptls.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;

/**
 * BCJSSE's server socket factory, with the SIP-TLS default protocols enabled on every server socket and the
 * handshakes of accepted sockets watched ({@link SipTlsServerSocket}).
 */
final class SipTlsServerSocketFactory extends SSLServerSocketFactory {

    private final SSLServerSocketFactory bcjsse;
    private final String[] protocols;
    private final HandshakeObserver observer;

    SipTlsServerSocketFactory(SSLServerSocketFactory bcjsse, String[] protocols, HandshakeObserver observer) {
        this.bcjsse = bcjsse;
        this.protocols = protocols.clone();
        this.observer = observer;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return bcjsse.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return bcjsse.getSupportedCipherSuites();
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return configure(bcjsse.createServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return configure(bcjsse.createServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return configure(bcjsse.createServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        return configure(bcjsse.createServerSocket(port, backlog, address));
    }

    private ServerSocket configure(ServerSocket socket) throws IOException {
        SSLServerSocket ssl = (SSLServerSocket) socket;
        ssl.setEnabledProtocols(protocols);
        return new SipTlsServerSocket(ssl, observer);
    }
}
