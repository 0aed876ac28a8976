package dev.siptls.bench.connections;

import dev.siptls.bench.memory.BenchAgents;
import dev.siptls.protocol.PossessionProof;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.protocol.XmlCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * The connections bench's load generator, not the product: many agents, each on its own mutual-TLS
 * connection with a certificate of its own, speaking phase 1 from templates over Netty's non-blocking
 * transport on one or two threads, so that the load costs the key server connections, not the generator
 * threads. A bounded number of agents register at once; each then idles with keep-alives.
 */
final class LoadGenerator implements AutoCloseable {

    /** Registrations are asked for an hour (the key server's maximum): none expires while the bench runs. */
    static final int EXPIRES_SECONDS = 3600;
    /** How long one agent may take from connect to its policy's 200 before it counts as failed. */
    static final Duration REGISTER_WITHIN = Duration.ofSeconds(30);
    /** A ramp with agents in flight and none finishing for this long has stalled. */
    private static final Duration STALL = Duration.ofSeconds(60);

    static {
        // Netty would otherwise log through the log4j 1.x API that JAIN-SIP brings, unconfigured here.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }

    private final BenchAgents pki;
    private final AgentCertificates certificates;
    private final AgentKeyManager keys;
    private final SSLContext tls;
    private final InetSocketAddress keyServer;
    private final int tlsServers;
    private final Duration keepAliveInterval;
    private final EventLoopGroup loop;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final XmlCodec codec = new XmlCodec();
    private final byte[] clientPolicy;
    private final LongAdder pings = new LongAdder();
    private final LongAdder pongs = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder registerNanos = new LongAdder();
    private final AtomicInteger registered = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private volatile Semaphore slots = new Semaphore(Integer.MAX_VALUE);
    private volatile boolean closing;

    /** What one ramp did. */
    record Ramp(int started, int registered, int failed, double seconds, String stopReason, double meanRegisterMillis) {
        static final Ramp NONE = new Ramp(0, 0, 0, 0, null, Double.NaN);

        double perSecond() {
            return registered / seconds;
        }

        /** This ramp followed by {@code next}: counts and times added, {@code next}'s stop reason. */
        Ramp then(Ramp next) {
            int ok = registered + next.registered;
            double mean = ok == 0 ? Double.NaN : ((registered == 0 ? 0 : meanRegisterMillis * registered)
                    + (next.registered == 0 ? 0 : next.meanRegisterMillis * next.registered)) / ok;
            return new Ramp(started + next.started, ok, failed + next.failed, seconds + next.seconds,
                    next.stopReason, mean);
        }
    }

    /** Asked between connections: a reason to stop the ramp, or null to go on. */
    @FunctionalInterface
    interface StopCheck {
        String reason() throws Exception;
    }

    /**
     * @param tlsServers how many of the agents (the first ones) publish a TLS server's policy (a binding and a
     *     chain whose key they prove); the others a client's
     * @param ioThreads the event loop's threads (1 or 2)
     */
    LoadGenerator(BenchAgents pki, AgentCertificates certificates, InetSocketAddress keyServer, int tlsServers,
            Duration keepAliveInterval, int ioThreads) throws GeneralSecurityException {
        this.pki = pki;
        this.certificates = certificates;
        this.keys = new AgentKeyManager(certificates);
        this.keyServer = keyServer;
        this.tlsServers = tlsServers;
        this.keepAliveInterval = keepAliveInterval;
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(pki.ca().trustStore());
        this.tls = SSLContext.getInstance("TLS", "SunJSSE");
        tls.init(new KeyManager[] {keys}, trust.getTrustManagers(), null);
        tls.getClientSessionContext().setSessionCacheSize(1); // each agent connects once: nothing to resume
        this.clientPolicy = codec.encode(pki.clientPolicy());
        this.loop = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
    }

    /**
     * Starts agents {@code from} to {@code to - 1}, at most {@code inFlight} between connect and registered at
     * once, until all have finished or a stop reason comes up (a failed agent, {@code stop}, a stall); waits for
     * those in flight either way.
     */
    Ramp ramp(int from, int to, int inFlight, StopCheck stop, Duration checkEvery) throws Exception {
        Semaphore ramp = new Semaphore(inFlight);
        slots = ramp;
        int registeredBefore = registered.get();
        int failedBefore = failed.get();
        long nanosBefore = registerNanos.sum();
        long start = System.nanoTime();
        long nextCheck = start;
        long lastProgress = start;
        int lastDone = 0;
        String reason = null;
        int started = 0;
        for (int agent = from; agent < to && reason == null; ) {
            if (System.nanoTime() >= nextCheck) {
                reason = failed.get() > failedBefore ? "an agent failed: " + firstFailure.get() : stop.reason();
                nextCheck = System.nanoTime() + checkEvery.toNanos();
                int done = registered.get() + failed.get();
                if (done != lastDone) {
                    lastDone = done;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    reason = "no agent finished registering for " + STALL.toSeconds() + " s";
                }
                continue;
            }
            if (ramp.tryAcquire(checkEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                connect(agent++);
                started++;
            }
        }
        if (!ramp.tryAcquire(inFlight, REGISTER_WITHIN.toSeconds() + 10, TimeUnit.SECONDS)) {
            reason = (reason == null ? "" : reason + "; ") + "agents still unregistered at the end";
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int ok = registered.get() - registeredBefore;
        if (reason == null && failed.get() > failedBefore) {
            reason = "an agent failed: " + firstFailure.get();
        }
        return new Ramp(started, ok, failed.get() - failedBefore, seconds, reason,
                ok == 0 ? Double.NaN : (registerNanos.sum() - nanosBefore) / 1e6 / ok);
    }

    private void connect(int agent) {
        long start = System.nanoTime();
        ChannelFuture connecting = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) REGISTER_WITHIN.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // A peer name of its own (no dot: no SNI is sent), so that no agent resumes another's
                        // session from the shared cache and turns up at the key server with its certificate.
                        SSLEngine engine = tls.createSSLEngine(user(agent), keyServer.getPort());
                        engine.setUseClientMode(true);
                        keys.assign(engine, agent);
                        SslHandler ssl = new SslHandler(engine);
                        ssl.setHandshakeTimeoutMillis(REGISTER_WITHIN.toMillis());
                        channel.pipeline().addLast(ssl, new SipFrameDecoder(), new LoadAgent(LoadGenerator.this,
                                agent, start));
                    }
                })
                .connect(keyServer);
        channels.add(connecting.channel());
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                failed(agent, "connect: " + f.cause());
            }
        });
    }

    String user(int agent) {
        return "load" + agent;
    }

    String aor(int agent) {
        return BenchAgents.aor(user(agent));
    }

    Duration keepAliveInterval() {
        return keepAliveInterval;
    }

    /**
     * What agent {@code agent} publishes: a client's policy, or for the first {@code tlsServers} a TLS server's
     * serving {@code load<n>.example.com:443}, its chain's key proved over the REGISTER's nonce.
     */
    byte[] policy(int agent, String challenge) throws GeneralSecurityException {
        if (agent >= tlsServers) {
            return clientPolicy;
        }
        byte[] nonce = PossessionProof.challenge(challenge)
                .orElseThrow(() -> new GeneralSecurityException("REGISTER 200 without a valid nonce"));
        SecurityPolicy policy = pki.serverPolicy(user(agent));
        byte[] signature = PossessionProof.sign(pki.webServerKey(),
                PossessionProof.signedBytes(aor(agent), nonce, policy.certificateChain()));
        return codec.encode(policy.withPossession(signature));
    }

    void handshakeDone(SSLEngine engine) {
        keys.forget(engine);
    }

    void registered(int agent, long nanos) {
        registerNanos.add(nanos);
        registered.incrementAndGet();
        slots.release();
    }

    void failed(int agent, String reason) {
        if (closing) {
            return;
        }
        firstFailure.compareAndSet(null, "load agent " + agent + ": " + reason);
        failed.incrementAndGet();
        slots.release();
    }

    void dropped(int agent) {
        if (!closing) {
            firstFailure.compareAndSet(null, "load agent " + agent + ": connection lost after registering");
            dropped.incrementAndGet();
        }
    }

    void ping() {
        pings.increment();
    }

    void pong() {
        pongs.increment();
    }

    void requestReceived() {
        requests.increment();
    }

    /** Keep-alive counts so far: pings sent, pongs received, registered connections lost, requests received. */
    record Traffic(long pings, long pongs, int dropped, long requests) {
        Traffic since(Traffic earlier) {
            return new Traffic(pings - earlier.pings, pongs - earlier.pongs, dropped - earlier.dropped,
                    requests - earlier.requests);
        }
    }

    Traffic traffic() {
        return new Traffic(pings.sum(), pongs.sum(), dropped.get(), requests.sum());
    }

    int registeredCount() {
        return registered.get();
    }

    Supplier<String> firstFailure() {
        return firstFailure::get;
    }

    int eventLoopThreads() {
        return ((MultiThreadIoEventLoopGroup) loop).executorCount();
    }

    /** Closes every connection and stops the event loop. */
    @Override
    public void close() {
        closing = true;
        channels.close().awaitUninterruptibly(30, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
    }
}
