package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.provider.EngineChannel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * One connection between a server engine and a client engine, each driven by plain JSSE engine code over loopback:
 * the handshake, then one message the server echoes.
 */
final class EngineConnection {

    /** Both ends' sessions. */
    record Sessions(SSLSession client, SSLSession server) {
    }

    private EngineConnection() {
    }

    /**
     * Accepts one connection on {@code listener} with an engine of {@code serverContext}, connects to it from an
     * engine of {@code clientContext} made for {@code localhost:port}, each configured before its handshake.
     */
    static Sessions run(ServerSocketChannel listener, SSLContext serverContext, Consumer<SSLEngine> configureServer,
                        SSLContext clientContext, int port, Consumer<SSLEngine> configureClient) throws Exception {
        CompletableFuture<SSLSession> serverSide = CompletableFuture.supplyAsync(() -> {
            try (SocketChannel accepted = listener.accept()) {
                SSLEngine engine = serverContext.createSSLEngine();
                engine.setUseClientMode(false);
                configureServer.accept(engine);
                EngineChannel channel = new EngineChannel(engine, accepted);
                channel.handshake();
                channel.write(channel.read());
                return engine.getSession();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (SocketChannel tcp = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            SSLEngine engine = clientContext.createSSLEngine("localhost", port);
            engine.setUseClientMode(true);
            configureClient.accept(engine);
            EngineChannel channel = new EngineChannel(engine, tcp);
            channel.handshake();
            channel.write("ping".getBytes(StandardCharsets.UTF_8));
            assertEquals("ping", new String(channel.read(), StandardCharsets.UTF_8));
            return new Sessions(engine.getSession(), serverSide.get(20, TimeUnit.SECONDS));
        }
    }
}
