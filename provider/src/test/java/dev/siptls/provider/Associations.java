package dev.siptls.provider;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PeerInfo;
import dev.siptls.protocol.SecurityAssociation;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Security associations as a key server would generate them, for a server on localhost. */
final class Associations {

    static final String SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] sessionId;
    private final byte[] masterSecret;
    private Instant creationTime = Instant.now();
    private Duration lifetime = Duration.ofHours(1);
    private List<X509Certificate> serverChain = TestPki.SERVER.chain();
    private List<X509Certificate> clientChain = List.of();

    private Associations(byte[] sessionId, byte[] masterSecret) {
        this.sessionId = sessionId;
        this.masterSecret = masterSecret;
    }

    /** A fresh SA content: new session id and master secret. */
    static Associations fresh() {
        return new Associations(random(32), random(48));
    }

    /** The same session id and master secret, to be changed apart from this one. */
    Associations copy() {
        Associations copy = new Associations(sessionId, masterSecret);
        copy.creationTime = creationTime;
        copy.lifetime = lifetime;
        copy.serverChain = serverChain;
        copy.clientChain = clientChain;
        return copy;
    }

    Associations createdAt(Instant time) {
        creationTime = time;
        return this;
    }

    Associations lifetime(Duration duration) {
        lifetime = duration;
        return this;
    }

    Associations serverChain(List<X509Certificate> chain) {
        serverChain = chain;
        return this;
    }

    Associations clientChain(List<X509Certificate> chain) {
        clientChain = chain;
        return this;
    }

    byte[] sessionId() {
        return sessionId.clone();
    }

    /** One peer's copy of the SA for a server at localhost:port. */
    SecurityAssociation forServerAt(int port) {
        return build(port, masterSecret);
    }

    /** One peer's copy of a TLS 1.3 SA (TLS_AES_128_GCM_SHA256, a 32-byte PSK) for a server at localhost:port. */
    SecurityAssociation forTls13ServerAt(int port) {
        return build(port, java.util.Arrays.copyOf(masterSecret, 32), "TLS_AES_128_GCM_SHA256", "TLSv1.3");
    }

    /** The same session id with another master secret: what a forger would hold. */
    SecurityAssociation forgedForServerAt(int port) {
        return build(port, random(48));
    }

    private SecurityAssociation build(int port, byte[] secret) {
        return build(port, secret, SUITE, "TLSv1.2");
    }

    private SecurityAssociation build(int port, byte[] secret, String suite, String version) {
        return SecurityAssociation.builder()
                .sessionId(sessionId)
                .cipherSuite(suite)
                .protocolVersion(version)
                .extendedMasterSecret(true)
                .masterSecret(secret)
                .lifetime(lifetime)
                .creationTime(creationTime)
                .client(PeerInfo.builder().random(random(32)).identity("sip:alice@example.com")
                        .certificateChain(clientChain).build())
                .server(PeerInfo.builder().random(random(32)).identity("sip:bob@example.com")
                        .address(new HostPort("localhost", port)).certificateChain(serverChain).build())
                .build();
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
