package dev.siptls.provider.system;

import dev.siptls.provider.EngineChannel;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** An SSLEngine pair, driven by textbook JSSE engine code over loopback sockets, resumes with the SA. */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class EngineResumptionSystemTest {

    @Test
    void enginesResumeWithTheDistributedAssociation(SipTlsWorld world) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = listener.socket().getLocalPort();
            Terminal server = world.server(port, Map.of());
            Terminal client = world.client(Map.of());
            SipTlsWorld.awaitRegistered(server, client);

            CompletableFuture<EngineChannel> serverSide = CompletableFuture.supplyAsync(() -> {
                try {
                    SSLEngine engine = server.context().createSSLEngine();
                    engine.setUseClientMode(false);
                    EngineChannel channel = new EngineChannel(engine, listener.accept());
                    channel.handshake();
                    byte[] question = channel.read();
                    channel.write(("echo: " + new String(question, StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8));
                    return channel;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SocketChannel socket = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    port))) {
                SSLEngine engine = client.context().createSSLEngine("localhost", port);
                engine.setUseClientMode(true);
                EngineChannel channel = new EngineChannel(engine, socket);
                channel.handshake();
                channel.write("engines".getBytes(StandardCharsets.UTF_8));
                String answer = new String(channel.read(), StandardCharsets.UTF_8);
                EngineChannel serverChannel = serverSide.get(20, TimeUnit.SECONDS);

                assertEquals("echo: engines", answer);
                Evidence.sipResumption(client, engine.getSession(), server, serverChannel.engine().getSession(), 1);
            }
        }
    }
}
