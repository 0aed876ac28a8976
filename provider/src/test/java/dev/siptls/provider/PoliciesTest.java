package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.CertificateAuthority;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy a provider publishes: when its deployer names no suites, the TLS 1.3 suites first, then the TLS 1.2
 * ones a key server issues by default; the versions those suites belong to, among those configured.
 */
class PoliciesTest {

    private static final String AOR = "sip:alice@example.com";
    private static final String ECDSA_128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

    @TempDir
    static Path dir;

    @BeforeAll
    static void stores() throws Exception {
        dev.siptls.sip.testing.TestPki pki = new dev.siptls.sip.testing.TestPki();
        char[] password = dev.siptls.sip.testing.TestPki.PASSWORD;
        CertificateAuthority.write(pki.agent(AOR).keyStore(), dir.resolve("alice.p12"), password);
        CertificateAuthority.write(pki.ca().trustStore(), dir.resolve("trust.p12"), password);
    }

    private static SipTlsConfiguration config(String... keysAndValues) {
        Properties p = new Properties();
        String password = new String(dev.siptls.sip.testing.TestPki.PASSWORD);
        p.setProperty("aor", AOR);
        p.setProperty("keyStore", "alice.p12");
        p.setProperty("keyStorePassword", password);
        p.setProperty("trustStore", "trust.p12");
        p.setProperty("trustStorePassword", password);
        p.setProperty("keyServer", "keyserver.example.com:5061");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return SipTlsConfiguration.fromProperties(p, dir);
    }

    @Test
    void theDefaultClientPolicyListsNoCbcOr3desSuite() {
        assertOnlyIssuable(Policies.defaultSuites(null));
    }

    @Test
    void theDefaultServerPolicyListsNoCbcOr3desSuite() {
        List<String> suites = Policies.defaultSuites(TestPki.SERVER.certificate());

        assertOnlyIssuable(suites);
        String marker = "EC".equals(TestPki.SERVER.certificate().getPublicKey().getAlgorithm()) ? "_ECDSA_" : "_RSA_";
        assertEquals(Policies.TLS13_SUITES, suites.subList(0, 3), "a PSK serves whatever the server's key");
        assertTrue(suites.subList(3, suites.size()).stream().allMatch(s -> s.contains(marker)),
                "TLS 1.2 suites for the server's key type: " + suites);
    }

    @Test
    void theDefaultPolicyListsTls13ThenTls12WithTheTls13SuitesFirst() {
        SecurityPolicy policy = Policies.policy(config(), List.of());

        assertEquals(List.of("TLSv1.3", "TLSv1.2"), policy.protocolVersions());
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"),
                policy.cipherSuites().subList(0, 3));
        assertTrue(policy.cipherSuites().subList(3, policy.cipherSuites().size()).stream()
                .noneMatch(CipherSuites::isTls13), policy.cipherSuites().toString());
        assertTrue(policy.cipherSuites().size() > 3, "TLS 1.2 suites follow");
    }

    @Test
    void configuredSuitesListOnlyTheirVersions() {
        assertEquals(List.of("TLSv1.2"), Policies.policy(config("suites", ECDSA_128), List.of()).protocolVersions());
        SecurityPolicy tls13 = Policies.policy(config("suites", "TLS_CHACHA20_POLY1305_SHA256"), List.of());
        assertEquals(List.of("TLSv1.3"), tls13.protocolVersions());
        assertEquals(List.of("TLS_CHACHA20_POLY1305_SHA256"), tls13.cipherSuites());
    }

    @Test
    void aTls12OnlyConfigurationPublishesNoTls13Suite() {
        SecurityPolicy policy = Policies.policy(config("protocols", "TLSv1.2"), List.of());

        assertEquals(List.of("TLSv1.2"), policy.protocolVersions());
        assertTrue(policy.cipherSuites().stream().noneMatch(CipherSuites::isTls13), policy.cipherSuites().toString());
    }

    @Test
    void aServerPolicyKeepsTheTls13SuitesItsConnectionsEnable() {
        SipTlsConfiguration config = config("serve", "localhost:8443");
        ServerSuites accepted = new ServerSuites();
        accepted.accept(new String[] {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", ECDSA_128,
                "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"});

        SecurityPolicy policy = Policies.policy(config, TestPki.SERVER.chain(), accepted);

        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", ECDSA_128), policy.cipherSuites());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), policy.protocolVersions());

        accepted.accept(new String[] {ECDSA_128});
        SecurityPolicy narrowed = Policies.policy(config, TestPki.SERVER.chain(), accepted);
        assertEquals(List.of(ECDSA_128), narrowed.cipherSuites());
        assertEquals(List.of("TLSv1.2"), narrowed.protocolVersions(), "no TLS 1.3 suite left, no TLS 1.3");
    }

    private static void assertOnlyIssuable(List<String> suites) {
        assertFalse(suites.isEmpty());
        for (String suite : suites) {
            assertFalse(suite.contains("CBC") || suite.contains("3DES") || suite.startsWith("TLS_RSA_WITH_"), suite);
            assertTrue(CipherSuites.isAeadWithForwardSecrecy(suite), suite);
        }
    }
}
