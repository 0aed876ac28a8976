package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;

class StandardNamesKeyManagerTest {

    @Test
    void mapsBcjsseKeyTypesToStandardNames() {
        assertEquals("EC", StandardNamesKeyManager.standard("ECDHE_ECDSA"));
        assertEquals("EC", StandardNamesKeyManager.standard("EC/secp256r1"));
        assertEquals("RSA", StandardNamesKeyManager.standard("ECDHE_RSA"));
        assertEquals("RSA", StandardNamesKeyManager.standard("RSA"));
        assertEquals("Ed25519", StandardNamesKeyManager.standard("Ed25519"));
    }

    @Test
    void sunJsseKeyManagerFindsItsEcKeyUnderBcjsseNames() {
        X509ExtendedKeyManager sunJsse = TestPki.keyManager(TestPki.SERVER);
        assertNull(sunJsse.chooseServerAlias("ECDHE_ECDSA", null, null), "SunJSSE learnt BCJSSE's names");

        X509ExtendedKeyManager adapted = (X509ExtendedKeyManager) StandardNamesKeyManager.adapt(
                new KeyManager[]{sunJsse})[0];

        String alias = adapted.chooseServerAlias("ECDHE_ECDSA", null, null);
        assertEquals(TestPki.SERVER.certificate(), adapted.getCertificateChain(alias)[0]);
        assertEquals(TestPki.SERVER.certificate(),
                adapted.getCertificateChain(adapted.chooseEngineServerAlias("EC/secp256r1", null, null))[0]);
    }

    @Test
    void leavesNullAlone() {
        assertSame(null, StandardNamesKeyManager.adapt(null));
    }
}
