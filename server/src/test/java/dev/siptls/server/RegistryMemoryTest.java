package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.testing.TestPki;
import java.lang.management.ManagementFactory;
import dev.siptls.sip.Flow;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Registrations, each with a TLS-server policy and its chain, stay within 4 KiB apiece, so 100,000 fit a
 * 512 MiB heap with room to spare. Measured on 25,000 to keep the test short.
 */
class RegistryMemoryTest {

    private static final int REGISTRATIONS = 25_000;

    @Test
    void aRegistrationWithItsPolicyTakesLessThanFourKibibytes() throws Exception {
        TestPki pki = new TestPki();
        SecurityPolicy template = SecurityPolicy.builder()
                .cipherSuites(List.of(Fixture.SUITE_128, Fixture.SUITE_256, Fixture.SUITE_RSA))
                .maxLifetime(Duration.ofHours(1))
                .certificateChain(pki.identity("www", List.of("*.example.com")).chain())
                .binding(new HostPort("placeholder.example.com", 443))
                .build();
        // One real connection shared by every registration, as with an edge proxy: the flow costs nothing each.
        try (Fixture fixture = new Fixture()) {
            fixture.client("sip:probe@example.com");
            Flow flow = fixture.server.flowOf("sip:probe@example.com").orElseThrow();
            long before = usedHeap();
            Registry registry = new Registry();
            long now = System.currentTimeMillis();
            for (int i = 0; i < REGISTRATIONS; i++) {
                String aor = "sip:user" + i + "@example.com";
                registry.register(aor, flow,
                        MessageDigest.getInstance("SHA-256").digest(aor.getBytes()), now + 600_000, () -> new byte[32]);
                SecurityPolicy policy = SecurityPolicy.builder().cipherSuites(template.cipherSuites())
                        .maxLifetime(Duration.ofHours(1)).certificateChain(template.certificateChain())
                        .binding(new HostPort("host" + i + ".example.com", 443)).build();
                registry.setPolicy(aor, StoredPolicy.of(policy), now);
            }
            long perRegistration = (usedHeap() - before) / REGISTRATIONS;

            System.out.println("bytes per registration with policy: " + perRegistration);
            assertEquals(REGISTRATIONS, registry.policies());
            assertTrue(perRegistration < 4096, "bytes per registration: " + perRegistration);
        }
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
