package dev.siptls.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Server sockets whose accepted connections are SIP-TLS sockets ({@link SipTlsServerSocket}), with the SIP-TLS
 * default protocols enabled.
 */
final class SipTlsServerSocketFactory extends SSLServerSocketFactory {

    private final SSLServerSocketFactory bcjsse;
    private final SSLSocketFactory layering;
    private final String[] protocols;
    private final HandshakeObserver observer;

    /** @param layering BCJSSE's socket factory, which layers TLS over accepted sockets */
    SipTlsServerSocketFactory(SSLServerSocketFactory bcjsse, SSLSocketFactory layering, String[] protocols,
                              HandshakeObserver observer) {
        this.bcjsse = bcjsse;
        this.layering = layering;
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
        return configure(new ServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return configure(new ServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return configure(new ServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        return configure(new ServerSocket(port, backlog, address));
    }

    private ServerSocket configure(ServerSocket plain) throws IOException {
        try {
            SSLServerSocket settings = (SSLServerSocket) bcjsse.createServerSocket();
            settings.setEnabledProtocols(protocols);
            return new SipTlsServerSocket(plain, settings, layering, observer);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
