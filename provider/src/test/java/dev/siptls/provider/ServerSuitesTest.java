package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The suites a server's connections have all enabled: only a connection that takes one away changes them. */
class ServerSuitesTest {

    private static final String AES128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    private static final String CHACHA = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    private static final List<String> DEFAULTS = List.of(CHACHA, AES256, AES128);

    private final ServerSuites suites = new ServerSuites();

    @Test
    void beforeAnyConnectionEverySuiteCounts() {
        assertEquals(DEFAULTS, suites.filter(DEFAULTS));
    }

    @Test
    void theFirstConnectionNarrowsAndTheSameListAgainChangesNothing() {
        assertTrue(suites.accept(new String[] {"TLS_AES_128_GCM_SHA256", AES128, AES256}));
        assertFalse(suites.accept(new String[] {"TLS_AES_128_GCM_SHA256", AES128, AES256}));
        assertFalse(suites.accept(new String[] {AES256, CHACHA, "TLS_AES_128_GCM_SHA256", AES128}),
                "a wider list takes nothing away");

        assertEquals(List.of(AES256, AES128), suites.filter(DEFAULTS));
    }

    @Test
    void tls13SuitesThatEveryConnectionEnablesAreKept() {
        List<String> withTls13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", AES128);
        suites.accept(new String[] {"TLS_AES_256_GCM_SHA384", AES128, "TLS_AES_128_GCM_SHA256"});
        assertEquals(withTls13, suites.filter(withTls13));

        assertTrue(suites.accept(new String[] {"TLS_AES_128_GCM_SHA256", AES128}));
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", AES128), suites.filter(withTls13));
    }

    @Test
    void connectionsWithDisjointListsLeaveNothing() {
        suites.accept(new String[] {AES128});
        assertTrue(suites.accept(new String[] {AES256}));

        assertEquals(List.of(), suites.filter(DEFAULTS));
        assertEquals("(none SIP-TLS can distribute)", suites.describe());
    }
}
