package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
