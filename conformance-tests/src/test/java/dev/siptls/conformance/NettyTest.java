package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's {@link SslHandler} on both sides, each over a {@link JdkSslContext} wrapping a SIP-TLS
 * {@code SSLContext} (Netty's own {@code SslContextBuilder} asks a provider for "TLS", which SIP-TLS does not
 * register), with Netty's default cipher suites and protocols: an echo over TLS resumes via SIP.
 */
@Timeout(120)
class NettyTest {

    @TempDir
    static Path dir;
    private static SipTlsPeers peers;
    private static EventLoopGroup group;
    private static Channel server;
    /** The server side's session of the latest accepted connection. */
    private static volatile CompletableFuture<SSLSession> serverSession = new CompletableFuture<>();

    @BeforeAll
    static void start() throws Exception {
        peers = SipTlsPeers.start(dir);
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        SslContext tls = netty(peers.server, false);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new Echo());
                    }
                }).bind("127.0.0.1", peers.port).sync().channel();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.close().sync();
            }
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        } finally {
            peers.close();
        }
    }

    @Test
    void nettyClientAndServerResumeViaSipWithNettysDefaultSuites() throws Exception {
        SipTlsPeers.Client client = peers.client("sip:netty@example.com");
        SipTlsPeers.Before before = peers.before(client);
        serverSession = new CompletableFuture<>();
        CompletableFuture<String> answer = new CompletableFuture<>();
        SslContext tls = netty(client.context(), true);

        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // host and port: what a SIP-TLS client engine looks its SA up by
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", peers.port),
                                new SimpleChannelInboundHandler<ByteBuf>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                        answer.complete(msg.toString(StandardCharsets.UTF_8));
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        answer.completeExceptionally(cause);
                                    }
                                });
                    }
                }).connect("localhost", peers.port).sync().channel();
        try {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            ssl.handshakeFuture().get(30, TimeUnit.SECONDS);
            channel.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8)).sync();

            assertEquals("ping", answer.get(30, TimeUnit.SECONDS));
            before.assertResumedViaSip(ssl.engine().getSession(), serverSession.get(30, TimeUnit.SECONDS));
        } finally {
            channel.close().sync();
        }
    }

    /** Netty's way to use an {@code SSLContext} it did not build: its default suites, protocols, no ALPN. */
    private static SslContext netty(SSLContext context, boolean client) {
        return new JdkSslContext(context, client, null, IdentityCipherSuiteFilter.INSTANCE,
                ApplicationProtocolConfig.DISABLED, ClientAuth.NONE, null, false);
    }

    /** Echoes what it reads, and hands the server session over once the handshake is done. */
    private static final class Echo extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            ctx.writeAndFlush(msg.retain());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    serverSession.complete(ctx.pipeline().get(SslHandler.class).engine().getSession());
                } else {
                    serverSession.completeExceptionally(done.cause());
                }
            }
            ctx.fireUserEventTriggered(event);
        }
    }
}
