package dev.siptls.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;

/**
 * One running JAIN-SIP stack set up for SIP over mutual TLS the way SIP-TLS needs it: the endpoint's own
 * TLS identity, modern suites and protocols, bounded handshake time and message size, {@code TCP_NODELAY},
 * connection reuse for flows, no message content in logs. {@link #close()} leaves no thread behind, which
 * JAIN-SIP's own {@code stop()} does not guarantee.
 */
public final class SipEndpoint implements AutoCloseable {

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final System.Logger LOG = System.getLogger(SipEndpoint.class.getName());
    private static final long STALL_CHECK_MILLIS = 500;

    private final String stackName;
    private final SipStack stack;
    private final SipProvider provider;
    private final ListeningPoint listeningPoint;
    private final ListeningPoint plainListeningPoint;
    private final AddressFactory addressFactory;
    private final HeaderFactory headerFactory;
    private final MessageFactory messageFactory;
    private final StackThreads threads;
    private final ScheduledExecutorService scheduler;
    private final ScheduledExecutorService timers;
    private volatile boolean closed;

    /**
     * Whether {@code thread} belongs to a SIP stack of this library: JAIN-SIP starts non-daemon threads of its
     * own (event scanner, timer), which a JVM whose application has ended must not wait for.
     */
    public static boolean isStackThread(Thread thread) {
        return StackThreads.isStackThread(thread);
    }

    private SipEndpoint(String stackName, SipStack stack, SipProvider provider, ListeningPoint listeningPoint,
            ListeningPoint plainListeningPoint, SipFactory factory, StackThreads threads) throws Exception {
        this.stackName = stackName;
        this.stack = stack;
        this.provider = provider;
        this.listeningPoint = listeningPoint;
        this.plainListeningPoint = plainListeningPoint;
        this.addressFactory = factory.createAddressFactory();
        this.headerFactory = factory.createHeaderFactory();
        this.messageFactory = factory.createMessageFactory();
        this.threads = threads;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> threads.newThread("worker", task));
        this.timers = Executors.newSingleThreadScheduledExecutor(task -> threads.newThread("timers", task));
        AcceptedFlows flows = flows();
        if (flows != null) {
            timers.scheduleWithFixedDelay(flows::closeStalled, STALL_CHECK_MILLIS, STALL_CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private AcceptedFlows flows() {
        return ((SipStackImpl) stack).getNetworkLayer() instanceof SipNetworkLayer network ? network.flows() : null;
    }

    /**
     * The open TLS connection a request arrived on, found by the request's remote address and confirmed by
     * the certificate it was authenticated with; empty if that connection is gone (or is another one now).
     */
    public Optional<Flow> flow(InetSocketAddress remote, X509Certificate authenticatedWith) {
        AcceptedFlows flows = flows();
        if (flows == null || authenticatedWith == null) {
            return Optional.empty();
        }
        return flows.flow(remote).filter(f -> f.authenticatedAs(Flow.fingerprint(authenticatedWith)));
    }

    /**
     * The open TLS connection from {@code remote}, once its handshake has completed: the connection a request
     * from that address arrived on (a closed connection's address is not accepted again for a while, see
     * {@link TransportStatistics#reusedAddressesRefused()}), with the client certificate it authenticated.
     */
    public Optional<Flow> flow(InetSocketAddress remote) {
        AcceptedFlows flows = flows();
        return flows == null ? Optional.empty() : flows.flow(remote);
    }

    /**
     * The accepted TLS connections open now, the bytes they keep between events (partial TLS records and SIP
     * messages, ciphertext the peer has not taken yet, plaintext being encrypted), and the most one connection
     * ever kept; zeros for an agent. For tests and benches: an idle connection keeps nothing.
     */
    public long[] tlsConnectionState() throws InterruptedException {
        if (((SipStackImpl) stack).getNetworkLayer() instanceof SipNetworkLayer network
                && network.tlsProcessor() != null) {
            return network.tlsProcessor().loopState();
        }
        return new long[3];
    }

    /**
     * Closes the accepted connections {@code claimed} has not claimed for {@code grace} since they were accepted
     * or last claimed, whatever they send; how many. A key server claims those that carry a live registration.
     */
    public int closeUnclaimedFlows(Duration grace, Predicate<Flow> claimed) {
        AcceptedFlows flows = flows();
        return flows == null ? 0 : flows.closeUnclaimed(grace, claimed);
    }

    /**
     * Tells {@code listener} (peer, message) of a TLS error read on a connection this endpoint dialled, on the
     * thread that read it: a TLS 1.3 server's refusal of the client's certificate ("Received fatal alert:
     * bad_certificate") comes after the client's handshake is over, and JAIN-SIP's only answer to it is to
     * close the connection, so a request sent over it would otherwise just go unanswered.
     */
    public void onTlsReadFailure(java.util.function.BiConsumer<InetSocketAddress, String> listener) {
        if (((SipStackImpl) stack).getNetworkLayer() instanceof SipNetworkLayer network) {
            network.onTlsReadFailure(listener);
        }
    }

    /** What the transport did to protect the endpoint, counted since it started. */
    public TransportStatistics transportStatistics() {
        AcceptedFlows flows = flows();
        return flows == null ? new TransportStatistics(0, 0, 0, 0, 0)
                : new TransportStatistics(flows.openCount(), flows.handshakeFailures(), flows.slowPeersClosed(),
                        flows.idleClosed(), flows.reusedAddressesRefused());
    }

    /**
     * Starts a stack and attaches {@code listener}. Its callbacks run on one stack thread, or with
     * {@link SipEndpointConfig#reentrantListener()} on the threads that read messages and run timers, several
     * at once: never block in them.
     */
    public static SipEndpoint start(SipEndpointConfig config, SipListener listener) throws IOException {
        String stackName = config.name() + "-" + SEQUENCE.incrementAndGet();
        EndpointRegistry.register(stackName, config);
        StackThreads threads = new StackThreads(stackName);
        try {
            return threads.callInGroup(() -> create(stackName, config, listener, threads));
        } catch (Exception e) {
            EndpointRegistry.unregister(stackName);
            threads.stopAll();
            throw new IOException("cannot start SIP endpoint " + stackName + ": " + e.getMessage(), e);
        }
    }

    private static SipEndpoint create(String stackName, SipEndpointConfig config, SipListener listener,
            StackThreads threads) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        SipStack stack = new ForgettableStack(stackProperties(stackName, config));
        try {
            ListeningPoint tls = listen(stack, config.bindAddress(), config.port(), ListeningPoint.TLS);
            SipProvider provider = stack.createSipProvider(tls);
            ListeningPoint plain = null;
            if (config.plainTcpPort() != 0) {
                plain = listen(stack, config.bindAddress(), Math.max(config.plainTcpPort(), 0), ListeningPoint.TCP);
                provider.addListeningPoint(plain);
            }
            provider.addSipListener(listener);
            stack.start();
            return new SipEndpoint(stackName, stack, provider, tls, plain, factory, threads);
        } catch (Exception e) {
            stack.stop();
            throw e;
        }
    }

    /** A listening point on {@code port} (0: a free one); one that cannot be had is a {@link ListenException}. */
    private static ListeningPoint listen(SipStack stack, String address, int port, String transport) throws Exception {
        try {
            return stack.createListeningPoint(address, port != 0 ? port : freePort(address), transport);
        } catch (IOException | javax.sip.InvalidArgumentException e) {
            if (e instanceof IOException || e.getCause() instanceof IOException) {
                throw new ListenException(transport.toLowerCase(Locale.ROOT), address, port, e);
            }
            throw e;
        }
    }

    /**
     * A stack the JVM forgets once its endpoint is closed and unreferenced. Made directly, not through
     * {@code SipFactory.createSipStack}: the factory singleton keeps every stack it made, stopped or not.
     * With an empty {@code finalize}: JAIN-SIP's stops the stack again and sleeps a second doing so, on the
     * JVM's one finalizer thread, so a few hundred closed stacks would hold their memory for minutes
     * (and every other finalizable object behind them); {@link #close()} has stopped it already.
     */
    private static final class ForgettableStack extends SipStackImpl {
        ForgettableStack(Properties properties) throws javax.sip.PeerUnavailableException {
            super(properties);
        }

        @Override
        @SuppressWarnings({"deprecation", "removal"})
        protected void finalize() {
        }

        /**
         * JAIN-SIP keeps the processor of a listening point whose port could not be bound, and its TCP processor
         * then fails on its never-opened socket when stopped: the stop would end there, leaving the stack's
         * threads running and hiding why it started in the first place.
         */
        @Override
        protected void removeMessageProcessor(gov.nist.javax.sip.stack.MessageProcessor processor) {
            try {
                super.removeMessageProcessor(processor);
            } catch (NullPointerException neverBound) {
                // removed already; it had nothing open to close
            }
        }
    }

    static Properties stackProperties(String stackName, SipEndpointConfig config) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", stackName);
        p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", SipNetworkLayer.class.getName());
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", FlowProcessorFactory.class.getName());
        p.setProperty("javax.sip.ROUTER_PATH", FlowRouter.class.getName());
        p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", SipVersionParserFactory.class.getName());
        config.outboundProxy().ifPresent(proxy -> p.setProperty("javax.sip.OUTBOUND_PROXY",
                proxy.getAddress().getHostAddress() + ":" + proxy.getPort() + "/tls"));
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Enabled");
        p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",", SipEndpointConfig.CIPHER_SUITES));
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", String.join(",", SipEndpointConfig.PROTOCOLS));
        // Milliseconds, whatever JAIN-SIP's documentation says.
        p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", Long.toString(config.handshakeTimeout().toMillis()));
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(config.maxMessageSize()));
        p.setProperty("gov.nist.javax.sip.CACHE_SERVER_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.RELIABLE_CONNECTION_KEEP_ALIVE_TIMEOUT",
                Long.toString(config.keepAlive().toSeconds()));
        // Above 0 JAIN-SIP logs key store passwords and whole bodies, that is master secrets.
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        p.setProperty("gov.nist.javax.sip.LOG_STACK_TRACE_ON_MESSAGE_SEND", "false");
        // Fail closed on a request that was not parsed whole.
        p.setProperty("gov.nist.javax.sip.REJECT_STRAY_RESPONSES", "true");
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", config.automaticDialogs() ? "on" : "off");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", Boolean.toString(config.reentrantListener()));
        // A finished INVITE server transaction is dropped at the stack's next tick (0.5 s), not 8 s later with
        // its messages: over TLS nothing is retransmitted for it to absorb. JAIN-SIP keeps this value in a
        // static field, so every endpoint sets the same one whatever its role.
        p.setProperty("gov.nist.javax.sip.LINGER_TIMER", "0");
        return p;
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return probe.getLocalPort();
        }
    }

    public SipProvider provider() { return provider; }
    public SipStack stack() { return stack; }

    /**
     * The transaction the stack still keeps under {@code branch} (its id), finished or not; null if none. For
     * checks of what JAIN-SIP retains after an exchange (it keeps finished INVITE transactions a while).
     */
    public SIPTransaction keptTransaction(String branch, boolean server) {
        return ((SIPTransactionStack) stack).findTransaction(branch.toLowerCase(Locale.ROOT), server);
    }
    public AddressFactory addressFactory() { return addressFactory; }
    public HeaderFactory headerFactory() { return headerFactory; }
    public MessageFactory messageFactory() { return messageFactory; }
    public ListeningPoint listeningPoint() { return listeningPoint; }
    /** The address this endpoint's TLS listener is bound to (an agent's is never accepted on). */
    public InetSocketAddress tlsAddress() {
        return new InetSocketAddress(listeningPoint.getIPAddress(), listeningPoint.getPort());
    }
    /** The plain-TCP listener's address, if the configuration asked for one. */
    public java.util.Optional<InetSocketAddress> plainTcpAddress() {
        return java.util.Optional.ofNullable(plainListeningPoint)
                .map(lp -> new InetSocketAddress(lp.getIPAddress(), lp.getPort()));
    }
    public String name() { return stackName; }

    /**
     * A single worker thread of this endpoint's own, for sending requests and timed work: the listener
     * thread must never block, and the connections a send opens are then owned (and closed) by this endpoint.
     */
    public ScheduledExecutorService scheduler() { return scheduler; }

    /**
     * A thread for timeouts only, so that they fire on time however busy the worker is. What runs here must be
     * short and must not block (sends only queue).
     */
    public ScheduledExecutorService timers() { return timers; }

    /**
     * Whether the endpoint still serves: not closed and, where it listens on its own TLS transport, its acceptor
     * and every event loop still running (a loop that failed closed its connections and stopped).
     */
    public boolean running() {
        if (closed) {
            return false;
        }
        return !(((SipStackImpl) stack).getNetworkLayer() instanceof SipNetworkLayer network)
                || network.tlsProcessor() == null || network.tlsProcessor().serving();
    }

    /** Stops the stack and every thread it started; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        timers.shutdownNow();
        if (((SipStackImpl) stack).getNetworkLayer() instanceof SipNetworkLayer network) {
            network.close();
        }
        try {
            // stop() sleeps a second "to let the processing complete"; an interrupted thread skips the sleep.
            threads.callInGroup(() -> {
                Thread.currentThread().interrupt();
                stack.stop();
                return null;
            });
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "stopping SIP stack " + stackName + " failed", e);
        }
        threads.stopAll();
        EndpointRegistry.unregister(stackName);
    }

    /** Names of the threads of this endpoint still alive, for tests and diagnostics. */
    public Set<String> liveThreads() {
        return threads.live();
    }
}
