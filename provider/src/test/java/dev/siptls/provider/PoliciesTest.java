package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.CipherSuites;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The suites a provider publishes when its deployer names none: only those a key server issues by default. */
class PoliciesTest {

    @Test
    void theDefaultClientPolicyListsNoCbcOr3desSuite() {
        assertOnlyIssuable(Policies.defaultSuites(null));
    }

    @Test
    void theDefaultServerPolicyListsNoCbcOr3desSuite() {
        List<String> suites = Policies.defaultSuites(TestPki.SERVER.certificate());

        assertOnlyIssuable(suites);
        String marker = "EC".equals(TestPki.SERVER.certificate().getPublicKey().getAlgorithm()) ? "_ECDSA_" : "_RSA_";
        assertTrue(suites.stream().allMatch(s -> s.contains(marker)), "suites for the server's key type: " + suites);
    }

    private static void assertOnlyIssuable(List<String> suites) {
        assertFalse(suites.isEmpty());
        for (String suite : suites) {
            assertFalse(suite.contains("CBC") || suite.contains("3DES") || suite.startsWith("TLS_RSA_WITH_"), suite);
            assertTrue(CipherSuites.isAeadWithForwardSecrecy(suite), suite);
        }
    }
}
