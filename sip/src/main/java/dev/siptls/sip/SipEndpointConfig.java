package dev.siptls.sip;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.sip.message.Request;

/**
 * How one {@link SipEndpoint} runs: its TLS identity, where it listens (or that it does not), and where
 * its requests go. Immutable; build with {@link #builder()}.
 */
public final class SipEndpointConfig {

    /** Modern suites only: JAIN-SIP's default list fails with EC certificates on Java 17. */
    static final String[] CIPHER_SUITES = {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    };
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final String name;
    private final String bindAddress;
    private final int port;
    private final boolean listening;
    private final SSLContext sslContext;
    private final Duration handshakeTimeout;
    private final int maxMessageSize;
    private final Duration keepAlive;
    private final InetSocketAddress outboundProxy;
    private final Function<Request, Optional<InetSocketAddress>> flows;
    private final int plainTcpPort;
    private final int maxQueuedBytes;
    private final Duration writeTimeout;
    private final int eventLoops;
    private final int handshakeThreads;
    private final boolean automaticDialogs;
    private final boolean reentrantListener;
    private final boolean interconnect;

    private SipEndpointConfig(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.listening = b.listening;
        this.sslContext = Objects.requireNonNull(b.sslContext, "sslContext");
        this.handshakeTimeout = b.handshakeTimeout;
        this.maxMessageSize = b.maxMessageSize;
        this.keepAlive = b.keepAlive;
        this.outboundProxy = b.outboundProxy;
        this.flows = b.flows;
        this.plainTcpPort = b.plainTcpPort;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.writeTimeout = b.writeTimeout;
        this.eventLoops = b.eventLoops;
        this.handshakeThreads = b.handshakeThreads;
        if (eventLoops < 1 || handshakeThreads < 1) {
            throw new IllegalArgumentException("eventLoops and handshakeThreads must be at least 1");
        }
        this.automaticDialogs = b.automaticDialogs;
        this.reentrantListener = b.reentrantListener;
        this.interconnect = b.interconnect;
        if (interconnect && !listening) {
            throw new IllegalArgumentException("an interconnect endpoint listens");
        }
        if (maxQueuedBytes < maxMessageSize) {
            throw new IllegalArgumentException("maxQueuedBytes " + maxQueuedBytes + " is below maxMessageSize "
                    + maxMessageSize + ": one answer would not fit");
        }
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("writeTimeout must be positive: " + writeTimeout);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() { return name; }
    public String bindAddress() { return bindAddress; }
    /** The TLS port; 0 lets the endpoint pick a free one. */
    public int port() { return port; }
    /** A listening endpoint accepts connections; an agent only dials out and is reached over its own flow. */
    public boolean listening() { return listening; }
    public SSLContext sslContext() { return sslContext; }
    public Duration handshakeTimeout() { return handshakeTimeout; }
    public int maxMessageSize() { return maxMessageSize; }
    public Duration keepAlive() { return keepAlive; }
    public Optional<InetSocketAddress> outboundProxy() { return Optional.ofNullable(outboundProxy); }
    /** Maps a request to the connection (flow) it must travel over, if any; see {@link FlowRouter}. */
    public Optional<Function<Request, Optional<InetSocketAddress>>> flows() { return Optional.ofNullable(flows); }
    /** A plain-TCP listener for conformance tools without TLS; 0 means none, the default. */
    public int plainTcpPort() { return plainTcpPort; }

    /** Bytes an accepted connection may have waiting to be sent before its peer counts as not reading. */
    public int maxQueuedBytes() { return maxQueuedBytes; }
    /** How long output to an accepted connection may make no progress before the connection is closed. */
    public Duration writeTimeout() { return writeTimeout; }
    /** Selector threads of a listening endpoint's TLS transport; its connections are spread over them. */
    public int eventLoops() { return eventLoops; }
    /** Threads that run TLS handshakes' delegated tasks (certificate checks, key exchange) off the loops. */
    public int handshakeThreads() { return handshakeThreads; }

    /**
     * Whether the stack makes dialogs by itself (JAIN-SIP's {@code AUTOMATIC_DIALOG_SUPPORT}); without, an INVITE
     * and its 2xx make none, and the application ACKs a 2xx itself with a request of its own.
     */
    public boolean automaticDialogs() { return automaticDialogs; }

    /**
     * Whether the listener is called on the thread that read the message (JAIN-SIP's {@code REENTRANT_LISTENER}),
     * several at once, instead of on the stack's one event thread.
     */
    public boolean reentrantListener() { return reentrantListener; }

    /**
     * A link between key servers: it listens with JAIN-SIP's blocking TLS transport, requiring a client certificate
     * its {@code SSLContext} trusts, and it dials its peers (the other nodes). Its trust is the cluster's CA, never
     * the agents'.
     */
    public boolean interconnect() { return interconnect; }

    public static final class Builder {
        private String name = "sip";
        private String bindAddress = "127.0.0.1";
        private int port;
        private boolean listening = true;
        private SSLContext sslContext;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private int maxMessageSize = 128 * 1024;
        private Duration keepAlive = Duration.ofSeconds(30);
        private InetSocketAddress outboundProxy;
        private Function<Request, Optional<InetSocketAddress>> flows;
        private int plainTcpPort;
        private int maxQueuedBytes = 1024 * 1024;
        private Duration writeTimeout = Duration.ofSeconds(10);
        private int eventLoops = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int handshakeThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private boolean automaticDialogs = true;
        private boolean reentrantListener;
        private boolean interconnect;

        private Builder() {
        }

        /** A readable prefix for the stack's name and its threads; made unique per endpoint. */
        public Builder name(String name) { this.name = name; return this; }
        public Builder bindAddress(String address) { this.bindAddress = address; return this; }
        public Builder port(int port) { this.port = port; return this; }
        public Builder listening(boolean listening) { this.listening = listening; return this; }
        public Builder sslContext(SSLContext context) { this.sslContext = context; return this; }
        public Builder handshakeTimeout(Duration timeout) { this.handshakeTimeout = timeout; return this; }
        public Builder maxMessageSize(int bytes) { this.maxMessageSize = bytes; return this; }
        public Builder keepAlive(Duration interval) { this.keepAlive = interval; return this; }
        /** Every request leaves through this TLS hop (an agent's key server). */
        public Builder outboundProxy(InetSocketAddress proxy) { this.outboundProxy = proxy; return this; }
        public Builder flows(Function<Request, Optional<InetSocketAddress>> flows) { this.flows = flows; return this; }
        public Builder plainTcpPort(int port) { this.plainTcpPort = port; return this; }
        public Builder maxQueuedBytes(int bytes) { this.maxQueuedBytes = bytes; return this; }
        public Builder writeTimeout(Duration timeout) { this.writeTimeout = timeout; return this; }
        public Builder eventLoops(int threads) { this.eventLoops = threads; return this; }
        public Builder handshakeThreads(int threads) { this.handshakeThreads = threads; return this; }
        public Builder automaticDialogs(boolean on) { this.automaticDialogs = on; return this; }
        public Builder reentrantListener(boolean on) { this.reentrantListener = on; return this; }
        public Builder interconnect(boolean on) { this.interconnect = on; return this; }

        public SipEndpointConfig build() {
            return new SipEndpointConfig(this);
        }
    }
}
