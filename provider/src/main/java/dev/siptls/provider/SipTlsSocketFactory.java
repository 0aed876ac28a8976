package dev.siptls.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * BCJSSE's socket factory, with the SIP-TLS default protocols enabled on every socket it makes and its
 * handshakes watched by the {@link HandshakeObserver}.
 */
final class SipTlsSocketFactory extends SSLSocketFactory {

    private final SSLSocketFactory bcjsse;
    private final String[] protocols;
    private final HandshakeObserver observer;

    SipTlsSocketFactory(SSLSocketFactory bcjsse, String[] protocols, HandshakeObserver observer) {
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
    public Socket createSocket() throws IOException {
        return configure(bcjsse.createSocket(), null);
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return configure(bcjsse.createSocket(s, host, port, autoClose), host);
    }

    @Override
    public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
        return configure(bcjsse.createSocket(s, consumed, autoClose), null);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return configure(bcjsse.createSocket(host, port), host);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return configure(bcjsse.createSocket(host, port, localHost, localPort), host);
    }

    /**
     * Connects as {@link #createSocket()} then {@code connect}, so that the socket names its peer by the address's
     * host string (no reverse lookup), as SunJSSE does, and can look an SA up; BCJSSE's own leaves it nameless.
     */
    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return createSocket(host, port, null, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket socket = createSocket();
        try {
            if (localAddress != null || localPort != 0) {
                socket.bind(new InetSocketAddress(localAddress, localPort));
            }
            socket.connect(new InetSocketAddress(address, port));
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private Socket configure(Socket socket, String host) {
        SSLSocket ssl = (SSLSocket) socket;
        ssl.setEnabledProtocols(protocols);
        return observer.watch(ssl, host);
    }
}
