package dev.siptls.protocol;

import static dev.siptls.protocol.TestData.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class XmlCodecTest {

    private final XmlCodec codec = new XmlCodec();

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String b64(X509Certificate c) throws Exception {
        return b64(c.getEncoded());
    }

    @Test
    void policyRoundTripsWithCertificates() throws Exception {
        SecurityPolicy policy = TestData.serverPolicy();
        assertEquals(policy, codec.decodePolicy(codec.encode(policy)));
    }

    @Test
    void policyIsWrittenInTheDocumentedLayout() throws Exception {
        List<X509Certificate> chain = TestData.serverChain();
        assertEquals("<TLS>"
                + "<CipherSuite>TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256</CipherSuite>"
                + "<CipherSuite>TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384</CipherSuite>"
                + "<MaxLifetime>3600</MaxLifetime>"
                + "<Binding>www.example.com:8443</Binding>"
                + "<Certificate>" + b64(chain.get(0)) + "</Certificate>"
                + "<Certificate>" + b64(chain.get(1)) + "</Certificate>"
                + "</TLS>", utf8(codec.encode(TestData.serverPolicy())));
    }

    @Test
    void policyWithAPossessionProofRoundTripsAndWritesItLast() throws Exception {
        byte[] signature = TestData.bytes(71, 0x30);
        SecurityPolicy policy = TestData.serverPolicy().withPossession(signature);

        String body = utf8(codec.encode(policy));

        assertTrue(body.endsWith("<Possession>" + b64(signature) + "</Possession></TLS>"), body);
        SecurityPolicy decoded = codec.decodePolicy(codec.encode(policy));
        assertEquals(policy, decoded);
        assertArrayEquals(signature, decoded.possession().orElseThrow());
    }

    @Test
    void policyWithoutPossessionProofHasNone() throws Exception {
        assertTrue(codec.decodePolicy(codec.encode(TestData.serverPolicy())).possession().isEmpty());
    }

    @Test
    void decodesThePapersFigure4MadeWellFormed() throws Exception {
        SecurityPolicy p = codec.decodePolicy(utf8("""
                <?xml version="1.0" encoding="UTF-8"?>
                <TLS>
                  <CipherSuite>TLS_RSA_WITH_AES_128_CBC_SHA</CipherSuite>
                  <CipherSuite>TLS_RSA_WITH_3DES_EDE_CBC_SHA</CipherSuite>
                </TLS>
                """));
        assertEquals(List.of("TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"), p.cipherSuites());
        assertTrue(p.maxLifetime().isEmpty());
        assertEquals(List.of(), p.bindings());
        assertEquals(List.of("TLSv1.2"), p.protocolVersions(), "a body without versions is TLS 1.2's");
    }

    @Test
    void aTls12OnlyPolicyIsWrittenWithoutVersionsAsBefore() throws Exception {
        String old = "<TLS><CipherSuite>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</CipherSuite>"
                + "<MaxLifetime>600</MaxLifetime></TLS>";
        SecurityPolicy p = codec.decodePolicy(utf8(old));
        assertEquals(List.of("TLSv1.2"), p.protocolVersions());
        assertEquals(old, utf8(codec.encode(p)), "key servers that know no versions still read it");
        SecurityPolicy explicit = codec.decodePolicy(utf8("<TLS><ProtocolVersion>TLSv1.2</ProtocolVersion>"
                + "<CipherSuite>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</CipherSuite><MaxLifetime>600</MaxLifetime></TLS>"));
        assertEquals(p, explicit);
    }

    @Test
    void policyWithVersionsAndTls13SuitesRoundTripsVersionsFirst() throws Exception {
        SecurityPolicy p = SecurityPolicy.builder().protocolVersions(List.of("TLSv1.3", "TLSv1.2"))
                .cipherSuites(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))
                .build();
        String body = utf8(codec.encode(p));
        assertEquals("<TLS><ProtocolVersion>TLSv1.3</ProtocolVersion><ProtocolVersion>TLSv1.2</ProtocolVersion>"
                + "<CipherSuite>TLS_AES_128_GCM_SHA256</CipherSuite><CipherSuite>TLS_AES_256_GCM_SHA384</CipherSuite>"
                + "<CipherSuite>TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256</CipherSuite></TLS>", body);
        assertEquals(p, codec.decodePolicy(utf8(body)));
    }

    @Test
    void tls13AssociationRoundTrips() throws Exception {
        for (String suite : List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256")) {
            byte[] psk = TestData.bytes(CipherSuites.hashLength(suite), 0x50);
            SecurityAssociation sa = TestData.tls13Association().cipherSuite(suite).masterSecret(psk).build();
            SecurityAssociation back = codec.decodeAssociation(codec.encode(sa));
            assertEquals("TLSv1.3", back.protocolVersion());
            assertEquals(suite, back.cipherSuite());
            assertArrayEquals(psk, back.masterSecret());
            assertArrayEquals(sa.pskIdentity(), back.pskIdentity());
            assertEquals(sa.client(), back.client());
            assertEquals(sa.server(), back.server());
        }
    }

    @Test
    void tls13AssociationIsWrittenWithAPskAndNoExtendedMasterSecret() throws Exception {
        SecurityAssociation sa = TestData.tls13Association().build();
        String xml = utf8(codec.encode(sa));
        assertTrue(xml.startsWith("<TLS>"
                + "<SessionID>" + b64(sa.sessionId()) + "</SessionID>"
                + "<CipherSuite>TLS_AES_128_GCM_SHA256</CipherSuite>"
                + "<ProtocolVersion>TLSv1.3</ProtocolVersion>"
                + "<PSK>" + b64(TestData.psk()) + "</PSK>"
                + "<Lifetime>3600</Lifetime>"), xml);
        assertTrue(!xml.contains("MasterSecret"), xml);
    }

    @Test
    void decodesAPrettyPrintedTls13Association() throws Exception {
        String xml = """
                <TLS>
                  <SessionID>%s</SessionID>
                  <CipherSuite>TLS_AES_256_GCM_SHA384</CipherSuite>
                  <ProtocolVersion>TLSv1.3</ProtocolVersion>
                  <PSK>
                    %s
                  </PSK>
                  <Lifetime>3600</Lifetime>
                  <CreationTime>2026-11-29T19:00:00Z</CreationTime>
                  <ClientInfo>
                    <Random>%s</Random>
                    <Identity>sip:alice@example.com</Identity>
                  </ClientInfo>
                  <ServerInfo>
                    <Random>%s</Random>
                    <Identity>sip:bob@example.com</Identity>
                    <Host>www.example.com</Host>
                    <Port>8443</Port>
                  </ServerInfo>
                </TLS>
                """.formatted(b64(TestData.bytes(32, 0xA0)), b64(TestData.bytes(48, 0x50)),
                b64(TestData.bytes(32, 0x10)), b64(TestData.bytes(32, 0x70)));
        SecurityAssociation sa = codec.decodeAssociation(utf8(xml));
        assertTrue(sa.isTls13());
        assertArrayEquals(TestData.bytes(48, 0x50), sa.masterSecret());
        assertEquals(java.util.HexFormat.of().formatHex(TestData.bytes(32, 0xA0)),
                new String(sa.pskIdentity(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void policyWithIpv6BindingRoundTrips() throws Exception {
        SecurityPolicy p = SecurityPolicy.builder().cipherSuite("TLS_RSA_WITH_AES_128_GCM_SHA256")
                .binding(HostPort.parse("[2001:db8::1]:443")).certificateChain(TestData.serverChain()).build();
        assertTrue(utf8(codec.encode(p)).contains("<Binding>[2001:db8::1]:443</Binding>"));
        assertEquals(p, codec.decodePolicy(codec.encode(p)));
    }

    @Test
    void associationRoundTripsWithCertificates() throws Exception {
        SecurityAssociation sa = TestData.association().build();
        SecurityAssociation back = codec.decodeAssociation(codec.encode(sa));
        assertArrayEquals(sa.sessionId(), back.sessionId());
        assertEquals(sa.cipherSuite(), back.cipherSuite());
        assertEquals(sa.protocolVersion(), back.protocolVersion());
        assertEquals(sa.extendedMasterSecret(), back.extendedMasterSecret());
        assertArrayEquals(sa.masterSecret(), back.masterSecret());
        assertEquals(sa.lifetime(), back.lifetime());
        assertEquals(sa.creationTime(), back.creationTime());
        assertEquals(sa.client(), back.client());
        assertEquals(sa.server(), back.server());
        assertEquals(TestData.serverChain(), back.server().certificateChain());
    }

    @Test
    void associationWithoutExtendedMasterSecretRoundTrips() throws Exception {
        SecurityAssociation sa = TestData.association().extendedMasterSecret(false).build();
        assertEquals(false, codec.decodeAssociation(codec.encode(sa)).extendedMasterSecret());
    }

    @Test
    void associationKeepsSubSecondCreationTime() throws Exception {
        SecurityAssociation sa = TestData.association().creationTime(TestData.CREATED.plusMillis(123)).build();
        assertEquals(sa.creationTime(), codec.decodeAssociation(codec.encode(sa)).creationTime());
    }

    @Test
    void associationIsWrittenInTheDocumentedLayout() throws Exception {
        SecurityAssociation sa = TestData.association().build();
        String xml = utf8(codec.encode(sa));
        String expectedStart = "<TLS>"
                + "<SessionID>" + b64(sa.sessionId()) + "</SessionID>"
                + "<CipherSuite>TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256</CipherSuite>"
                + "<ProtocolVersion>TLSv1.2</ProtocolVersion>"
                + "<ExtendedMasterSecret>true</ExtendedMasterSecret>"
                + "<MasterSecret>" + b64(TestData.masterSecret()) + "</MasterSecret>"
                + "<Lifetime>3600</Lifetime>"
                + "<CreationTime>2026-11-29T19:00:00Z</CreationTime>"
                + "<ClientInfo><Random>" + b64(TestData.bytes(32, 0x10)) + "</Random>"
                + "<Identity>sip:alice@example.com</Identity><Certificate>";
        assertTrue(xml.startsWith(expectedStart), xml);
        assertTrue(xml.contains("<ServerInfo><Random>" + b64(TestData.bytes(32, 0x70)) + "</Random>"
                + "<Identity>sip:bob@example.com</Identity><Host>www.example.com</Host><Port>8443</Port>"
                + "<Certificate>" + b64(TestData.serverChain().get(0)) + "</Certificate>"), xml);
    }

    @Test
    void decodesThePrettyPrintedLayoutOfTheProtocolDocument() throws Exception {
        String xml = """
                <TLS>
                  <SessionID>%s</SessionID>
                  <CipherSuite>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</CipherSuite>
                  <ProtocolVersion>TLSv1.2</ProtocolVersion>
                  <ExtendedMasterSecret>true</ExtendedMasterSecret>
                  <MasterSecret>
                    %s
                  </MasterSecret>
                  <Lifetime>3600</Lifetime>
                  <CreationTime>2026-11-29T19:00:00Z</CreationTime>
                  <ClientInfo>
                    <Random>%s</Random>
                    <Identity>sip:alice@example.com</Identity>
                  </ClientInfo>
                  <ServerInfo>
                    <Random>%s</Random>
                    <Identity>sip:bob@example.com</Identity>
                    <Host>www.example.com</Host>
                    <Port>8443</Port>
                    <Certificate>%s</Certificate>
                  </ServerInfo>
                </TLS>
                """.formatted(b64(TestData.bytes(32, 0xA0)), b64(TestData.masterSecret()),
                b64(TestData.bytes(32, 0x10)), b64(TestData.bytes(32, 0x70)), b64(TestData.serverChain().get(0)));
        SecurityAssociation sa = codec.decodeAssociation(utf8(xml));
        assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", sa.cipherSuite());
        assertArrayEquals(TestData.masterSecret(), sa.masterSecret());
        assertEquals(new HostPort("www.example.com", 8443), sa.server().address().orElseThrow());
        assertTrue(sa.client().address().isEmpty());
        assertEquals(List.of(), sa.client().certificateChain());
        assertEquals(List.of(TestData.serverChain().get(0)), sa.server().certificateChain());
        assertEquals(Duration.ofHours(1), sa.lifetime());
    }

    @Test
    void encodingADestroyedAssociationFails() {
        SecurityAssociation sa = TestData.association().build();
        sa.destroy();
        assertThrows(IllegalStateException.class, () -> codec.encode(sa));
    }

    @Test
    void oneCodecServesManyThreads() throws Exception {
        byte[] body = codec.encode(TestData.association().build());
        List<Thread> threads = new ArrayList<>();
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    for (int j = 0; j < 50; j++) {
                        codec.decodeAssociation(body);
                        codec.encode(TestData.serverPolicy());
                    }
                    ok.incrementAndGet();
                } catch (InvalidBodyException e) {
                    throw new AssertionError(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(8, ok.get());
    }

    /** Certificates seen in an earlier body come from memory only for the exact same text. */
    @Test
    void aCertificateSeenBeforeIsReusedOnlyForTheSameText() throws Exception {
        SecurityAssociation sa = TestData.association().build();
        String xml = utf8(codec.encode(sa));
        SecurityAssociation first = codec.decodeAssociation(utf8(xml));
        SecurityAssociation again = codec.decodeAssociation(utf8(xml));
        assertTrue(first.server().certificateChain().get(0) == again.server().certificateChain().get(0),
                "the same text is the same certificate");
        String certificate = b64(TestData.serverChain().get(0));
        String broken = certificate.substring(0, 400); // its first 300 bytes: no certificate
        assertThrows(InvalidBodyException.class, () -> codec.decodeAssociation(utf8(xml.replace(certificate, broken))));
        String spaced = certificate.substring(0, 40) + "\n" + certificate.substring(40);
        assertEquals(TestData.serverChain().get(0),
                codec.decodeAssociation(utf8(xml.replace(certificate, spaced))).server().certificateChain().get(0));
    }
}
