package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.provider.system.SipTlsWorld.Terminal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** A registered TLS server terminal, echoing on {@code localhost:port}, and a registered client terminal. */
record EchoPeers(Terminal server, Terminal client, int port, EchoServer echo) implements AutoCloseable {

    /** Both ends of one connection. */
    record Connection(SSLSession client, SSLSession server) {
    }

    static EchoPeers registered(SipTlsWorld world) throws Exception {
        return registered(world, Map.of());
    }

    /** As {@link #registered(SipTlsWorld)}, both terminals configured with {@code config} too. */
    static EchoPeers registered(SipTlsWorld world, Map<String, String> config) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, config);
        Terminal client = world.client(config);
        SipTlsWorld.awaitRegistered(server, client);
        return new EchoPeers(server, client, port, EchoServer.start(server.context(), port));
    }

    /** A new connection from the client's context to the server, one line echoed. */
    Connection connect(String line) throws Exception {
        EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, line);
        return new Connection(exchange.session(), echo.next().handshaken());
    }

    /** As {@link #connect}, checked to be the {@code n}th SIP resumption on each side. */
    Connection resumedViaSip(String line, long n) throws Exception {
        Connection connection = connect(line);
        Evidence.sipResumption(client, connection.client(), server, connection.server(), n);
        return connection;
    }

    /** One line echoed over {@code socket}, the first SIP resumption; the server's session. */
    SSLSession resumedViaSip(SSLSocket socket, String line) throws Exception {
        PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.UTF_8));
        out.println(line);
        assertEquals("echo: " + line, in.readLine());
        SSLSession serverSession = echo.next().handshaken();
        Evidence.sipResumption(client, socket.getSession(), server, serverSession, 1);
        return serverSession;
    }

    @Override
    public void close() throws IOException {
        echo.close();
    }
}
