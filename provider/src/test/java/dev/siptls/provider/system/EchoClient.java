package dev.siptls.provider.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** Plain JSSE client code: connect, handshake, send a line, read the answer. */
final class EchoClient {

    private EchoClient() {
    }

    static Exchange exchange(SSLContext context, String host, int port, String line) throws IOException {
        return exchange(context, host, port, line, s -> { });
    }

    static Exchange exchange(SSLContext context, String host, int port, String line, Consumer<SSLSocket> configure)
            throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
            socket.setSoTimeout(20_000);
            socket.setTcpNoDelay(true);
            configure.accept(socket);
            socket.startHandshake();
            new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8).println(line);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            return new Exchange(socket.getSession(), in.readLine());
        }
    }

    /** The client's session and the server's answer. */
    record Exchange(SSLSession session, String answer) {
    }
}
