package dev.siptls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PossessionProof;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProvablePolicyTest {

    private static final TestPki PKI = new TestPki();
    private static final TlsIdentity BOB = PKI.agent("sip:bob@example.com");
    private static final TlsIdentity WWW = PKI.identity("www", List.of("www.example.com"));
    private static final byte[] NONCE = new byte[PossessionProof.CHALLENGE_BYTES];

    private static SecurityPolicy policy(TlsIdentity tls) {
        return SecurityPolicy.builder().cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
                .binding(new HostPort("www.example.com", 443)).certificateChain(tls.chain()).build();
    }

    @Test
    void signsAnotherChainWithItsKeyForEachNonce() throws Exception {
        ProvablePolicy provable = ProvablePolicy.of(policy(WWW), WWW.privateKey(), BOB.certificate());
        byte[] other = NONCE.clone();
        other[0] = 1;

        SecurityPolicy first = provable.forNonce("sip:bob@example.com", NONCE);
        SecurityPolicy second = provable.forNonce("sip:bob@example.com", other);

        assertTrue(PossessionProof.verify(WWW.certificate().getPublicKey(),
                PossessionProof.signedBytes("sip:bob@example.com", NONCE, WWW.chain()), first.possession().get()));
        assertTrue(PossessionProof.verify(WWW.certificate().getPublicKey(),
                PossessionProof.signedBytes("sip:bob@example.com", other, WWW.chain()), second.possession().get()));
    }

    @Test
    void theAgentsOwnChainNeedsNoKeyAndNoSignature() throws Exception {
        SecurityPolicy own = policy(BOB);
        ProvablePolicy provable = ProvablePolicy.of(own, null, BOB.certificate());

        assertSame(own, provable.forNonce("sip:bob@example.com", NONCE));
    }

    @Test
    void refusesAChainWithoutItsKeyOrWithAnotherKey() {
        assertThrows(IllegalArgumentException.class, () -> ProvablePolicy.of(policy(WWW), null, BOB.certificate()));
        assertThrows(IllegalArgumentException.class,
                () -> ProvablePolicy.of(policy(WWW), BOB.privateKey(), BOB.certificate()));
    }

    @Test
    void neverShowsTheKeyOrTheSignature() throws Exception {
        ProvablePolicy provable = ProvablePolicy.of(policy(WWW), WWW.privateKey(), BOB.certificate());
        String signature = Base64.getEncoder().encodeToString(
                provable.forNonce("sip:bob@example.com", NONCE).possession().get());

        String shown = provable + " " + provable.forNonce("sip:bob@example.com", NONCE);

        assertFalse(shown.contains(Base64.getEncoder().encodeToString(WWW.privateKey().getEncoded())), shown);
        assertFalse(shown.contains(signature), shown);
        assertEquals(-1, shown.indexOf("Private"), shown);
    }
}
