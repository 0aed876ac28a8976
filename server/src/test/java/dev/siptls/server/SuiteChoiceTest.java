package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which suite the key server puts in an SA, over real mutual TLS: the TLS server's preference wins, and only
 * AEAD suites with forward secrecy are issued unless the deployer allows legacy ones.
 */
class SuiteChoiceTest {

    private static final String CBC_SHA256 = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";
    private static final String CBC_SHA = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";
    private static final String TRIPLE_DES = "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    private static final String RSA_GCM = "TLS_RSA_WITH_AES_128_GCM_SHA256";

    private static Fixture fixture;
    private static Fixture legacyAllowed;

    @BeforeAll
    static void start() throws Exception {
        fixture = new Fixture();
        legacyAllowed = new Fixture(b -> b.allowLegacySuites(true).name("legacy-keyserver"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        legacyAllowed.close();
    }

    @Test
    void theServersPreferenceWins() throws Exception {
        fixture.serverAgent("sip:pref-server@example.com", new HostPort("pref.example.com", 443),
                Fixture.SUITE_256, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:pref-client@example.com", Fixture.SUITE_128, Fixture.SUITE_256);

        assertEquals(Fixture.SUITE_256, suiteOf(client, client.invite("sips:pref-server@example.com")));
    }

    @Test
    void aLegacySuiteTheServerPrefersIsSkippedForAnIssuableOne() throws Exception {
        fixture.serverAgent("sip:skip-server@example.com", new HostPort("skip.example.com", 443),
                CBC_SHA256, RSA_GCM, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:skip-client@example.com", RSA_GCM, CBC_SHA256, Fixture.SUITE_128);

        assertEquals(Fixture.SUITE_128, suiteOf(client, client.invite("sips:skip-server@example.com")));
    }

    @Test
    void policiesSharingOnlyCbcSuitesGet488() throws Exception {
        fixture.serverAgent("sip:cbc-server@example.com", new HostPort("cbc.example.com", 443), CBC_SHA256, CBC_SHA);
        TestAgent client = fixture.client("sip:cbc-client@example.com", CBC_SHA, CBC_SHA256);

        Response refused = client.invite("sips:cbc-server@example.com");

        assertEquals(488, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().startsWith("No common cipher suite this key server issues"),
                refused.getReasonPhrase());
        assertEquals(1, fixture.refusals(488, "no-issuable-suite"));
    }

    @Test
    void policiesSharingOnly3desGet488() throws Exception {
        fixture.serverAgent("sip:des-server@example.com", new HostPort("des.example.com", 443), TRIPLE_DES,
                Fixture.SUITE_256);
        TestAgent client = fixture.client("sip:des-client@example.com", TRIPLE_DES, Fixture.SUITE_128);

        Response refused = client.invite("sips:des-server@example.com");

        assertEquals(488, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().contains("AEAD suites with forward secrecy"), refused.getReasonPhrase());
    }

    @Test
    void policiesSharingNoSuiteAtAllStillGetTheirOwn488() throws Exception {
        fixture.serverAgent("sip:none-server@example.com", new HostPort("none.example.com", 443), Fixture.SUITE_256);
        TestAgent client = fixture.client("sip:none-client@example.com", Fixture.SUITE_128);

        Response refused = client.invite("sips:none-server@example.com");

        assertEquals(488, refused.getStatusCode());
        assertEquals("No common cipher suite", refused.getReasonPhrase());
    }

    @Test
    void legacySuitesAreIssuedWhereTheDeployerAllowsThem() throws Exception {
        legacyAllowed.serverAgent("sip:old-server@example.com", new HostPort("old.example.com", 443), CBC_SHA,
                TRIPLE_DES);
        TestAgent cbc = legacyAllowed.client("sip:old-cbc@example.com", CBC_SHA);
        TestAgent des = legacyAllowed.client("sip:old-des@example.com", TRIPLE_DES);

        assertEquals(CBC_SHA, suiteOf(cbc, cbc.invite("sips:old-server@example.com")));
        assertEquals(TRIPLE_DES, suiteOf(des, des.invite("sips:old-server@example.com")));
    }

    private static String suiteOf(TestAgent client, Response ok) throws Exception {
        assertEquals(200, ok.getStatusCode(), ok.getReasonPhrase());
        SecurityAssociation sa = client.association(ok);
        try {
            return sa.cipherSuite();
        } finally {
            sa.destroy();
        }
    }
}
