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
        "TLS_AES_128_GCM_SHA256, 1301",
        "TLS_AES_256_GCM_SHA384, 1302",
        "TLS_CHACHA20_POLY1305_SHA256, 1303",
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
        assertEquals(25, CipherSuites.names().size());
    }

    @Test
    void knowsOnlyTheListedSuites() {
        assertTrue(CipherSuites.isKnown("TLS_RSA_WITH_AES_128_GCM_SHA256"));
        assertTrue(CipherSuites.isKnown("TLS_AES_128_GCM_SHA256"), "TLS 1.3 SAs are external PSKs");
        assertFalse(CipherSuites.isKnown("TLS_AES_128_CCM_SHA256"), "OpenSSL does not enable it by default");
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
        "TLS_AES_128_GCM_SHA256, true",
        "TLS_AES_256_GCM_SHA384, true",
        "TLS_CHACHA20_POLY1305_SHA256, true",
    })
    void onlyAeadSuitesWithForwardSecrecyAreIssuableByDefault(String name, boolean issuable) {
        assertEquals(issuable, CipherSuites.isAeadWithForwardSecrecy(name));
    }

    @Test
    void everyKnownSuiteIsClassified() {
        long modern = CipherSuites.names().stream().filter(CipherSuites::isAeadWithForwardSecrecy).count();
        assertEquals(11, modern);
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CipherSuites.name(0x1304));
        assertEquals("unknown cipher suite code: 0x1304", e.getMessage());
    }

    @Test
    void tellsTls13SuitesFromTls12Ones() {
        for (String name : CipherSuites.names()) {
            boolean tls13 = name.equals("TLS_AES_128_GCM_SHA256") || name.equals("TLS_AES_256_GCM_SHA384")
                    || name.equals("TLS_CHACHA20_POLY1305_SHA256");
            assertEquals(tls13, CipherSuites.isTls13(name), name);
            assertEquals(tls13 ? "TLSv1.3" : "TLSv1.2", CipherSuites.protocolVersion(name), name);
        }
        assertFalse(CipherSuites.isTls13(null));
        assertFalse(CipherSuites.isTls13("TLS_AES_128_CCM_SHA256"));
        assertThrows(IllegalArgumentException.class, () -> CipherSuites.protocolVersion("TLS_FOO"));
    }

    @Test
    void aTls13SuitesPskIsAsLongAsItsHash() {
        assertEquals(32, CipherSuites.hashLength("TLS_AES_128_GCM_SHA256"));
        assertEquals(48, CipherSuites.hashLength("TLS_AES_256_GCM_SHA384"));
        assertEquals(32, CipherSuites.hashLength("TLS_CHACHA20_POLY1305_SHA256"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CipherSuites.hashLength("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        assertEquals("not a TLS 1.3 cipher suite: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", e.getMessage());
    }

    @Test
    void knowsTheTwoVersionsNewestFirst() {
        assertEquals(java.util.List.of("TLSv1.3", "TLSv1.2"), CipherSuites.PROTOCOL_VERSIONS);
        assertTrue(CipherSuites.isKnownVersion("TLSv1.2"));
        assertFalse(CipherSuites.isKnownVersion("TLSv1.1"));
        assertFalse(CipherSuites.isKnownVersion(null));
    }

    @Test
    void namesAreUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> CipherSuites.names().add("TLS_FOO"));
    }
}
