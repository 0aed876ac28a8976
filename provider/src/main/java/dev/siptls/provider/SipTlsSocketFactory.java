package dev.siptls.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * SIP-TLS sockets ({@link SipTlsSocket}): TLS over plain sockets, with the SIP-TLS default protocols enabled.
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
        return SipTlsSocket.unconnected(bcjsse, protocols, observer);
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return SipTlsSocket.client(s, host, port, autoClose, bcjsse, protocols, observer);
    }

    @Override
    public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
        return SipTlsSocket.server(s, consumed, autoClose, bcjsse, protocols, observer);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return layered(new Socket(host, port), host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return layered(new Socket(host, port, localHost, localPort), host, port);
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

    private Socket layered(Socket plain, String host, int port) throws IOException {
        try {
            return SipTlsSocket.client(plain, host, port, true, bcjsse, protocols, observer);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
