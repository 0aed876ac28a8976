package dev.siptls.agent;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PeerInfo;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ThreadLocalRandom;

/** SAs and a clock for unit tests. */
final class TestAssociations {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private TestAssociations() {
    }

    static SecurityAssociation sa(String client, String server, HostPort address, Instant created, Duration lifetime) {
        return builder(client, server, address, created, lifetime).build();
    }

    static SecurityAssociation.Builder builder(String client, String server, HostPort address, Instant created,
            Duration lifetime) {
        return SecurityAssociation.builder()
                .sessionId(random(32))
                .cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
                .masterSecret(random(48))
                .lifetime(lifetime)
                .creationTime(created)
                .client(PeerInfo.builder().random(random(32)).identity(client).build())
                .server(PeerInfo.builder().random(random(32)).identity(server).address(address).build());
    }

    /** A TLS 1.3 SA of {@code suite}, its PSK as long as the suite's hash. */
    static SecurityAssociation tls13(String client, String server, HostPort address, Instant created,
            Duration lifetime, String suite) {
        return builder(client, server, address, created, lifetime).protocolVersion("TLSv1.3").cipherSuite(suite)
                .masterSecret(random(dev.siptls.protocol.CipherSuites.hashLength(suite))).build();
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }
}
