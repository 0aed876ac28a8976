package dev.siptls.bench.connections;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One load agent on its own connection, driven by what the key server sends: after the mutual-TLS
 * handshake, REGISTER; on its 200, the policy MESSAGE; on that 200 it is registered and from then on only
 * sends CRLF keep-alives, each after a random 80-100% of the interval (RFC 5626 section 4.4.1), counting the
 * key server's CRLF answers. Runs on its channel's event loop.
 */
final class LoadAgent extends SimpleChannelInboundHandler<SipFrame> {

    private enum State { HANDSHAKE, REGISTERING, PUBLISHING, REGISTERED, FAILED }

    private final LoadGenerator generator;
    private final int agent;
    private final long startNanos;
    private State state = State.HANDSHAKE;
    private ScheduledFuture<?> deadline;

    LoadAgent(LoadGenerator generator, int agent, long startNanos) {
        this.generator = generator;
        this.agent = agent;
        this.startNanos = startNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        deadline = ctx.executor().schedule(() -> {
            if (state != State.REGISTERED) {
                fail(ctx, "not registered within " + LoadGenerator.REGISTER_WITHIN.toSeconds() + " s (" + state + ")");
            }
        }, LoadGenerator.REGISTER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done) {
            generator.handshakeDone(ctx.pipeline().get(SslHandler.class).engine());
            if (!done.isSuccess()) {
                fail(ctx, "TLS handshake: " + done.cause());
            } else if (state == State.HANDSHAKE) {
                state = State.REGISTERING;
                send(ctx, SipTemplates.register(generator.aor(agent), generator.user(agent), local(ctx),
                        LoadGenerator.EXPIRES_SECONDS));
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SipFrame frame) throws Exception {
        switch (frame.kind()) {
            case PONG -> generator.pong();
            case REQUEST -> generator.requestReceived();
            case RESPONSE -> onResponse(ctx, frame);
        }
    }

    private void onResponse(ChannelHandlerContext ctx, SipFrame response) throws Exception {
        if (response.status() < 200) {
            return;
        }
        if (state == State.REGISTERING && response.method().equals("REGISTER")) {
            if (response.status() != 200) {
                fail(ctx, "REGISTER answered " + response.status() + " " + response.reason());
                return;
            }
            state = State.PUBLISHING;
            send(ctx, SipTemplates.message(generator.aor(agent), local(ctx),
                    generator.policy(agent, response.challenge())));
        } else if (state == State.PUBLISHING && response.method().equals("MESSAGE")) {
            if (response.status() != 200) {
                fail(ctx, "policy MESSAGE answered " + response.status() + " " + response.reason());
                return;
            }
            state = State.REGISTERED;
            deadline.cancel(false);
            generator.registered(agent, System.nanoTime() - startNanos);
            scheduleKeepAlive(ctx);
        }
    }

    private void scheduleKeepAlive(ChannelHandlerContext ctx) {
        long interval = generator.keepAliveInterval().toNanos();
        long delay = (long) (interval * (0.8 + 0.2 * ThreadLocalRandom.current().nextDouble()));
        ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(SipTemplates.PING));
                generator.ping();
                scheduleKeepAlive(ctx);
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state == State.REGISTERED) {
            generator.dropped(agent);
        } else {
            fail(ctx, "the key server closed the connection (" + state + ")");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.REGISTERED) {
            generator.dropped(agent);
            state = State.FAILED;
            ctx.close();
        } else {
            fail(ctx, String.valueOf(cause));
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (state != State.FAILED) {
            state = State.FAILED;
            if (deadline != null) {
                deadline.cancel(false);
            }
            generator.failed(agent, reason);
        }
        ctx.close();
    }

    private static void send(ChannelHandlerContext ctx, byte[] request) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
    }

    private static InetSocketAddress local(ChannelHandlerContext ctx) {
        return (InetSocketAddress) ctx.channel().localAddress();
    }
}
