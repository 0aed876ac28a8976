package dev.siptls.sip;

import gov.nist.core.HostPort;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.ClientAuthType;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageProcessor;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The TLS listening point of a listening endpoint (a key server), non-blocking: one acceptor thread, a fixed
 * number of {@link EventLoop}s that own the connections, and a small pool for the TLS handshakes' delegated
 * tasks (certificate checks, key exchange). Threads do not grow with connections. JAIN-SIP keeps the SIP
 * logic: each connection is a {@link TlsFlowChannel} in this processor's channel table, under the key
 * {@code tls:<ip>:<port>} its own TLS transport would use, so routing to a flow is unchanged.
 */
final class TlsFlowProcessor extends ConnectionOrientedMessageProcessor implements Closeable {

    private static final System.Logger LOG = System.getLogger(TlsFlowProcessor.class.getName());
    private static final int BACKLOG = 4096;

    private final SipEndpointConfig config;
    private final AcceptedFlows flows;
    private final String threadPrefix;
    private ServerSocketChannel server;
    private EventLoop[] loops;
    private ExecutorService handshakeTasks;
    private Thread acceptor;
    private SSLParameters parameters;
    private volatile boolean closed;

    TlsFlowProcessor(InetAddress address, int port, SIPTransactionStack stack, SipEndpointConfig config,
            AcceptedFlows flows) {
        super(address, port, "tls", stack);
        this.config = config;
        this.flows = flows;
        this.threadPrefix = ((SipStackImpl) stack).getStackName() + "-tls";
    }

    /** The server side of every handshake, as JAIN-SIP's TLS processor sets it from the stack's properties. */
    private SSLParameters parameters(SSLContext context) {
        SipStackImpl stack = (SipStackImpl) sipStack;
        SSLParameters p = context.getDefaultSSLParameters();
        p.setCipherSuites(stack.getEnabledCipherSuites());
        p.setProtocols(stack.getEnabledProtocols());
        ClientAuthType auth = stack.getClientAuth();
        if (auth == ClientAuthType.Enabled) {
            p.setNeedClientAuth(true);
        } else {
            p.setWantClientAuth(auth == ClientAuthType.Want || auth == ClientAuthType.Default);
        }
        return p;
    }

    @Override
    public void start() throws IOException {
        SSLContext context = config.sslContext();
        parameters = parameters(context);
        SSLSession sample = context.createSSLEngine().getSession();
        int packetSize = sample.getPacketBufferSize();
        int applicationSize = sample.getApplicationBufferSize();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(getIpAddress(), getPort()), BACKLOG);
        AtomicInteger taskThreads = new AtomicInteger();
        int taskPool = Math.max(1, config.handshakeThreads());
        handshakeTasks = new ThreadPoolExecutor(taskPool, taskPool, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> daemon(threadPrefix + "-handshake-" + taskThreads.incrementAndGet(), task));
        ((ThreadPoolExecutor) handshakeTasks).allowCoreThreadTimeOut(true);
        loops = new EventLoop[Math.max(1, config.eventLoops())];
        long keepAlive = config.keepAlive().toNanos();
        for (int i = 0; i < loops.length; i++) {
            MessageSink sink = new MessageSink(sipStack.getMessageParserFactory().createMessageParser(sipStack));
            loops[i] = new EventLoop(new EventLoop.Buffers(packetSize, applicationSize,
                    new SipStreamFramer(config.maxMessageSize()), sink), config.handshakeTimeout().toNanos(),
                    keepAlive);
        }
        for (int i = 0; i < loops.length; i++) {
            loops[i].start(daemon(threadPrefix + "-loop-" + (i + 1), loops[i]));
        }
        isRunning = true;
        acceptor = daemon(threadPrefix + "-accept", this::accept);
        acceptor.start();
    }

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    private void accept() {
        int next = 0;
        while (!closed) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // out of file descriptors, say: give the loops a moment to close some
                LOG.log(Level.WARNING, "accepting a TLS connection failed: {0}", e.getMessage());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            try {
                InetSocketAddress remote = (InetSocketAddress) socket.getRemoteAddress();
                if (flows.quarantined(remote)) {
                    socket.close();
                    continue;
                }
                socket.configureBlocking(false);
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SSLEngine engine = config.sslContext().createSSLEngine();
                engine.setUseClientMode(false);
                engine.setSSLParameters(parameters);
                EventLoop loop = loops[next++ % loops.length];
                TlsConnection connection = new TlsConnection(socket, engine, loop, remote, flows, this);
                flows.accepted(connection);
                loop.adopt(connection, socket);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "dropping an accepted connection: {0}", e.getMessage());
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closed anyway
                }
            }
        }
    }

    /** Whether it still accepts connections and every event loop still runs. */
    boolean serving() {
        if (closed || acceptor == null || !acceptor.isAlive() || loops == null) {
            return false;
        }
        for (EventLoop loop : loops) {
            if (!loop.alive()) {
                return false;
            }
        }
        return true;
    }

    int maxMessageSize() {
        return config.maxMessageSize();
    }

    ExecutorService handshakeTasks() {
        return handshakeTasks;
    }

    /** A connection finished its handshake: it becomes a channel the stack can find and route to. */
    TlsFlowChannel established(TlsConnection connection) {
        InetSocketAddress remote = connection.remote();
        TlsFlowChannel channel = new TlsFlowChannel(this, connection, remote.getAddress(), remote.getPort());
        synchronized (this) {
            ConnectionOrientedMessageChannel old = messageChannels.put(channel.getKey(), channel);
            incomingMessageChannels.put(channel.getKey(), channel);
            if (old instanceof TlsFlowChannel stale && stale != channel && stale.connection() != null) {
                stale.connection().abort();
            }
        }
        return channel;
    }

    /** Drops a closed connection's channel from the tables. */
    void forget(TlsFlowChannel channel) {
        remove(channel);
    }

    /** The channel of the open connection from {@code remote}, if any. */
    TlsFlowChannel channel(InetSocketAddress remote) {
        ConnectionOrientedMessageChannel c = messageChannels.get(
                MessageChannel.getKey(remote.getAddress(), remote.getPort(), "TLS"));
        return c instanceof TlsFlowChannel t && t.connection() != null ? t : null;
    }

    @Override
    public MessageChannel createMessageChannel(HostPort target) throws IOException {
        ConnectionOrientedMessageChannel c = messageChannels.get(MessageChannel.getKey(target, "TLS"));
        return c != null ? c : new TlsFlowChannel(this, null, target.getInetAddress(), target.getPort());
    }

    @Override
    public MessageChannel createMessageChannel(InetAddress host, int port) throws IOException {
        ConnectionOrientedMessageChannel c = messageChannels.get(MessageChannel.getKey(host, port, "TLS"));
        return c != null ? c : new TlsFlowChannel(this, null, host, port);
    }

    /** Stops accepting and closes every connection; the threads end. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        isRunning = false;
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closed anyway
        }
        if (acceptor != null) {
            acceptor.interrupt();
        }
        if (loops != null) {
            for (EventLoop loop : loops) {
                if (loop != null) {
                    loop.stop();
                }
            }
        }
        if (handshakeTasks != null) {
            handshakeTasks.shutdownNow();
        }
        flows.closeAll();
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public int getDefaultTargetPort() {
        return 5061;
    }

    @Override
    public boolean isSecure() {
        return true;
    }

    /**
     * Open connections, the bytes they keep between events now, and the most one connection ever kept; for
     * tests and benches. Blocks briefly.
     */
    long[] loopState() throws InterruptedException {
        long[] state = new long[3];
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(loops.length);
        for (EventLoop loop : loops) {
            loop.execute(() -> {
                synchronized (state) {
                    state[0] += loop.size();
                    state[1] += loop.bufferedBytes();
                    state[2] = Math.max(state[2], loop.peakBuffered());
                }
                done.countDown();
            });
        }
        done.await(5, TimeUnit.SECONDS);
        synchronized (state) {
            return state.clone();
        }
    }
}
