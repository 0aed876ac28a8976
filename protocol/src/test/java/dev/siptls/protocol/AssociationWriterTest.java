package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written SA writer writes exactly the bytes the XML generator writes, and leaves every text that
 * would need escaping to the generator.
 */
class AssociationWriterTest {

    private final XmlCodec codec = new XmlCodec();

    @Test
    void writesTheGeneratorsBytesForEveryShapeOfAnAssociation() throws Exception {
        List<SecurityAssociation.Builder> shapes = List.of(
                TestData.association(),
                TestData.association().extendedMasterSecret(false),
                TestData.tls13Association(),
                TestData.tls13Association().cipherSuite("TLS_AES_256_GCM_SHA384").masterSecret(TestData.bytes(48, 0x33)),
                TestData.association().creationTime(Instant.parse("2026-11-29T19:00:00.123456789Z")),
                TestData.association().client(PeerInfo.builder().random(TestData.bytes(32, 1))
                        .identity("sip:carol@example.com").build()),
                TestData.association().server(PeerInfo.builder().random(TestData.bytes(32, 2))
                        .identity("sips:bob@example.com").address(new HostPort("2001:db8::1", 443)).build()));
        for (SecurityAssociation.Builder shape : shapes) {
            SecurityAssociation sa = shape.build();
            byte[] direct = codec.encode(sa);
            assertTrue(direct.length > 0);
            byte[] generated = generated(sa);
            assertEquals(TestData.utf8(generated), TestData.utf8(direct));
            assertArrayEquals(generated, direct);
            assertEquals(sa.creationTime(), codec.decodeAssociation(direct).creationTime());
        }
    }

    @Test
    void textThatNeedsEscapingIsLeftToTheGenerator() throws Exception {
        for (String identity : List.of("sip:a&b@example.com", "sip:j\u00f6rg@example.com", "sip:it's@example.com")) {
            assertFalse(AssociationWriter.plain(identity), identity);
            SecurityAssociation sa = TestData.association().client(PeerInfo.builder().random(TestData.bytes(32, 3))
                    .identity(identity).build()).build();
            byte[] body = codec.encode(sa);
            assertArrayEquals(generated(sa), body);
            assertEquals(identity, codec.decodeAssociation(body).client().identity());
        }
        assertTrue(AssociationWriter.plain("sip:alice@example.com"));
        assertFalse(AssociationWriter.plain(""));
    }

    @Test
    void itsBufferIsZeroedAfterGrowing() throws Exception {
        byte[] secret = TestData.masterSecret();
        AssociationWriter.Out out = new AssociationWriter.Out(16);
        assertTrue(new AssociationWriter().write(TestData.association().build(), secret,
                SecretField.MASTER_SECRET, out));
        out.wipe();
        assertTrue(TestData.allZero(out.toByteArray()), "the buffer, grown from 16 bytes, is zeroed");
    }

    private byte[] generated(SecurityAssociation sa) {
        byte[] secret = sa.masterSecret();
        int certificates = sa.client().certificateChain().size() + sa.server().certificateChain().size();
        return codec.encodeWithGenerator(sa, secret, sa.isTls13() ? SecretField.PSK : SecretField.MASTER_SECRET,
                certificates);
    }
}
