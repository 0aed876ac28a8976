package dev.siptls.protocol;

import static dev.siptls.protocol.TestData.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** Every malformed, hostile or invalid body is refused, with a message fit for a SIP reason phrase. */
class XmlCodecRefusalTest {

    private static final String FIGURE_4 = "<TLS><CipherSuite>TLS_RSA_WITH_AES_128_CBC_SHA</CipherSuite>"
            + "<CipherSuite>TLS_RSA_WITH_3DES_EDE_CBC_SHA</CipherSuite></TLS>";

    private final XmlCodec codec = new XmlCodec();
    private final String association = utf8(codec.encode(TestData.association().build()));

    private String policyRefusal(String body) {
        return message(() -> codec.decodePolicy(utf8(body)));
    }

    private String associationRefusal(String body) {
        return message(() -> codec.decodeAssociation(utf8(body)));
    }

    private interface Decode {
        Object run() throws InvalidBodyException;
    }

    /** The refusal's message, checked to be a safe reason phrase. */
    private static String message(Decode decode) {
        String m = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(InvalidBodyException.class, decode::run)).getMessage();
        assertTrue(m.length() <= 200 && m.chars().noneMatch(Character::isISOControl), m);
        return m;
    }

    /** The SA body with the first {@code <name>} element's text replaced. */
    private String withText(String name, String text) {
        String result = association.replaceFirst("<" + name + ">[^<]*</" + name + ">",
                Matcher.quoteReplacement("<" + name + ">" + text + "</" + name + ">"));
        assertFalse(result.equals(association), "no <" + name + "> in the SA");
        return result;
    }

    /** The SA body without its first {@code <name>} element. */
    private String without(String name) {
        return association.replaceFirst("<" + name + ">[^<]*</" + name + ">", "");
    }

    private static String b64(int length) {
        return Base64.getEncoder().encodeToString(new byte[length]);
    }

    @Test
    void refusesDoctype() {
        assertEquals("DOCTYPE not allowed", policyRefusal("<!DOCTYPE TLS>" + FIGURE_4));
    }

    @Test
    void refusesExternalEntity() {
        String m = policyRefusal("<?xml version=\"1.0\"?><!DOCTYPE TLS [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<TLS><CipherSuite>&xxe;</CipherSuite></TLS>");
        assertEquals("DOCTYPE not allowed", m);
    }

    @Test
    void refusesBillionLaughs() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE TLS [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"")
                    .append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        assertEquals("DOCTYPE not allowed",
                policyRefusal(dtd + "<TLS><CipherSuite>&lol9;</CipherSuite></TLS>"));
    }

    @Test
    void refusesEntityReferenceWithoutDoctype() {
        assertEquals("entity references not allowed",
                policyRefusal("<TLS><CipherSuite>&xxe;</CipherSuite></TLS>"));
    }

    @Test
    void refusesBodyOver64KiBBeforeParsing() {
        byte[] body = new byte[XmlCodec.MAX_BODY_BYTES + 1]; // not even XML: never parsed
        assertEquals("body of 65537 bytes exceeds 65536", message(() -> codec.decodePolicy(body)));
    }

    @Test
    void acceptsBodyOfExactly64KiB() throws Exception {
        String head = "<TLS><CipherSuite>TLS_RSA_WITH_AES_128_CBC_SHA</CipherSuite><!--";
        String tail = "--></TLS>";
        String body = head + "x".repeat(XmlCodec.MAX_BODY_BYTES - head.length() - tail.length()) + tail;
        assertEquals(XmlCodec.MAX_BODY_BYTES, utf8(body).length);
        codec.decodePolicy(utf8(body));
    }

    @Test
    void refusesEmptyBody() {
        assertEquals("empty body", message(() -> codec.decodePolicy(new byte[0])));
    }

    @Test
    void refusesDeepNesting() {
        int depth = 2_500;
        String body = "<TLS>" + "<ClientInfo>".repeat(depth) + "</ClientInfo>".repeat(depth) + "</TLS>";
        assertEquals("unknown element <ClientInfo> in <ClientInfo>", associationRefusal(body));
    }

    @Test
    void refusesDeepNestingOfUnknownElements() {
        int depth = 9_000;
        String body = "<TLS>" + "<a>".repeat(depth) + "</a>".repeat(depth) + "</TLS>";
        assertEquals("unknown element <a> in <TLS>", policyRefusal(body));
    }

    @Test
    void refusesMalformedXmlWithItsPosition() {
        assertEquals("malformed XML at line 1, column 47",
                policyRefusal("<TLS><CipherSuite>TLS_RSA_WITH_AES_128_CBC_SHA</Cipher></TLS>"));
    }

    @Test
    void refusesTruncatedBody() {
        assertTrue(associationRefusal(association.substring(0, association.length() / 2))
                .startsWith("malformed XML"));
    }

    @Test
    void refusesSecondRootElement() {
        assertTrue(policyRefusal(FIGURE_4 + "<TLS/>").startsWith("malformed XML"));
    }

    @Test
    void malformedSecretIsNeverQuoted() {
        String secret = Base64.getEncoder().encodeToString(TestData.masterSecret());
        String body = withText("MasterSecret", secret.substring(0, 10) + "&" + secret.substring(10));
        String m = associationRefusal(body);
        assertTrue(m.startsWith("malformed XML"), m);
        assertFalse(m.contains(secret.substring(10, 20)), m);
    }

    @Test
    void refusesBadBase64() {
        assertEquals("bad base64 in <MasterSecret>", associationRefusal(withText("MasterSecret", "not*base64!")));
        assertEquals("bad base64 in <SessionID>", associationRefusal(withText("SessionID", "é" + b64(32))));
        assertEquals("bad base64 in <Random>", associationRefusal(withText("Random", "AAAA=AAA")));
    }

    @Test
    void refusesUrlSafeBase64() {
        byte[] id = new byte[32];
        id[0] = (byte) 0xFB; // encodes to '+' in the standard alphabet, '-' in the URL one
        String urlSafe = Base64.getUrlEncoder().encodeToString(id);
        assertTrue(urlSafe.startsWith("-"));
        assertEquals("bad base64 in <SessionID>", associationRefusal(withText("SessionID", urlSafe)));
    }

    @Test
    void refusesSessionIdOf31Or33Bytes() {
        assertEquals("session id must be 32 bytes, got 31", associationRefusal(withText("SessionID", b64(31))));
        assertEquals("session id must be 32 bytes, got 33", associationRefusal(withText("SessionID", b64(33))));
    }

    @Test
    void refusesMasterSecretOf47BytesWithoutQuotingIt() {
        byte[] secret = TestData.bytes(47, 0x40);
        String text = Base64.getEncoder().encodeToString(secret);
        String m = associationRefusal(withText("MasterSecret", text));
        assertEquals("master secret must be 48 bytes, got 47", m);
    }

    @Test
    void refusesRandomOfWrongLength() {
        assertEquals("random must be 32 bytes, got 28", associationRefusal(withText("Random", b64(28))));
    }

    @Test
    void refusesUnknownSuiteName() {
        assertEquals("unknown cipher suite: TLS_AES_128_CCM_SHA256",
                associationRefusal(withText("CipherSuite", "TLS_AES_128_CCM_SHA256")));
        assertEquals("unknown cipher suite: TLS_RSA_WITH_RC4_128_MD5",
                policyRefusal("<TLS><CipherSuite>TLS_RSA_WITH_RC4_128_MD5</CipherSuite></TLS>"));
    }

    @Test
    void refusesLifetimeOfZero() {
        assertEquals("lifetime must be positive, got 0s", associationRefusal(withText("Lifetime", "0")));
    }

    @Test
    void refusesNegativeLifetime() {
        assertEquals("lifetime must be positive, got -60s", associationRefusal(withText("Lifetime", "-60")));
    }

    @Test
    void refusesAbsurdLifetime() {
        assertEquals("lifetime of 86401s exceeds the maximum of 86400s",
                associationRefusal(withText("Lifetime", "86401")));
        assertEquals("lifetime of 999999999999999999s exceeds the maximum of 86400s",
                associationRefusal(withText("Lifetime", "999999999999999999")));
    }

    @Test
    void refusesLifetimeThatIsNotWholeSeconds() {
        assertEquals("<Lifetime> must be whole seconds, got \"1.5\"", associationRefusal(withText("Lifetime", "1.5")));
        assertEquals("<MaxLifetime> must be whole seconds, got \"PT1H\"",
                policyRefusal("<TLS><CipherSuite>TLS_RSA_WITH_AES_128_CBC_SHA</CipherSuite>"
                        + "<MaxLifetime>PT1H</MaxLifetime></TLS>"));
    }

    @Test
    void refusesMissingSessionId() {
        assertEquals("missing <SessionID> in <TLS>", associationRefusal(without("SessionID")));
    }

    @Test
    void refusesMissingMasterSecret() {
        assertEquals("missing <MasterSecret> in <TLS>", associationRefusal(without("MasterSecret")));
    }

    @Test
    void refusesMissingCipherSuite() {
        assertEquals("missing <CipherSuite> in <TLS>", associationRefusal(without("CipherSuite")));
        assertEquals("missing <CipherSuite> in <TLS>", policyRefusal("<TLS><MaxLifetime>60</MaxLifetime></TLS>"));
        assertEquals("missing <CipherSuite> in <TLS>", policyRefusal("<TLS/>"));
    }

    @Test
    void refusesMissingPartsOfAPeer() {
        assertEquals("missing <Random> in <ClientInfo>", associationRefusal(without("Random")));
        assertEquals("missing <Port> in <ServerInfo>", associationRefusal(without("Port")));
        assertEquals("missing <ServerInfo> in <TLS>",
                associationRefusal(association.replaceFirst("<ServerInfo>.*</ServerInfo>", "")));
        assertEquals("missing <Random> in <ClientInfo>",
                associationRefusal(association.replaceFirst("<ClientInfo>.*</ClientInfo>", "<ClientInfo/>")));
    }

    @Test
    void refusesUnknownElement() {
        assertEquals("unknown element <Comment> in <TLS>",
                policyRefusal(FIGURE_4.replace("</TLS>", "<Comment>hi</Comment></TLS>")));
        assertEquals("unknown element <Cipher> in <TLS>",
                associationRefusal(association.replace("<TLS>", "<TLS><Cipher>x</Cipher>")));
        assertEquals("unknown element <Address> in <ServerInfo>",
                associationRefusal(association.replace("<Host>", "<Address>192.0.2.1</Address><Host>")));
    }

    @Test
    void refusesRepeatedSingleElement() {
        assertEquals("duplicate <SessionID> in <TLS>",
                associationRefusal(association.replace("<TLS>", "<TLS><SessionID>" + b64(32) + "</SessionID>")));
        assertEquals("duplicate <ClientInfo> in <TLS>",
                associationRefusal(association.replaceFirst("(<ClientInfo>.*</ClientInfo>)", "$1$1")));
    }

    @Test
    void refusesAttributes() {
        assertEquals("attributes not allowed (on <CipherSuite>)",
                policyRefusal(FIGURE_4.replaceFirst("<CipherSuite>", "<CipherSuite pref=\"1\">")));
        assertEquals("attributes not allowed (on <TLS>)", policyRefusal(FIGURE_4.replace("<TLS>", "<TLS v=\"2\">")));
    }

    @Test
    void refusesNamespaces() {
        assertEquals("namespaces not allowed (on <TLS>)",
                policyRefusal(FIGURE_4.replace("<TLS>", "<TLS xmlns=\"urn:x\">")));
    }

    @Test
    void refusesOtherRootElement() {
        assertEquals("root element must be <TLS>, not <SSL>",
                policyRefusal("<SSL><CipherSuite>TLS_RSA_WITH_AES_128_CBC_SHA</CipherSuite></SSL>"));
    }

    @Test
    void refusesTextWhereElementsBelong() {
        assertEquals("unexpected text in <TLS>", policyRefusal(FIGURE_4.replace("</TLS>", "junk</TLS>")));
        String body = association.replaceFirst("<ClientInfo>.*</ClientInfo>", "<ClientInfo>x</ClientInfo>");
        assertEquals("<ClientInfo> must contain elements, not text", associationRefusal(body));
    }

    @Test
    void refusesElementsWhereTextBelongs() {
        assertEquals("<CipherSuite> must contain only text",
                policyRefusal("<TLS><CipherSuite><b>TLS_RSA_WITH_AES_128_CBC_SHA</b></CipherSuite></TLS>"));
    }

    @Test
    void refusesOtherProtocolVersion() {
        assertEquals("unsupported protocol version \"TLSv1.1\", only TLSv1.3 or TLSv1.2",
                associationRefusal(withText("ProtocolVersion", "TLSv1.1")));
        assertEquals("unknown protocol version \"SSLv3\", only TLSv1.3 or TLSv1.2",
                policyRefusal("<TLS><ProtocolVersion>SSLv3</ProtocolVersion>"
                        + "<CipherSuite>TLS_RSA_WITH_AES_128_CBC_SHA</CipherSuite></TLS>"));
    }

    // ---- TLS 1.3 SAs: a PSK whose length is its suite's hash, never mixed with TLS 1.2's parts ----------------

    private final String tls13 = utf8(codec.encode(TestData.tls13Association().build()));

    /** The TLS 1.3 SA body with {@code <PSK>} holding {@code psk}, base64. */
    private String tls13WithPsk(byte[] psk) {
        return tls13.replaceFirst("<PSK>[^<]*</PSK>", "<PSK>" + Base64.getEncoder().encodeToString(psk) + "</PSK>");
    }

    /** The refusal of an SA body holding {@code secret}, checked not to show it. */
    private String secretRefusal(String body, byte[] secret) {
        String m = associationRefusal(body);
        String b64 = Base64.getEncoder().encodeToString(secret);
        assertFalse(m.contains(b64.substring(0, 12)), m);
        assertFalse(m.toLowerCase().contains(java.util.HexFormat.of().formatHex(secret, 0, 8)), m);
        return m;
    }

    @Test
    void refusesATls13SaWithA31ByteOr47BytePsk() {
        byte[] short32 = TestData.bytes(31, 0x50);
        assertEquals("PSK must be 32 bytes for TLS_AES_128_GCM_SHA256, got 31",
                secretRefusal(tls13WithPsk(short32), short32));
        byte[] short48 = TestData.bytes(47, 0x50);
        String sha384 = tls13WithPsk(short48).replace("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");
        assertEquals("PSK must be 48 bytes for TLS_AES_256_GCM_SHA384, got 47", secretRefusal(sha384, short48));
    }

    @Test
    void refusesATls13SaWhosePskDoesNotFitItsSuite() {
        byte[] psk = TestData.bytes(48, 0x50);
        assertEquals("PSK must be 32 bytes for TLS_AES_128_GCM_SHA256, got 48", secretRefusal(tls13WithPsk(psk), psk));
    }

    @Test
    void refusesATls13SaWithATls12Suite() {
        String body = tls13.replace("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertEquals("cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 is a TLSv1.2 suite, not one for a TLSv1.3"
                + " SA", secretRefusal(body, TestData.psk()));
    }

    @Test
    void refusesATls12SaWithATls13Suite() {
        String body = association.replace("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");
        assertEquals("cipher suite TLS_AES_256_GCM_SHA384 is a TLSv1.3 suite, not one for a TLSv1.2 SA",
                secretRefusal(body, TestData.masterSecret()));
    }

    @Test
    void refusesAPskInATls12Sa() {
        String psk = "<PSK>" + Base64.getEncoder().encodeToString(TestData.psk()) + "</PSK>";
        String withBoth = association.replace("<Lifetime>", psk + "<Lifetime>");
        assertEquals("an SA has either <PSK> or <MasterSecret>, not both", secretRefusal(withBoth, TestData.psk()));
        String pskOnly = without("MasterSecret").replace("<Lifetime>", psk + "<Lifetime>");
        assertEquals("a TLSv1.2 SA carries no <PSK>", secretRefusal(pskOnly, TestData.psk()));
    }

    @Test
    void refusesAMasterSecretInATls13Sa() {
        String master = "<MasterSecret>" + Base64.getEncoder().encodeToString(TestData.masterSecret())
                + "</MasterSecret>";
        String withBoth = tls13.replace("<Lifetime>", master + "<Lifetime>");
        assertEquals("an SA has either <PSK> or <MasterSecret>, not both",
                secretRefusal(withBoth, TestData.masterSecret()));
        String masterOnly = tls13.replaceFirst("<PSK>[^<]*</PSK>", master);
        assertEquals("a TLSv1.3 SA carries no <MasterSecret>", secretRefusal(masterOnly, TestData.masterSecret()));
    }

    @Test
    void refusesATls13SaWithoutPskOrWithExtendedMasterSecret() {
        assertEquals("missing <PSK> in <TLS>", associationRefusal(tls13.replaceFirst("<PSK>[^<]*</PSK>", "")));
        assertEquals("a TLSv1.3 SA carries no <ExtendedMasterSecret>", associationRefusal(
                tls13.replace("<Lifetime>", "<ExtendedMasterSecret>true</ExtendedMasterSecret><Lifetime>")));
    }

    @Test
    void refusesARepeatedPsk() {
        String psk = "<PSK>" + Base64.getEncoder().encodeToString(TestData.psk()) + "</PSK>";
        assertEquals("duplicate <PSK> in <TLS>", secretRefusal(tls13.replace("<Lifetime>", psk + "<Lifetime>"),
                TestData.psk()));
    }

    @Test
    void refusesExtendedMasterSecretThatIsNotABoolean() {
        assertEquals("<ExtendedMasterSecret> must be true or false",
                associationRefusal(withText("ExtendedMasterSecret", "1")));
    }

    @Test
    void refusesCreationTimeNotInUtc() {
        String m = "<CreationTime> must be an ISO-8601 UTC time like 2026-11-29T19:00:00Z";
        assertEquals(m, associationRefusal(withText("CreationTime", "2026-11-29T20:00:00+01:00")));
        assertEquals(m, associationRefusal(withText("CreationTime", "yesterday")));
    }

    @Test
    void refusesBadIdentityAndAddress() {
        assertEquals("identity must be a sip: or sips: URI, got \"alice@example.com\"",
                associationRefusal(withText("Identity", "alice@example.com")));
        assertEquals("port out of range 1..65535: 70000", associationRefusal(withText("Port", "70000")));
        assertEquals("illegal character in host: \"www.example.com/x\"",
                associationRefusal(withText("Host", "www.example.com/x")));
        assertEquals("expected host:port, missing port in \"www.example.com\"",
                policyRefusal(FIGURE_4.replace("</TLS>", "<Binding>www.example.com</Binding></TLS>")));
    }

    @Test
    void refusesBindingWithoutCertificate() {
        assertEquals("bindings need a certificate chain",
                policyRefusal(FIGURE_4.replace("</TLS>", "<Binding>www.example.com:443</Binding></TLS>")));
    }

    @Test
    void refusesCertificateThatIsNotDerX509() {
        assertEquals("<Certificate> 1 in <ServerInfo> is not a DER X.509 certificate",
                associationRefusal(association.replaceFirst("(<ServerInfo>.*?<Certificate>)[^<]*", "$1" + b64(300))));
    }

    @Test
    void refusesCertificateWithTrailingBytes() throws Exception {
        byte[] der = TestData.serverChain().get(0).getEncoded();
        byte[] padded = Arrays.copyOf(der, der.length + 4);
        String body = FIGURE_4.replace("</TLS>", "<Certificate>" + Base64.getEncoder().encodeToString(padded)
                + "</Certificate></TLS>");
        assertEquals("<Certificate> 1 in <TLS> is not exactly one DER X.509 certificate", policyRefusal(body));
    }

    @Test
    void refusesAnOversizePossessionProof() {
        assertEquals("possession proof of 1025 bytes, expected 1 to 1024", policyRefusal(withServerChain(
                "<Possession>" + b64(PossessionProof.MAX_SIGNATURE_BYTES + 1) + "</Possession>")));
    }

    @Test
    void refusesAnEmptyOrMalformedOrRepeatedPossessionProof() {
        assertEquals("possession proof of 0 bytes, expected 1 to 1024",
                policyRefusal(withServerChain("<Possession></Possession>")));
        assertEquals("bad base64 in <Possession>", policyRefusal(withServerChain("<Possession>*</Possession>")));
        assertTrue(policyRefusal(withServerChain("<Possession>" + b64(64) + "</Possession><Possession>"
                + b64(64) + "</Possession>")).contains("Possession"));
    }

    @Test
    void refusesAPossessionProofWithoutAChain() {
        assertEquals("a possession proof needs a certificate chain",
                policyRefusal(FIGURE_4.replace("</TLS>", "<Possession>" + b64(64) + "</Possession></TLS>")));
    }

    /** Figure 4 with a certificate chain and {@code more} elements. */
    private static String withServerChain(String more) {
        StringBuilder certificates = new StringBuilder();
        for (java.security.cert.X509Certificate c : TestData.serverChain()) {
            try {
                certificates.append("<Certificate>").append(Base64.getEncoder().encodeToString(c.getEncoded()))
                        .append("</Certificate>");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return FIGURE_4.replace("</TLS>", certificates + more + "</TLS>");
    }

    @Test
    void messagesStayOnOneLineWhateverTheInput() {
        String m = policyRefusal("<TLS><CipherSuite>TLS_FOO&#13;&#10;Reason: injected</CipherSuite></TLS>");
        assertTrue(m.startsWith("unknown cipher suite"), m);
        assertFalse(m.contains("\n") || m.contains("\r"), m);
    }

    @Test
    void longInputIsCutShortInMessages() {
        String m = policyRefusal("<TLS><CipherSuite>" + "A".repeat(5000) + "</CipherSuite></TLS>");
        assertTrue(m.length() < 120, m);
    }
}
