package dev.siptls.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;

/** BCJSSE's server socket factory, with the SIP-TLS default protocols enabled on every server socket. */
final class SipTlsServerSocketFactory extends SSLServerSocketFactory {

    private final SSLServerSocketFactory bcjsse;
    private final String[] protocols;

    SipTlsServerSocketFactory(SSLServerSocketFactory bcjsse, String[] protocols) {
        this.bcjsse = bcjsse;
        this.protocols = protocols.clone();
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

    private ServerSocket configure(ServerSocket socket) {
        ((SSLServerSocket) socket).setEnabledProtocols(protocols);
        return socket;
    }
}
