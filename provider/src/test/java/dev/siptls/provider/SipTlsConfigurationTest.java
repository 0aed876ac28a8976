package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.CertificateAuthority;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading sip-tls.properties: every key, its defaults, and refusals that name the key at fault. */
class SipTlsConfigurationTest {

    private static final String AOR = "sip:alice@example.com";
    private static final String PASSWORD = new String(dev.siptls.sip.testing.TestPki.PASSWORD);

    @TempDir
    static Path dir;

    @BeforeAll
    static void stores() throws Exception {
        dev.siptls.sip.testing.TestPki pki = new dev.siptls.sip.testing.TestPki();
        char[] password = dev.siptls.sip.testing.TestPki.PASSWORD;
        CertificateAuthority.write(pki.agent(AOR).keyStore(), dir.resolve("alice.p12"), password);
        CertificateAuthority.write(pki.identity("bob", List.of("sip:bob@example.com")).keyStore(),
                dir.resolve("bob.p12"), password);
        CertificateAuthority.write(pki.ca().trustStore(), dir.resolve("trust.p12"), password);
    }

    private static Properties minimal() {
        Properties p = new Properties();
        p.setProperty("aor", AOR);
        p.setProperty("keyStore", "alice.p12");
        p.setProperty("keyStorePassword", PASSWORD);
        p.setProperty("trustStore", "trust.p12");
        p.setProperty("trustStorePassword", PASSWORD);
        p.setProperty("keyServer", "keyserver.example.com:5061");
        return p;
    }

    @Test
    void minimalConfigurationTakesTheDefaults() {
        SipTlsConfiguration config = SipTlsConfiguration.fromProperties(minimal(), dir);

        assertEquals(AOR, config.aor());
        assertEquals(List.of(new HostPort("keyserver.example.com", 5061)), config.keyServers());
        assertTrue(config.keyServerName().isEmpty(), "each key server's own host is the name it must prove");
        assertTrue(config.keyServerSrv().isEmpty());
        assertEquals(List.of(), config.serve());
        assertEquals(List.of(), config.prefetch());
        assertEquals(List.of(), config.suites());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), config.protocols());
        assertTrue(config.maxLifetime().isEmpty());
        assertEquals(Duration.ofSeconds(2), config.requestTimeout());
        assertEquals(SipTlsConfiguration.Fallback.FULL, config.fallback());
        assertEquals(Duration.ofMinutes(10), config.registrationExpiry());
    }

    @Test
    void everyOptionalKeyIsRead() {
        Properties p = minimal();
        p.setProperty("keyServerName", "ks.example.com");
        p.setProperty("serve", "www.example.com:8443, 192.0.2.1:443");
        p.setProperty("suites", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        p.setProperty("maxLifetime", "1h");
        p.setProperty("requestTimeout", "500ms");
        p.setProperty("fallback", "fail");
        p.setProperty("registrationExpiry", "PT5M");
        p.setProperty("bindAddress", "127.0.0.1");
        p.setProperty("prefetch", "api.example.com:443,192.0.2.2:5433");

        SipTlsConfiguration config = SipTlsConfiguration.fromProperties(p, dir);

        assertEquals("ks.example.com", config.keyServerName().orElseThrow());
        assertEquals(List.of(new HostPort("www.example.com", 8443), new HostPort("192.0.2.1", 443)), config.serve());
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                config.suites());
        assertEquals(Duration.ofHours(1), config.maxLifetime().orElseThrow());
        assertEquals(Duration.ofMillis(500), config.requestTimeout());
        assertEquals(SipTlsConfiguration.Fallback.FAIL, config.fallback());
        assertEquals(Duration.ofMinutes(5), config.registrationExpiry());
        assertEquals("127.0.0.1", config.bindAddress().orElseThrow());
        assertEquals(List.of(new HostPort("api.example.com", 443), new HostPort("192.0.2.2", 5433)),
                config.prefetch());
    }

    @Test
    void prefetchIsValidatedAndBounded() {
        for (String bad : new String[]{"api.example.com", "api.example.com:0", "a.example.com:1,a.example.com:1"}) {
            Properties p = minimal();
            p.setProperty("prefetch", bad);
            String message = assertThrows(IllegalArgumentException.class,
                    () -> SipTlsConfiguration.fromProperties(p, dir)).getMessage();
            assertTrue(message.contains("prefetch"), message);
        }
        Properties p = minimal();
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= SipTlsConfiguration.MAX_PREFETCH + 1; i++) {
            many.append(many.isEmpty() ? "" : ",").append("peer").append(i).append(".example.com:443");
        }
        p.setProperty("prefetch", many.toString());
        String message = assertThrows(IllegalArgumentException.class,
                () -> SipTlsConfiguration.fromProperties(p, dir)).getMessage();
        assertTrue(message.contains("at most " + SipTlsConfiguration.MAX_PREFETCH), message);
    }

    @Test
    void unknownKeyIsRefusedByName() {
        Properties p = minimal();
        p.setProperty("fallBack", "fail");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> SipTlsConfiguration.fromProperties(p, dir));

        assertTrue(refused.getMessage().contains("[fallBack]"), refused.getMessage());
    }

    @Test
    void severalKeyServersAreReadInTheirOrder() {
        Properties p = minimal();
        p.setProperty("keyServer", "ks1.example.com:5061, ks2.example.com:5062,[::1]:5063");

        SipTlsConfiguration config = SipTlsConfiguration.fromProperties(p, dir);

        assertEquals(List.of(new HostPort("ks1.example.com", 5061), new HostPort("ks2.example.com", 5062),
                new HostPort("::1", 5063)), config.keyServers());
    }

    @Test
    void anSrvNameAndItsResolverAreRead() {
        Properties p = minimal();
        p.setProperty("keyServer", "srv:_sips._tcp.example.com");
        p.setProperty("keyServer.resolver", "dns://127.0.0.1:5353");

        SipTlsConfiguration config = SipTlsConfiguration.fromProperties(p, dir);

        assertEquals("_sips._tcp.example.com", config.keyServerSrv().orElseThrow());
        assertEquals("dns://127.0.0.1:5353", config.keyServerResolver().orElseThrow());
        assertEquals(List.of(), config.keyServers());
    }

    @Test
    void malformedKeyServerEntriesAreRefusedNamingTheEntry() {
        Map<String, String> cases = Map.of(
                "ks1.example.com:5061,ks2.example.com", "'ks2.example.com' is not host:port",
                "ks1.example.com:5061,ks1.example.com:5061", "listed twice",
                "srv:example.com", "'example.com' is not an SRV name",
                " , ", "lists no key server");
        cases.forEach((value, expected) -> {
            Properties p = minimal();
            p.setProperty("keyServer", value);
            String message = assertThrows(IllegalArgumentException.class,
                    () -> SipTlsConfiguration.fromProperties(p, dir)).getMessage();
            assertTrue(message.contains("keyServer") && message.contains(expected), value + " -> " + message);
        });
    }

    @Test
    void aResolverIsRefusedUnlessWellFormedAndForAnSrvName() {
        Properties p = minimal();
        p.setProperty("keyServer.resolver", "dns://127.0.0.1:5353");
        String message = assertThrows(IllegalArgumentException.class,
                () -> SipTlsConfiguration.fromProperties(p, dir)).getMessage();
        assertTrue(message.contains("keyServer.resolver") && message.contains("srv:"), message);

        p.setProperty("keyServer", "srv:_sips._tcp.example.com");
        p.setProperty("keyServer.resolver", "udp://127.0.0.1:5353");
        message = assertThrows(IllegalArgumentException.class,
                () -> SipTlsConfiguration.fromProperties(p, dir)).getMessage();
        assertTrue(message.contains("keyServer.resolver") && message.contains("not a DNS resolver URL"), message);
    }

    @Test
    void missingAorIsRefused() {
        Properties p = minimal();
        p.remove("aor");

        assertTrue(assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                .getMessage().contains("'aor' is required"));
    }

    @Test
    void requestTimeoutOutsideItsBoundsIsRefused() {
        for (String timeout : List.of("10ms", "11s")) {
            Properties p = minimal();
            p.setProperty("requestTimeout", timeout);

            assertTrue(assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                    .getMessage().contains("'requestTimeout' must lie within 50ms..10s"));
        }
    }

    @Test
    void keepAliveAndAwaitRegistrationDefaultToAboutTwentySecondsOfDetectionAndNoWait() {
        SipTlsConfiguration config = SipTlsConfiguration.fromProperties(minimal(), dir);

        assertEquals(Duration.ofSeconds(15), config.keepAliveInterval());
        assertEquals(Duration.ofSeconds(5), config.keepAliveTimeout());
        assertEquals(Duration.ZERO, config.awaitRegistration());
    }

    @Test
    void keepAliveAndAwaitRegistrationAreRead() {
        Properties p = minimal();
        p.setProperty("keepAliveInterval", "90s");
        p.setProperty("keepAliveTimeout", "500ms");
        p.setProperty("awaitRegistration", "10s");

        SipTlsConfiguration config = SipTlsConfiguration.fromProperties(p, dir);

        assertEquals(Duration.ofSeconds(90), config.keepAliveInterval());
        assertEquals(Duration.ofMillis(500), config.keepAliveTimeout());
        assertEquals(Duration.ofSeconds(10), config.awaitRegistration());
        p.setProperty("awaitRegistration", "0");
        assertEquals(Duration.ZERO, SipTlsConfiguration.fromProperties(p, dir).awaitRegistration());
    }

    @Test
    void keepAliveAndAwaitRegistrationOutsideTheirBoundsAreRefused() {
        Map<String, List<String>> outside = Map.of("keepAliveInterval", List.of("50ms", "2h", "0"),
                "keepAliveTimeout", List.of("99ms", "61s"), "awaitRegistration", List.of("61s", "-1s"));
        outside.forEach((key, values) -> {
            for (String value : values) {
                Properties p = minimal();
                p.setProperty(key, value);

                String message = assertThrows(IllegalArgumentException.class,
                        () -> SipTlsConfiguration.fromProperties(p, dir), key + "=" + value).getMessage();
                assertTrue(message.contains("'" + key + "'"), message);
            }
        });
    }

    @Test
    void passwordFromAnUnsetEnvironmentVariableIsRefused() {
        Properties p = minimal();
        p.remove("keyStorePassword");
        p.setProperty("keyStorePassword.env", "SIPTLS_SURELY_UNSET_VARIABLE");

        assertTrue(assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                .getMessage().contains("environment variable SIPTLS_SURELY_UNSET_VARIABLE"));
    }

    @Test
    void passwordAndItsEnvironmentVariableTogetherAreRefused() {
        Properties p = minimal();
        p.setProperty("keyStorePassword.env", "HOME");

        assertTrue(assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                .getMessage().contains("not both"));
    }

    @Test
    void wrongKeyStorePasswordIsReportedWithoutThePassword() {
        Properties p = minimal();
        p.setProperty("keyStorePassword", "not-the-password");

        String message = assertThrows(IllegalArgumentException.class,
                () -> SipTlsConfiguration.fromProperties(p, dir)).getMessage();

        assertTrue(message.contains("'keyStore' cannot load PKCS12 key store"), message);
        assertFalse(message.contains("not-the-password"), message);
    }

    @Test
    void keyStoreThatDoesNotProveTheAorIsRefused() {
        Properties p = minimal();
        p.setProperty("keyStore", "bob.p12");

        assertTrue(assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                .getMessage().contains("does not prove " + AOR));
    }

    @Test
    void undistributableSuiteIsRefused() {
        Properties p = minimal();
        p.setProperty("suites", "TLS_AES_128_CCM_SHA256");

        assertTrue(assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                .getMessage().contains("'suites' unknown or not distributable cipher suite TLS_AES_128_CCM_SHA256"));
    }

    @Test
    void protocolsAreReadInTheirOrder() {
        Properties p = minimal();
        p.setProperty("protocols", " TLSv1.2 ");
        assertEquals(List.of("TLSv1.2"), SipTlsConfiguration.fromProperties(p, dir).protocols());
        p.setProperty("protocols", "TLSv1.2,TLSv1.3");
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), SipTlsConfiguration.fromProperties(p, dir).protocols());
    }

    @Test
    void unknownRepeatedOrNoProtocolsAreRefused() {
        Properties p = minimal();
        for (String[] bad : new String[][] {
            {"TLSv1.1", "'protocols' unknown TLS version TLSv1.1 (SIP-TLS knows TLSv1.3, TLSv1.2)"},
            {"tlsv1.3", "'protocols' unknown TLS version tlsv1.3"},
            {"TLSv1.3,TLSv1.3", "'protocols' listed twice: TLSv1.3"},
            {",", "'protocols' lists no version"},
        }) {
            p.setProperty("protocols", bad[0]);
            String m = assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                    .getMessage();
            assertTrue(m.contains(bad[1]), m);
        }
    }

    @Test
    void aSuiteOfAVersionProtocolsDoesNotListIsRefused() {
        Properties p = minimal();
        p.setProperty("protocols", "TLSv1.2");
        p.setProperty("suites", "TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");

        String m = assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.fromProperties(p, dir))
                .getMessage();

        assertTrue(m.contains("'suites' TLS_AES_128_GCM_SHA256 is a TLSv1.3 suite, but 'protocols' (TLSv1.2) does not"
                + " list TLSv1.3"), m);
    }

    @Test
    void toStringShowsNoPassword() {
        assertFalse(SipTlsConfiguration.fromProperties(minimal(), dir).toString().contains(PASSWORD));
    }

    @Test
    void durationsTakeSecondsUnitsOrIso8601() {
        assertEquals(Duration.ofSeconds(30), SipTlsConfiguration.duration("30"));
        assertEquals(Duration.ofMillis(500), SipTlsConfiguration.duration("500ms"));
        assertEquals(Duration.ofSeconds(2), SipTlsConfiguration.duration("2s"));
        assertEquals(Duration.ofMinutes(10), SipTlsConfiguration.duration("10m"));
        assertEquals(Duration.ofHours(1), SipTlsConfiguration.duration("1h"));
        assertEquals(Duration.ofSeconds(2), SipTlsConfiguration.duration("PT2S"));
        assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.duration("soon"));
        assertThrows(IllegalArgumentException.class, () -> SipTlsConfiguration.duration("0"));
    }
}
