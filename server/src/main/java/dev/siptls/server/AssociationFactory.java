package dev.siptls.server;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PeerInfo;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SuiteOffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * Makes the security association for one client and one server from their policies (docs/PROTOCOL.md,
 * phase 2): the suite {@link SuiteChoice} picks (within the client connection's offer, if the request carried
 * one), which makes it a TLS 1.3 or a TLS 1.2 SA; fresh random session id (a TLS 1.3 SA's PSK identity), secret
 * (a 48-byte master secret, or a PSK as long as the TLS 1.3 suite's hash) and hello randoms; extended master
 * secret on for TLS 1.2; the shortest of the three lifetime limits.
 */
final class AssociationFactory {

    private final SecureRandom random;
    private final Duration maxLifetime;
    private final SuiteChoice suites;

    AssociationFactory(SecureRandom random, Duration maxLifetime, SuiteChoice suites) {
        this.random = random;
        this.maxLifetime = maxLifetime;
        this.suites = suites;
    }

    /**
     * The relay's early check: a suite both accept, in the server's order of preference; 488 if none. Whether
     * the key server issues it is decided when the SA is made ({@link #create}), which may still answer 488.
     */
    static String commonSuite(StoredPolicy client, StoredPolicy server, SuiteOffer offer) throws Refusal {
        return SuiteChoice.ANY_COMMON.choose(client, server, offer);
    }

    /** @param offer the suites the client connection offers, or null if the request named none */
    SecurityAssociation create(String clientAor, StoredPolicy client, String serverAor, StoredPolicy server,
            HostPort serverAddress, SuiteOffer offer) throws Refusal {
        String suite = suites.choose(client, server, offer);
        boolean tls13 = CipherSuites.isTls13(suite);
        Duration lifetime = maxLifetime;
        lifetime = min(lifetime, client.maxLifetime().orElse(lifetime));
        lifetime = min(lifetime, server.maxLifetime().orElse(lifetime));
        byte[] secret = bytes(tls13 ? CipherSuites.hashLength(suite) : 48);
        try {
            return SecurityAssociation.builder()
                    .sessionId(bytes(32))
                    .cipherSuite(suite)
                    .protocolVersion(CipherSuites.protocolVersion(suite))
                    .extendedMasterSecret(true)
                    .masterSecret(secret)
                    .lifetime(lifetime)
                    .creationTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                    .client(PeerInfo.builder().random(bytes(32)).identity(clientAor)
                            .certificateChain(client.certificateChain()).build())
                    .server(PeerInfo.builder().random(bytes(32)).identity(serverAor).address(serverAddress)
                            .certificateChain(server.certificateChain()).build())
                    .build();
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
