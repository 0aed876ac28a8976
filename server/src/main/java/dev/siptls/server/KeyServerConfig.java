package dev.siptls.server;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.TlsIdentity;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link KeyServer} runs: its TLS identity, where it listens, the registration and SA limits it
 * enforces and whom it lets reach whom. Immutable; build with {@link #builder()}, which checks the values
 * together.
 */
public final class KeyServerConfig {

    private final TlsIdentity identity;
    private final KeyStore policyTrustStore;
    private final String bindAddress;
    private final int port;
    private final String name;
    private final Duration maxLifetime;
    private final Duration minExpires;
    private final Duration maxExpires;
    private final Duration defaultExpires;
    private final AuthorizationRule authorization;
    private final ServingRule serving;
    private final Duration relayTimeout;
    private final int plainTcpPort;
    private final int maxMessageSize;
    private final Duration handshakeTimeout;
    private final Duration sweepInterval;
    private final Duration forgetAfter;
    private final int replayCacheSize;
    private final boolean registerMBean;
    private final Duration idleTimeout;
    private final Duration writeTimeout;
    private final Duration keepAlive;
    private final int maxQueuedBytes;
    private final boolean allowLegacySuites;
    private final int eventLoops;
    private final int handshakeThreads;
    private final SharedState sharedState;
    private final NodeLinks nodeLinks;
    private final int workers;

    private KeyServerConfig(Builder b) {
        this.identity = Objects.requireNonNull(b.identity, "identity is required");
        this.policyTrustStore = b.policyTrustStore;
        this.bindAddress = Objects.requireNonNull(b.bindAddress, "bindAddress");
        this.port = b.port;
        this.name = requireName(b.name);
        this.maxLifetime = b.maxLifetime;
        this.minExpires = positiveSeconds(b.minExpires, "minExpires");
        this.maxExpires = positiveSeconds(b.maxExpires, "maxExpires");
        this.defaultExpires = positiveSeconds(b.defaultExpires, "defaultExpires");
        this.authorization = Objects.requireNonNull(b.authorization, "authorization");
        this.serving = Objects.requireNonNull(b.serving, "serving");
        this.relayTimeout = positive(b.relayTimeout, "relayTimeout");
        this.plainTcpPort = b.plainTcpPort;
        this.maxMessageSize = b.maxMessageSize;
        this.handshakeTimeout = positive(b.handshakeTimeout, "handshakeTimeout");
        this.sweepInterval = positive(b.sweepInterval, "sweepInterval");
        this.forgetAfter = positive(b.forgetAfter, "forgetAfter");
        this.replayCacheSize = b.replayCacheSize;
        this.registerMBean = b.registerMBean;
        this.sharedState = b.sharedState;
        this.nodeLinks = b.nodeLinks;
        this.workers = b.workers;
        if ((sharedState == null) != (nodeLinks == null)) {
            throw new IllegalArgumentException("a cluster needs both its shared state and the links between nodes");
        }
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("workers must be 1..256: " + workers);
        }
        this.idleTimeout = positive(b.idleTimeout, "idleTimeout");
        this.writeTimeout = positive(b.writeTimeout, "writeTimeout");
        this.keepAlive = positive(b.keepAlive, "keepAlive");
        this.maxQueuedBytes = b.maxQueuedBytes;
        if (maxQueuedBytes < maxMessageSize) {
            throw new IllegalArgumentException("maxQueuedBytes must be at least maxMessageSize (" + maxMessageSize
                    + "), got " + maxQueuedBytes);
        }
        this.allowLegacySuites = b.allowLegacySuites;
        this.eventLoops = b.eventLoops;
        this.handshakeThreads = b.handshakeThreads;
        if (eventLoops < 1 || eventLoops > 64 || handshakeThreads < 1 || handshakeThreads > 64) {
            throw new IllegalArgumentException("eventLoops and handshakeThreads must be 1..64, got " + eventLoops
                    + " and " + handshakeThreads);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (plainTcpPort < -1 || plainTcpPort > 65535) {
            throw new IllegalArgumentException("plainTcpPort must be -1 (any), 0 (off) or a port, got " + plainTcpPort);
        }
        positiveSeconds(maxLifetime, "maxLifetime");
        if (maxLifetime.compareTo(SecurityAssociation.MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("maxLifetime must be at most "
                    + SecurityAssociation.MAX_LIFETIME.getSeconds() + "s, got " + maxLifetime.getSeconds() + "s");
        }
        if (minExpires.compareTo(maxExpires) > 0) {
            throw new IllegalArgumentException("minExpires (" + minExpires.getSeconds()
                    + "s) is above maxExpires (" + maxExpires.getSeconds() + "s)");
        }
        if (defaultExpires.compareTo(minExpires) < 0 || defaultExpires.compareTo(maxExpires) > 0) {
            throw new IllegalArgumentException("defaultExpires must lie within minExpires..maxExpires");
        }
        if (maxMessageSize < 4096) {
            throw new IllegalArgumentException("maxMessageSize must be at least 4096 bytes, got " + maxMessageSize);
        }
        if (replayCacheSize < 16) {
            throw new IllegalArgumentException("replayCacheSize must be at least 16, got " + replayCacheSize);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The key server's own certificate and key, and the trust anchors agents' client certificates chain to. */
    public TlsIdentity identity() { return identity; }
    /** Trust anchors for TLS server certificates in policies; the identity's trust store unless set. */
    public KeyStore policyTrustStore() { return policyTrustStore != null ? policyTrustStore : identity.trustStore(); }
    public String bindAddress() { return bindAddress; }
    /** The TLS port; 0 picks a free one. */
    public int port() { return port; }
    /** Names the SIP stack, its threads and the JMX bean. */
    public String name() { return name; }
    /** The longest SA lifetime the key server hands out, whatever the policies allow. */
    public Duration maxLifetime() { return maxLifetime; }
    public Duration minExpires() { return minExpires; }
    public Duration maxExpires() { return maxExpires; }
    /** The registration time granted to a REGISTER that names none. */
    public Duration defaultExpires() { return defaultExpires; }
    public AuthorizationRule authorization() { return authorization; }
    /** Which hosts an AOR may bind in its policy; default {@link ServingRule#certified()}. */
    public ServingRule serving() { return serving; }
    /** How long the key server waits for the server agent's answer (408 after), and for the client's ACK. */
    public Duration relayTimeout() { return relayTimeout; }
    /** A plain-TCP listener for conformance tools without TLS (nothing security-relevant succeeds on it). */
    public Optional<Integer> plainTcpPort() { return plainTcpPort == 0 ? Optional.empty() : Optional.of(plainTcpPort); }
    public int maxMessageSize() { return maxMessageSize; }
    public Duration handshakeTimeout() { return handshakeTimeout; }
    /** How often expired registrations are removed. */
    public Duration sweepInterval() { return sweepInterval; }
    /** How long an AOR stays known (480, not 404) after its registration ended. */
    public Duration forgetAfter() { return forgetAfter; }
    /** How many recent INVITEs (sender, Call-ID, CSeq) are remembered to refuse replays. */
    public int replayCacheSize() { return replayCacheSize; }
    public boolean registerMBean() { return registerMBean; }
    /** The state shared with the other nodes of a cluster; empty for a key server alone. */
    public java.util.Optional<SharedState> sharedState() { return java.util.Optional.ofNullable(sharedState); }
    /** The links to the other nodes; empty for a key server alone. */
    public java.util.Optional<NodeLinks> nodeLinks() { return java.util.Optional.ofNullable(nodeLinks); }
    /** Threads that run requests in a cluster, where deciding may wait for the other nodes. */
    public int workers() { return workers; }
    /**
     * How long a connection may carry no live registration (from when it was accepted, or its last registration
     * ended) before it is closed, whatever it sends meanwhile.
     */
    public Duration idleTimeout() { return idleTimeout; }
    /** How long one write to an agent may block before its connection is closed (it stopped reading). */
    public Duration writeTimeout() { return writeTimeout; }
    /**
     * How long a connection whose peer sends CRLF keep-alive pings (RFC 5626) may stay silent before it is
     * closed: a peer that vanished without closing (half-open) does not hold its connection for ever.
     */
    public Duration keepAlive() { return keepAlive; }
    /** How many bytes may wait to be sent to one connection before it is closed (its peer stopped reading). */
    public int maxQueuedBytes() { return maxQueuedBytes; }
    /**
     * Whether SAs may use legacy suites (CBC, 3DES, plain RSA key exchange) that two policies share; by default
     * only TLS 1.3 suites and TLS 1.2 AEAD suites with forward secrecy are issued, and policies sharing no such
     * suite are answered 488.
     */
    public boolean allowLegacySuites() { return allowLegacySuites; }
    /**
     * How many selector threads own the TLS connections (each reads, decrypts, frames and writes for its share);
     * the key server's threads do not grow with connections.
     */
    public int eventLoops() { return eventLoops; }
    /** How many threads run the TLS handshakes' delegated tasks (certificate checks, key exchange). */
    public int handshakeThreads() { return handshakeThreads; }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("name must be 1-64 of [A-Za-z0-9._-], got '" + name + "'");
        }
        return name;
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }

    private static Duration positiveSeconds(Duration d, String what) {
        positive(d, what);
        if (d.getNano() != 0) {
            throw new IllegalArgumentException(what + " must be whole seconds, got " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "KeyServerConfig[name=" + name + ", bind=" + bindAddress + ":" + port
                + (plainTcpPort != 0 ? ", plainTcp=" + plainTcpPort : "")
                + ", expires=" + minExpires.getSeconds() + ".." + maxExpires.getSeconds()
                + "s (default " + defaultExpires.getSeconds() + "s), maxLifetime=" + maxLifetime.getSeconds()
                + "s, relayTimeout=" + relayTimeout.toMillis() + "ms"
                + (allowLegacySuites ? ", legacy suites allowed" : "") + ", identity=" + identity + "]";
    }

    /** Defaults: 127.0.0.1:5061, SA lifetime at most 1 h, registrations 60..3600 s (600 s by default). */
    public static final class Builder {
        private TlsIdentity identity;
        private KeyStore policyTrustStore;
        private String bindAddress = "127.0.0.1";
        private int port = 5061;
        private String name = "keyserver";
        private Duration maxLifetime = Duration.ofHours(1);
        private Duration minExpires = Duration.ofSeconds(60);
        private Duration maxExpires = Duration.ofSeconds(3600);
        private Duration defaultExpires = Duration.ofSeconds(600);
        private AuthorizationRule authorization = AuthorizationRule.sameDomain();
        private ServingRule serving = ServingRule.certified();
        private Duration relayTimeout = Duration.ofMillis(1500);
        private int plainTcpPort;
        private int maxMessageSize = 128 * 1024;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration sweepInterval = Duration.ofSeconds(1);
        private Duration forgetAfter = Duration.ofDays(1);
        private int replayCacheSize = 65_536;
        private boolean registerMBean = true;
        private SharedState sharedState;
        private NodeLinks nodeLinks;
        private int workers = 16;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration writeTimeout = Duration.ofSeconds(10);
        private Duration keepAlive = Duration.ofSeconds(30);
        private int maxQueuedBytes = 1024 * 1024;
        private boolean allowLegacySuites;
        private int eventLoops = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int handshakeThreads = Math.min(4, Runtime.getRuntime().availableProcessors());

        private Builder() {
        }

        public Builder identity(TlsIdentity identity) { this.identity = identity; return this; }
        public Builder policyTrustStore(KeyStore trustStore) { this.policyTrustStore = trustStore; return this; }
        public Builder bindAddress(String address) { this.bindAddress = address; return this; }
        /** 0 picks a free port. */
        public Builder port(int port) { this.port = port; return this; }
        public Builder name(String name) { this.name = name; return this; }
        public Builder maxLifetime(Duration lifetime) { this.maxLifetime = lifetime; return this; }
        public Builder minExpires(Duration expires) { this.minExpires = expires; return this; }
        public Builder maxExpires(Duration expires) { this.maxExpires = expires; return this; }
        public Builder defaultExpires(Duration expires) { this.defaultExpires = expires; return this; }
        public Builder authorization(AuthorizationRule rule) { this.authorization = rule; return this; }
        public Builder serving(ServingRule rule) { this.serving = rule; return this; }
        public Builder relayTimeout(Duration timeout) { this.relayTimeout = timeout; return this; }
        /** 0 (default) for none, -1 for a free port. */
        public Builder plainTcpPort(int port) { this.plainTcpPort = port; return this; }
        public Builder maxMessageSize(int bytes) { this.maxMessageSize = bytes; return this; }
        public Builder handshakeTimeout(Duration timeout) { this.handshakeTimeout = timeout; return this; }
        public Builder sweepInterval(Duration interval) { this.sweepInterval = interval; return this; }
        public Builder forgetAfter(Duration retention) { this.forgetAfter = retention; return this; }
        public Builder replayCacheSize(int entries) { this.replayCacheSize = entries; return this; }
        /** Whether {@link KeyServer#start} registers the statistics MXBean (default true). */
        public Builder registerMBean(boolean register) { this.registerMBean = register; return this; }
        /**
         * Makes this key server a node of a cluster: it shares its registrations, policies and replay records
         * through {@code state} (closed with the server) and takes other nodes' requests over {@code links}.
         */
        public Builder cluster(SharedState state, NodeLinks links) {
            this.sharedState = state;
            this.nodeLinks = links;
            return this;
        }
        public Builder workers(int threads) { this.workers = threads; return this; }
        public Builder idleTimeout(Duration idle) { this.idleTimeout = idle; return this; }
        public Builder writeTimeout(Duration timeout) { this.writeTimeout = timeout; return this; }
        public Builder keepAlive(Duration timeout) { this.keepAlive = timeout; return this; }
        public Builder maxQueuedBytes(int bytes) { this.maxQueuedBytes = bytes; return this; }
        /** Whether SAs may use CBC, 3DES or plain-RSA key exchange suites (default false: AEAD with forward secrecy only). */
        public Builder allowLegacySuites(boolean allow) { this.allowLegacySuites = allow; return this; }
        /** Selector threads for the TLS connections, 1..64 (default: the processors, at most 4). */
        public Builder eventLoops(int threads) { this.eventLoops = threads; return this; }
        /** Threads for TLS handshake tasks, 1..64 (default: the processors, at most 4). */
        public Builder handshakeThreads(int threads) { this.handshakeThreads = threads; return this; }

        public KeyServerConfig build() {
            return new KeyServerConfig(this);
        }
    }
}
