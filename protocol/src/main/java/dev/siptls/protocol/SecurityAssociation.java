package dev.siptls.protocol;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * What the key server hands to both TLS peers (paper figure 6), plus who the other peer is. A TLS 1.2 SA is
 * everything an abbreviated handshake needs to resume a session neither peer ever negotiated; a TLS 1.3 SA is an
 * external PSK (RFC 8446 section 4.2.11) that the peers use only with {@code psk_dhe_ke}, never {@code psk_ke} nor
 * early data: its identity is {@link #pskIdentity()}, its key {@link #masterSecret()}.
 *
 * <p>The secret (master secret or PSK) is held in one array that {@link #destroy()} zeroes; it is never part of
 * {@link #toString()} or of equality, which is identity: two SAs with the same content are still two
 * separately destroyable secrets. Everything else is immutable and validated when built.
 */
public final class SecurityAssociation implements Destroyable {

    /**
     * How far apart the clocks of the key server and the agents may be (PROTOCOL.md, "Clocks"): an agent
     * refuses an SA created further ahead of its own clock, and clients stop offering an SA this long before
     * it expires.
     */
    public static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofSeconds(5);

    /** The longest lifetime an SA may have; anything above is absurd and refused. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(1);

    static final int SESSION_ID_LENGTH = 32;
    static final int MASTER_SECRET_LENGTH = 48;

    private final byte[] sessionId;
    private final String sessionIdHex;
    private final String cipherSuite;
    private final String protocolVersion;
    private final boolean extendedMasterSecret;
    private final byte[] masterSecret;
    private final Duration lifetime;
    private final Instant creationTime;
    private final Instant expiryTime;
    private final Instant offeredUntil;
    private final PeerInfo client;
    private final PeerInfo server;
    private boolean destroyed;

    /** Takes ownership of {@code masterSecret} (the builder's private copy). */
    private SecurityAssociation(Builder b, byte[] masterSecret) {
        this.sessionId = Checks.copyOfLength(b.sessionId, SESSION_ID_LENGTH, "session id");
        this.sessionIdHex = Texts.hex(sessionId);
        this.cipherSuite = Checks.cipherSuite(b.cipherSuite);
        if (!CipherSuites.isKnownVersion(b.protocolVersion)) {
            throw new IllegalArgumentException("unsupported protocol version " + Texts.quote(b.protocolVersion)
                    + ", only " + String.join(" or ", CipherSuites.PROTOCOL_VERSIONS));
        }
        this.protocolVersion = b.protocolVersion;
        if (!CipherSuites.protocolVersion(cipherSuite).equals(protocolVersion)) {
            throw new IllegalArgumentException("cipher suite " + cipherSuite + " is a "
                    + CipherSuites.protocolVersion(cipherSuite) + " suite, not one for a " + protocolVersion + " SA");
        }
        boolean tls13 = CipherSuites.TLS_1_3.equals(protocolVersion);
        // Extended master secret is a TLS 1.2 extension: a TLS 1.3 SA has none, whatever the builder was told.
        this.extendedMasterSecret = !tls13 && b.extendedMasterSecret;
        Objects.requireNonNull(masterSecret, (tls13 ? "PSK" : "master secret") + " is required");
        int length = tls13 ? CipherSuites.hashLength(cipherSuite) : MASTER_SECRET_LENGTH;
        if (masterSecret.length != length) {
            throw new IllegalArgumentException(tls13
                    ? "PSK must be " + length + " bytes for " + cipherSuite + ", got " + masterSecret.length
                    : "master secret must be " + length + " bytes, got " + masterSecret.length);
        }
        this.masterSecret = masterSecret;
        this.lifetime = Checks.lifetime(b.lifetime, "lifetime");
        this.creationTime = Objects.requireNonNull(b.creationTime, "creation time is required");
        try {
            this.expiryTime = creationTime.plus(lifetime);
            Duration margin = lifetime.dividedBy(4);
            this.offeredUntil = expiryTime.minus(margin.compareTo(CLOCK_SKEW_ALLOWANCE) < 0 ? margin
                    : CLOCK_SKEW_ALLOWANCE);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("creation time out of range: " + creationTime);
        }
        this.client = Objects.requireNonNull(b.client, "client is required");
        this.server = Objects.requireNonNull(b.server, "server is required");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The 32-byte TLS session id, a fresh copy; for a TLS 1.3 SA, what its {@link #pskIdentity()} is made of. */
    public byte[] sessionId() {
        return sessionId.clone();
    }

    /** The session id in lower-case hex: a map key and a log handle (the id is not secret). */
    public String sessionIdHex() {
        return sessionIdHex;
    }

    /** IANA name of the negotiated suite: a TLS 1.3 suite exactly when {@link #isTls13()}. */
    public String cipherSuite() {
        return cipherSuite;
    }

    /**
     * {@code "TLSv1.2"} (an abbreviated handshake resuming a distributed master secret) or {@code "TLSv1.3"} (a
     * handshake with a distributed external PSK and an (EC)DHE exchange).
     */
    public String protocolVersion() {
        return protocolVersion;
    }

    /** Whether this is a TLS 1.3 SA, an external PSK. */
    public boolean isTls13() {
        return CipherSuites.TLS_1_3.equals(protocolVersion);
    }

    /**
     * The PSK identity of a TLS 1.3 SA: the US-ASCII bytes of {@link #sessionIdHex()}, 64 printable characters,
     * so that OpenSSL's {@code -psk_identity} can carry it. Not secret.
     *
     * @throws IllegalStateException for a TLS 1.2 SA, which has no PSK
     */
    public byte[] pskIdentity() {
        if (!isTls13()) {
            throw new IllegalStateException("a " + protocolVersion + " SA has no PSK identity");
        }
        return sessionIdHex.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether the session uses RFC 7627 extended master secret; OpenSSL will not resume otherwise. Always
     * {@code false} for a TLS 1.3 SA: the extension is TLS 1.2's, TLS 1.3's key schedule needs none.
     */
    public boolean extendedMasterSecret() {
        return extendedMasterSecret;
    }

    /**
     * The secret, a fresh copy the caller should zero when done: the 48-byte master secret of a TLS 1.2 SA, or
     * the PSK of a TLS 1.3 SA ({@link CipherSuites#hashLength} bytes: 32 or 48).
     *
     * @throws IllegalStateException after {@link #destroy()}
     */
    public synchronized byte[] masterSecret() {
        if (destroyed) {
            throw new IllegalStateException("destroyed");
        }
        return masterSecret.clone();
    }

    public Duration lifetime() {
        return lifetime;
    }

    public Instant creationTime() {
        return creationTime;
    }

    /** {@code creationTime() + lifetime()}. */
    public Instant expiryTime() {
        return expiryTime;
    }

    /**
     * Until when a TLS client offers this SA: {@link #CLOCK_SKEW_ALLOWANCE} before its expiry time (a quarter
     * of the lifetime if that is shorter), so that a TLS server whose clock runs up to that much ahead of the
     * client's still holds the SA the client offers. Servers use it until {@link #expiryTime()}.
     */
    public Instant offeredUntil() {
        return offeredUntil;
    }

    /** Whether the SA may no longer be used at {@code now} (expired from the expiry time on). */
    public boolean isExpired(Instant now) {
        return !now.isBefore(expiryTime);
    }

    public PeerInfo client() {
        return client;
    }

    public PeerInfo server() {
        return server;
    }

    /** Zeroes the secret; idempotent. The rest of the SA stays readable (e.g. for logs). */
    @Override
    public synchronized void destroy() {
        Arrays.fill(masterSecret, (byte) 0);
        destroyed = true;
    }

    @Override
    public synchronized boolean isDestroyed() {
        return destroyed;
    }

    /** Session id, version, suite, lifetime and identities; never the secret. */
    @Override
    public String toString() {
        return "SecurityAssociation[id=" + sessionIdHex
                + ", version=" + protocolVersion
                + ", suite=" + cipherSuite
                + ", lifetime=" + lifetime.getSeconds() + "s"
                + ", created=" + creationTime
                + ", client=" + client.identity()
                + ", server=" + server.identity() + server.address().map(a -> " at " + a).orElse("")
                + (isDestroyed() ? ", destroyed" : "") + "]";
    }

    /**
     * Collects the parts of an SA. {@link #build()} consumes the master secret: on success the
     * builder's copy moves into the SA, on failure it is zeroed; either way the builder forgets it, so
     * no stray copy outlives the call. Protocol version defaults to TLSv1.2 and extended master secret
     * to on, as the key server always generates TLS 1.2 SAs; a TLS 1.3 SA ignores extended master secret.
     */
    public static final class Builder {
        private byte[] sessionId;
        private String cipherSuite;
        private String protocolVersion = CipherSuites.TLS_1_2;
        private boolean extendedMasterSecret = true;
        private byte[] masterSecret;
        private Duration lifetime;
        private Instant creationTime;
        private PeerInfo client;
        private PeerInfo server;

        private Builder() {
        }

        /** 32 bytes; copied. */
        public Builder sessionId(byte[] sessionId) {
            this.sessionId = Objects.requireNonNull(sessionId, "session id").clone();
            return this;
        }

        public Builder cipherSuite(String cipherSuite) {
            this.cipherSuite = cipherSuite;
            return this;
        }

        /**
         * {@code "TLSv1.2"} or {@code "TLSv1.3"}; {@link #build()} checks that the suite and the secret's length
         * fit it (48 bytes for TLS 1.2, {@link CipherSuites#hashLength} for TLS 1.3).
         */
        public Builder protocolVersion(String protocolVersion) {
            this.protocolVersion = protocolVersion;
            return this;
        }

        public Builder extendedMasterSecret(boolean extendedMasterSecret) {
            this.extendedMasterSecret = extendedMasterSecret;
            return this;
        }

        /** The master secret (48 bytes) or PSK (32 or 48); copied, so the caller can (and should) zero its own array. */
        public Builder masterSecret(byte[] masterSecret) {
            Objects.requireNonNull(masterSecret, "master secret");
            forgetMasterSecret();
            this.masterSecret = masterSecret.clone();
            return this;
        }

        /** More than zero, at most {@link #MAX_LIFETIME}, whole seconds. */
        public Builder lifetime(Duration lifetime) {
            this.lifetime = lifetime;
            return this;
        }

        public Builder creationTime(Instant creationTime) {
            this.creationTime = creationTime;
            return this;
        }

        public Builder client(PeerInfo client) {
            this.client = client;
            return this;
        }

        public Builder server(PeerInfo server) {
            this.server = server;
            return this;
        }

        /** Validates and builds; consumes the master secret (see the class comment). */
        public SecurityAssociation build() {
            byte[] secret = masterSecret;
            masterSecret = null;
            try {
                return new SecurityAssociation(this, secret);
            } catch (RuntimeException e) {
                if (secret != null) {
                    Arrays.fill(secret, (byte) 0);
                }
                throw e;
            }
        }

        private void forgetMasterSecret() {
            if (masterSecret != null) {
                Arrays.fill(masterSecret, (byte) 0);
                masterSecret = null;
            }
        }
    }
}
