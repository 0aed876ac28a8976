package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SecurityAssociationTest {

    private static String refusal(SecurityAssociation.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void exposesWhatItWasBuiltFrom() {
        SecurityAssociation sa = TestData.association().build();
        assertArrayEquals(TestData.bytes(32, 0xA0), sa.sessionId());
        assertEquals(HexFormat.of().formatHex(TestData.bytes(32, 0xA0)), sa.sessionIdHex());
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", sa.cipherSuite());
        assertEquals("TLSv1.2", sa.protocolVersion());
        assertTrue(sa.extendedMasterSecret());
        assertArrayEquals(TestData.masterSecret(), sa.masterSecret());
        assertEquals(Duration.ofHours(1), sa.lifetime());
        assertEquals(TestData.CREATED, sa.creationTime());
        assertEquals(TestData.client(), sa.client());
        assertEquals(TestData.server(), sa.server());
    }

    @Test
    void expiresAtCreationTimePlusLifetime() {
        SecurityAssociation sa = TestData.association().build();
        Instant expiry = TestData.CREATED.plusSeconds(3600);
        assertEquals(expiry, sa.expiryTime());
        assertFalse(sa.isExpired(expiry.minusNanos(1)));
        assertTrue(sa.isExpired(expiry));
    }

    @Test
    void isOfferedUntilTheClockSkewAllowanceBeforeItsExpiry() {
        SecurityAssociation sa = TestData.association().lifetime(Duration.ofHours(1)).build();
        assertEquals(sa.expiryTime().minus(SecurityAssociation.CLOCK_SKEW_ALLOWANCE), sa.offeredUntil());
    }

    @Test
    void aShortLivedSaIsOfferedForThreeQuartersOfItsLifetime() {
        SecurityAssociation sa = TestData.association().lifetime(Duration.ofSeconds(4)).build();
        assertEquals(TestData.CREATED.plusSeconds(3), sa.offeredUntil());
    }

    @Test
    void refusesSessionIdOf31Or33Bytes() {
        assertEquals("session id must be 32 bytes, got 31",
                refusal(TestData.association().sessionId(new byte[31])));
        assertEquals("session id must be 32 bytes, got 33",
                refusal(TestData.association().sessionId(new byte[33])));
    }

    @Test
    void refusesMasterSecretOf47Bytes() {
        assertEquals("master secret must be 48 bytes, got 47",
                refusal(TestData.association().masterSecret(new byte[47])));
    }

    @Test
    void refusesUnknownSuite() {
        assertEquals("unknown cipher suite: TLS_AES_128_CCM_SHA256",
                refusal(TestData.association().cipherSuite("TLS_AES_128_CCM_SHA256")));
    }

    @Test
    void refusesProtocolOtherThanTls12Or13() {
        assertEquals("unsupported protocol version \"TLSv1.1\", only TLSv1.3 or TLSv1.2",
                refusal(TestData.association().protocolVersion("TLSv1.1")));
        assertEquals("unsupported protocol version null, only TLSv1.3 or TLSv1.2",
                refusal(TestData.association().protocolVersion(null)));
    }

    @Test
    void aTls13SaIsAPskWithAnIdentityMadeOfItsSessionId() {
        SecurityAssociation sa = TestData.tls13Association().build();
        assertEquals("TLSv1.3", sa.protocolVersion());
        assertTrue(sa.isTls13());
        assertEquals("TLS_AES_128_GCM_SHA256", sa.cipherSuite());
        assertArrayEquals(TestData.psk(), sa.masterSecret());
        byte[] identity = sa.pskIdentity();
        assertEquals(64, identity.length);
        assertEquals(sa.sessionIdHex(), new String(identity, java.nio.charset.StandardCharsets.US_ASCII));
        assertFalse(sa.extendedMasterSecret(), "extended master secret is TLS 1.2's");
    }

    @Test
    void aTls12SaIsNoPskAndHasNoIdentity() {
        SecurityAssociation sa = TestData.association().build();
        assertFalse(sa.isTls13());
        IllegalStateException e = assertThrows(IllegalStateException.class, sa::pskIdentity);
        assertEquals("a TLSv1.2 SA has no PSK identity", e.getMessage());
    }

    @Test
    void aTls13SasPskIsAsLongAsItsSuitesHash() {
        assertEquals(48, TestData.tls13Association().cipherSuite("TLS_AES_256_GCM_SHA384")
                .masterSecret(TestData.bytes(48, 1)).build().masterSecret().length);
        assertEquals(32, TestData.tls13Association().cipherSuite("TLS_CHACHA20_POLY1305_SHA256").build()
                .masterSecret().length);
        assertEquals("PSK must be 32 bytes for TLS_AES_128_GCM_SHA256, got 31",
                refusal(TestData.tls13Association().masterSecret(new byte[31])));
        assertEquals("PSK must be 32 bytes for TLS_AES_128_GCM_SHA256, got 48",
                refusal(TestData.tls13Association().masterSecret(new byte[48])));
        assertEquals("PSK must be 48 bytes for TLS_AES_256_GCM_SHA384, got 47",
                refusal(TestData.tls13Association().cipherSuite("TLS_AES_256_GCM_SHA384").masterSecret(new byte[47])));
        assertEquals("PSK must be 48 bytes for TLS_AES_256_GCM_SHA384, got 32",
                refusal(TestData.tls13Association().cipherSuite("TLS_AES_256_GCM_SHA384")));
    }

    @Test
    void theSuiteMustBelongToTheSasVersion() {
        assertEquals("cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 is a TLSv1.2 suite, not one for a TLSv1.3 SA",
                refusal(TestData.tls13Association().cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")));
        assertEquals("cipher suite TLS_AES_128_GCM_SHA256 is a TLSv1.3 suite, not one for a TLSv1.2 SA",
                refusal(TestData.association().cipherSuite("TLS_AES_128_GCM_SHA256").masterSecret(TestData.psk())));
    }

    @Test
    void refusesZeroNegativeAndAbsurdLifetimes() {
        assertEquals("lifetime must be positive, got 0s", refusal(TestData.association().lifetime(Duration.ZERO)));
        assertEquals("lifetime must be positive, got -5s",
                refusal(TestData.association().lifetime(Duration.ofSeconds(-5))));
        assertEquals("lifetime of 86401s exceeds the maximum of 86400s",
                refusal(TestData.association().lifetime(Duration.ofSeconds(86401))));
    }

    @Test
    void acceptsLifetimeOfExactlyOneDay() {
        assertEquals(SecurityAssociation.MAX_LIFETIME,
                TestData.association().lifetime(Duration.ofDays(1)).build().lifetime());
    }

    @Test
    void refusesMissingParts() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> TestData.association().server(null).build());
        assertEquals("server is required", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> TestData.association().creationTime(null).build());
        assertEquals("creation time is required", e.getMessage());
    }

    @Test
    void refusesRandomOfWrongLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeerInfo.builder().random(new byte[31]).identity("sip:alice@example.com").build());
        assertEquals("random must be 32 bytes, got 31", e.getMessage());
    }

    @Test
    void refusesIdentityThatIsNotASipUri() {
        for (String identity : new String[] {"alice@example.com", "sip:", "tel:+15551234", "sip:al ice@example.com"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> PeerInfo.builder().random(new byte[32]).identity(identity).build(), identity);
        }
        assertEquals("SIPS:bob@example.com",
                PeerInfo.builder().random(new byte[32]).identity("SIPS:bob@example.com").build().identity());
    }

    @Test
    void toStringNeverContainsTheMasterSecret() {
        SecurityAssociation sa = TestData.association().build();
        String s = sa.toString();
        byte[] secret = TestData.masterSecret();
        assertFalse(s.contains(HexFormat.of().formatHex(secret)), s);
        assertFalse(s.toLowerCase().contains(HexFormat.of().formatHex(secret, 0, 8)), s);
        assertFalse(s.contains(Base64.getEncoder().encodeToString(secret)), s);
        assertFalse(s.contains(Base64.getEncoder().encodeToString(secret).substring(0, 12)), s);
        assertTrue(s.contains(sa.sessionIdHex()), s);
        assertTrue(s.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), s);
        assertTrue(s.contains("lifetime=3600s"), s);
        assertTrue(s.contains("sip:alice@example.com") && s.contains("sip:bob@example.com"), s);
    }

    @Test
    void toStringNeverContainsThePsk() {
        SecurityAssociation sa = TestData.tls13Association().build();
        String s = sa.toString();
        byte[] psk = TestData.psk();
        assertFalse(s.toLowerCase().contains(HexFormat.of().formatHex(psk, 0, 8)), s);
        assertFalse(s.toUpperCase().contains(HexFormat.of().withUpperCase().formatHex(psk, 0, 8)), s);
        assertFalse(s.contains(Base64.getEncoder().encodeToString(psk).substring(0, 12)), s);
        assertTrue(s.contains("version=TLSv1.3") && s.contains("TLS_AES_128_GCM_SHA256"), s);
    }

    @Test
    void destroyZeroesTheSecretAndThenMasterSecretThrows() throws Exception {
        SecurityAssociation sa = TestData.association().build();
        assertFalse(sa.isDestroyed());
        sa.destroy();
        assertTrue(sa.isDestroyed());
        assertTrue(TestData.allZero(internalSecret(sa)));
        assertEquals("destroyed", assertThrows(IllegalStateException.class, sa::masterSecret).getMessage());
        sa.destroy();
        assertTrue(sa.isDestroyed(), "destroy is idempotent");
        assertTrue(sa.toString().contains("destroyed"));
    }

    @Test
    void mutatingReturnedArraysDoesNotChangeTheAssociation() {
        SecurityAssociation sa = TestData.association().build();
        sa.masterSecret()[0] ^= 1;
        sa.sessionId()[0] ^= 1;
        sa.client().random()[0] ^= 1;
        assertArrayEquals(TestData.masterSecret(), sa.masterSecret());
        assertArrayEquals(TestData.bytes(32, 0xA0), sa.sessionId());
        assertArrayEquals(TestData.bytes(32, 0x10), sa.client().random());
    }

    @Test
    void mutatingArraysGivenToTheBuilderDoesNotChangeTheAssociation() {
        byte[] secret = TestData.masterSecret();
        byte[] id = TestData.bytes(32, 0xA0);
        SecurityAssociation.Builder b = TestData.association().masterSecret(secret).sessionId(id);
        secret[0] ^= 1;
        id[0] ^= 1;
        SecurityAssociation sa = b.build();
        assertArrayEquals(TestData.masterSecret(), sa.masterSecret());
        assertArrayEquals(TestData.bytes(32, 0xA0), sa.sessionId());
    }

    @Test
    void buildConsumesTheBuildersSecret() {
        SecurityAssociation.Builder b = TestData.association();
        b.build();
        NullPointerException e = assertThrows(NullPointerException.class, b::build);
        assertEquals("master secret is required", e.getMessage());
    }

    @Test
    void equalityIsIdentityNotContent() {
        SecurityAssociation a = TestData.association().build();
        SecurityAssociation b = TestData.association().build();
        assertNotEquals(a, b);
        assertEquals(a, a);
    }

    private static byte[] internalSecret(SecurityAssociation sa) throws ReflectiveOperationException {
        Field f = SecurityAssociation.class.getDeclaredField("masterSecret");
        f.setAccessible(true);
        return (byte[]) f.get(sa);
    }
}
