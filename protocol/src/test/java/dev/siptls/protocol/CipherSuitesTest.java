package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CipherSuitesTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, C02F",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, C02C",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, CCA8",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, CCA9",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, C028",
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, 009E",
        "TLS_RSA_WITH_AES_128_CBC_SHA, 002F",
        "TLS_RSA_WITH_AES_256_CBC_SHA, 0035",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA, 000A",
    })
    void codesAreTheIanaOnes(String name, String hex) {
        assertEquals(Integer.parseInt(hex, 16), CipherSuites.code(name));
        assertEquals(name, CipherSuites.name(Integer.parseInt(hex, 16)));
    }

    @Test
    void everyNameMapsToAUniqueCodeAndBack() {
        for (String name : CipherSuites.names()) {
            assertEquals(name, CipherSuites.name(CipherSuites.code(name)));
        }
        assertEquals(22, CipherSuites.names().size());
    }

    @Test
    void knowsOnlyTheListedSuites() {
        assertTrue(CipherSuites.isKnown("TLS_RSA_WITH_AES_128_GCM_SHA256"));
        assertFalse(CipherSuites.isKnown("TLS_AES_128_GCM_SHA256"), "TLS 1.3 suites cannot be resumed from an SA");
        assertFalse(CipherSuites.isKnown("tls_rsa_with_aes_128_gcm_sha256"), "names are exact");
        assertFalse(CipherSuites.isKnown(null));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, true",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, true",
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, true",
        "TLS_RSA_WITH_AES_128_GCM_SHA256, false",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, false",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, false",
        "TLS_RSA_WITH_AES_128_CBC_SHA, false",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA, false",
        "TLS_RSA_WITH_RC4_128_MD5, false",
        "TLS_NULL_WITH_NULL_NULL, false",
    })
    void onlyAeadSuitesWithForwardSecrecyAreIssuableByDefault(String name, boolean issuable) {
        assertEquals(issuable, CipherSuites.isAeadWithForwardSecrecy(name));
    }

    @Test
    void everyKnownSuiteIsClassified() {
        long modern = CipherSuites.names().stream().filter(CipherSuites::isAeadWithForwardSecrecy).count();
        assertEquals(8, modern);
        assertFalse(CipherSuites.isAeadWithForwardSecrecy(null));
    }

    @Test
    void refusesUnknownNameWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CipherSuites.code("TLS_NULL_WITH_NULL_NULL"));
        assertEquals("unknown cipher suite: TLS_NULL_WITH_NULL_NULL", e.getMessage());
    }

    @Test
    void refusesUnknownCode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CipherSuites.name(0x1301));
        assertEquals("unknown cipher suite code: 0x1301", e.getMessage());
    }

    @Test
    void namesAreUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> CipherSuites.names().add("TLS_FOO"));
    }
}
