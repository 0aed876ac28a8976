package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A version is active only with a suite of its own, as SunJSSE reckons. */
class EnabledVersionsTest {

    private static final String[] BOTH = {"TLSv1.3", "TLSv1.2"};
    private static final String TLS13_SUITE = "TLS_AES_128_GCM_SHA256";
    private static final String TLS12_SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

    @Test
    void aVersionWithoutASuiteOfItsOwnIsNotActive() {
        assertArrayEquals(new String[] {"TLSv1.2"}, EnabledVersions.activeProtocols(BOTH,
                new String[] {TLS12_SUITE, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}));
        assertArrayEquals(new String[] {"TLSv1.3"}, EnabledVersions.activeProtocols(BOTH,
                new String[] {TLS13_SUITE, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}));
        assertArrayEquals(BOTH, EnabledVersions.activeProtocols(BOTH, new String[] {TLS13_SUITE, TLS12_SUITE}));
    }

    @Test
    void nothingActiveLeavesTheProtocolsAsTheyWere() {
        String[] only13 = {"TLSv1.3"};
        assertArrayEquals(only13, EnabledVersions.activeProtocols(only13, new String[] {TLS12_SUITE}));
    }

    @Test
    void usableSuitesAreThoseOfTheEnabledVersions() {
        String[] suites = {TLS13_SUITE, TLS12_SUITE};
        assertEquals(List.of(TLS12_SUITE), EnabledVersions.usableSuites(suites, new String[] {"TLSv1.2"}));
        assertEquals(List.of(TLS13_SUITE, TLS12_SUITE), EnabledVersions.usableSuites(suites, BOTH));
    }
}
