package dev.siptls.protocol;

import static dev.siptls.protocol.TestData.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The suites a client connection offers: their body round-trips, and hostile or malformed ones are refused. */
class SuiteOfferTest {

    private static final String AES128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    private static final String RSA128 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

    private final XmlCodec codec = new XmlCodec();

    @Test
    void anOfferRoundTripsInItsOrder() throws Exception {
        SuiteOffer offer = SuiteOffer.of(List.of(AES256, RSA128, AES128));

        byte[] body = codec.encode(offer);

        assertEquals("<TLS><CipherSuite>" + AES256 + "</CipherSuite><CipherSuite>" + RSA128
                + "</CipherSuite><CipherSuite>" + AES128 + "</CipherSuite></TLS>", utf8(body));
        assertEquals(offer, codec.decodeSuiteOffer(body));
    }

    @Test
    void aConnectionsEnabledListKeepsOnlyWhatAnSaCanHave() {
        List<String> nettyDefaults = List.of("TLS_AES_128_GCM_SHA256", AES128, RSA128, AES256,
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", AES128);

        SuiteOffer offer = SuiteOffer.distributable(nettyDefaults).orElseThrow();

        assertEquals(List.of("TLS_AES_128_GCM_SHA256", AES128, RSA128, AES256,
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), offer.cipherSuites());
        assertEquals(Optional.empty(), SuiteOffer.distributable(List.of("TLS_AES_128_CCM_8_SHA256",
                "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")));
    }

    @Test
    void anOfferOfTls13SuitesTravels() throws Exception {
        SuiteOffer offer = SuiteOffer.of(List.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", AES128));
        assertEquals(offer, codec.decodeSuiteOffer(codec.encode(offer)));
        assertTrue(offer.offers("TLS_AES_256_GCM_SHA384"));
    }

    @Test
    void refusesAnUnknownSuiteNamingIt() {
        String m = refusal("<TLS><CipherSuite>" + AES128 + "</CipherSuite><CipherSuite>TLS_MADE_UP</CipherSuite></TLS>");
        assertEquals("unknown cipher suite: TLS_MADE_UP", m);
    }

    @Test
    void refusesARepeatedSuite() {
        assertEquals("duplicate cipher suite: " + AES128,
                refusal("<TLS><CipherSuite>" + AES128 + "</CipherSuite><CipherSuite>" + AES128 + "</CipherSuite></TLS>"));
    }

    @Test
    void refusesAnEmptyOffer() {
        assertEquals("missing <CipherSuite> in <TLS>", refusal("<TLS></TLS>"));
    }

    @Test
    void refusesOtherElementsAndAttributes() {
        assertTrue(refusal("<TLS><CipherSuite>" + AES128 + "</CipherSuite><MaxLifetime>60</MaxLifetime></TLS>")
                .contains("MaxLifetime"));
        refusal("<TLS><CipherSuite x=\"1\">" + AES128 + "</CipherSuite></TLS>");
        refusal("<TLS><CipherSuite><A>" + AES128 + "</A></CipherSuite></TLS>");
    }

    @Test
    void refusesDoctypesAndEntities() {
        refusal("<!DOCTYPE TLS [<!ENTITY x \"" + AES128 + "\">]><TLS><CipherSuite>&x;</CipherSuite></TLS>");
        refusal("<TLS><CipherSuite>&amp;</CipherSuite></TLS>");
    }

    @Test
    void refusesMoreSuitesThanAnyConnectionOffers() {
        // Every known suite once is fine; the names repeat past that, so build the long list from padding instead.
        String many = "<TLS>" + ("<CipherSuite>" + AES128 + "</CipherSuite>").repeat(SuiteOffer.MAX_SUITES + 1)
                + "</TLS>";
        assertTrue(refusal(many).contains("exceeds " + SuiteOffer.MAX_SUITES), refusal(many));
        assertThrows(IllegalArgumentException.class, () -> SuiteOffer.of(List.of()));
    }

    @Test
    void refusesAnOversizedBodyBeforeParsingIt() {
        String big = "<TLS><CipherSuite>" + AES128 + "</CipherSuite>" + " ".repeat(XmlCodec.MAX_OFFER_BYTES) + "</TLS>";
        assertTrue(refusal(big).startsWith("suite offer of "), refusal(big));
    }

    @Test
    void refusesGarbage() {
        refusal("not xml");
        refusal("");
        refusal("<TLS><CipherSuite>" + AES128 + "</CipherSuite>");
    }

    private String refusal(String body) {
        String m = assertThrows(InvalidBodyException.class, () -> codec.decodeSuiteOffer(utf8(body))).getMessage();
        assertTrue(m.length() <= 200 && m.chars().noneMatch(Character::isISOControl), m);
        return m;
    }
}
