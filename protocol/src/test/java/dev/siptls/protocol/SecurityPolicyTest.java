package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityPolicyTest {

    private static SecurityPolicy.Builder clientPolicy() {
        return SecurityPolicy.builder().cipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    }

    private static String refusal(SecurityPolicy.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void keepsSuitesInPreferenceOrder() {
        SecurityPolicy p = SecurityPolicy.builder()
                .cipherSuites(List.of("TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
                .cipherSuite("TLS_RSA_WITH_3DES_EDE_CBC_SHA")
                .build();
        assertEquals(List.of("TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_RSA_WITH_3DES_EDE_CBC_SHA"), p.cipherSuites());
    }

    @Test
    void pureClientPolicyHasNoBindingsNoChainNoMaxLifetime() {
        SecurityPolicy p = clientPolicy().build();
        assertEquals(List.of(), p.bindings());
        assertEquals(List.of(), p.certificateChain());
        assertTrue(p.maxLifetime().isEmpty());
    }

    @Test
    void refusesPolicyWithoutSuites() {
        assertEquals("a policy needs at least one cipher suite", refusal(SecurityPolicy.builder()));
    }

    @Test
    void refusesUnknownSuite() {
        assertEquals("unknown cipher suite: TLS_FOO", refusal(clientPolicy().cipherSuite("TLS_FOO")));
    }

    @Test
    void refusesDuplicateSuite() {
        assertEquals("duplicate cipher suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                refusal(clientPolicy().cipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")));
    }

    @Test
    void refusesBindingsWithoutCertificateChain() {
        assertEquals("bindings need a certificate chain",
                refusal(clientPolicy().binding(HostPort.parse("www.example.com:443"))));
    }

    @Test
    void refusesDuplicateBinding() {
        HostPort hp = HostPort.parse("www.example.com:443");
        assertEquals("duplicate binding: www.example.com:443",
                refusal(clientPolicy().certificateChain(TestData.serverChain()).binding(hp).binding(hp)));
    }

    @Test
    void refusesMaxLifetimeOutsideOneSecondToOneDay() {
        assertTrue(refusal(clientPolicy().maxLifetime(Duration.ZERO)).contains("must be positive"));
        assertTrue(refusal(clientPolicy().maxLifetime(Duration.ofDays(2))).contains("exceeds the maximum"));
        assertTrue(refusal(clientPolicy().maxLifetime(Duration.ofMillis(1500))).contains("whole seconds"));
    }

    @Test
    void hasValueEquality() {
        assertEquals(TestData.serverPolicy(), TestData.serverPolicy());
        assertEquals(TestData.serverPolicy().hashCode(), TestData.serverPolicy().hashCode());
        assertNotEquals(TestData.serverPolicy(), clientPolicy().build());
    }

    @Test
    void listsAreUnmodifiable() {
        SecurityPolicy p = TestData.serverPolicy();
        assertThrows(UnsupportedOperationException.class, () -> p.cipherSuites().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.bindings().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.certificateChain().clear());
    }

    @Test
    void aPolicyThatNamesNoVersionAcceptsTls12Only() {
        SecurityPolicy p = clientPolicy().build();
        assertEquals(List.of("TLSv1.2"), p.protocolVersions());
        assertTrue(p.accepts("TLSv1.2"));
        assertFalse(p.accepts("TLSv1.3"));
        assertEquals(p, clientPolicy().protocolVersions(List.of("TLSv1.2")).build());
    }

    @Test
    void keepsVersionsAndTls13SuitesInOrder() {
        SecurityPolicy p = SecurityPolicy.builder().protocolVersions(List.of("TLSv1.3", "TLSv1.2"))
                .cipherSuites(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
                .build();
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), p.protocolVersions());
        assertEquals("TLS_AES_256_GCM_SHA384", p.cipherSuites().get(0));
        assertTrue(p.toString().contains("protocolVersions=[TLSv1.3, TLSv1.2]"), p.toString());
        assertFalse(p.equals(SecurityPolicy.builder().protocolVersions(List.of("TLSv1.2", "TLSv1.3"))
                .cipherSuites(p.cipherSuites()).build()));
    }

    @Test
    void aTls13OnlyPolicyListsOnlyTls13Suites() {
        SecurityPolicy p = SecurityPolicy.builder().protocolVersions(List.of("TLSv1.3"))
                .cipherSuite("TLS_CHACHA20_POLY1305_SHA256").build();
        assertEquals(List.of("TLSv1.3"), p.protocolVersions());
        assertEquals("cipher suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is a TLSv1.2 suite, but the policy does not"
                + " list TLSv1.2", refusal(SecurityPolicy.builder().protocolVersions(List.of("TLSv1.3"))
                        .cipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")));
    }

    @Test
    void refusesATls13SuiteWithoutTls13() {
        assertEquals("cipher suite TLS_AES_128_GCM_SHA256 is a TLSv1.3 suite, but the policy does not list TLSv1.3",
                refusal(clientPolicy().cipherSuite("TLS_AES_128_GCM_SHA256")));
    }

    @Test
    void refusesUnknownAndDuplicateVersions() {
        assertEquals("unknown protocol version \"TLSv1.1\", only TLSv1.3 or TLSv1.2",
                refusal(clientPolicy().protocolVersions(List.of("TLSv1.2", "TLSv1.1"))));
        assertEquals("unknown protocol version \"tlsv1.3\", only TLSv1.3 or TLSv1.2",
                refusal(clientPolicy().protocolVersions(List.of("tlsv1.3"))));
        assertEquals("duplicate protocol version: TLSv1.2",
                refusal(clientPolicy().protocolVersions(List.of("TLSv1.2", "TLSv1.2"))));
        assertEquals("unknown protocol version null, only TLSv1.3 or TLSv1.2",
                refusal(clientPolicy().protocolVersions(java.util.Arrays.asList("TLSv1.2", null))));
    }

    @Test
    void withPossessionKeepsTheVersions() {
        SecurityPolicy p = SecurityPolicy.builder().protocolVersions(List.of("TLSv1.3", "TLSv1.2"))
                .cipherSuite("TLS_AES_128_GCM_SHA256").cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
                .binding(HostPort.parse("www.example.com:8443")).certificateChain(TestData.serverChain()).build();
        SecurityPolicy proven = p.withPossession(new byte[] {1, 2, 3});
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), proven.protocolVersions());
        assertEquals(p.cipherSuites(), proven.cipherSuites());
    }

    @Test
    void toStringShowsSuitesAndBindings() {
        String s = TestData.serverPolicy().toString();
        assertTrue(s.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), s);
        assertTrue(s.contains("www.example.com:8443"), s);
        assertTrue(s.contains("maxLifetime=3600s"), s);
    }

    @Test
    void aPossessionProofIsPartOfTheValueButNeverShown() {
        byte[] signature = TestData.bytes(64, 0x41);
        SecurityPolicy plain = TestData.serverPolicy();
        SecurityPolicy proven = plain.withPossession(signature);
        signature[0] = 0;

        assertNotEquals(plain, proven);
        assertEquals(proven, plain.withPossession(TestData.bytes(64, 0x41)));
        assertEquals(0x41, proven.possession().orElseThrow()[0]);
        assertEquals(plain.bindings(), proven.bindings());
        assertEquals(plain.maxLifetime(), proven.maxLifetime());
        assertTrue(proven.toString().endsWith(", possession proof]"), proven.toString());
        assertTrue(!proven.toString().contains("QUJD"), proven.toString());
    }

    @Test
    void refusesAPossessionProofWithoutAChain() {
        assertEquals("a possession proof needs a certificate chain",
                refusal(clientPolicy().possession(new byte[64])));
    }
}
