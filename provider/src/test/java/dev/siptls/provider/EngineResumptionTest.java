package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An SSLEngine pair, driven by plain JSSE engine code over loopback sockets, resumes with an SA. */
@Timeout(60)
class EngineResumptionTest {

    @Test
    void enginesResumeWithTheSharedAssociation() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        SSLContext serverContext = SipTlsContexts.server(serverAgent, serverKeys);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = listener.socket().getLocalPort();
            Associations content = Associations.fresh();
            serverAgent.serving(content.forServerAt(port));
            SSLContext clientContext = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", port, content.forServerAt(port)));

            CompletableFuture<EngineChannel> serverSide = CompletableFuture.supplyAsync(() -> {
                try {
                    SSLEngine engine = serverContext.createSSLEngine();
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
                SSLEngine engine = clientContext.createSSLEngine("localhost", port);
                engine.setUseClientMode(true);
                EngineChannel client = new EngineChannel(engine, socket);
                client.handshake();
                client.write("engines".getBytes(StandardCharsets.UTF_8));
                String answer = new String(client.read(), StandardCharsets.UTF_8);
                EngineChannel server = serverSide.get(20, TimeUnit.SECONDS);

                assertEquals("echo: engines", answer);
                assertArrayEquals(content.sessionId(), client.engine().getSession().getId());
                assertArrayEquals(content.sessionId(), server.engine().getSession().getId());
                assertEquals(0, serverKeys.serverKeyRequests.get());
            }
        }
    }
}
