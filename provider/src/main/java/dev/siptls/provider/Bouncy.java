package dev.siptls.provider;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

import java.security.Provider;

/**
 * The Bouncy Castle providers behind every SIP-TLS context in the JVM, private to SIP-TLS (never
 * registered with {@code java.security.Security}). One instance each, created on first use: building a
 * {@code BouncyCastleProvider} costs about 1.5 s. BCJSSE's logging is quieted first ({@link BcjsseLogging}).
 */
final class Bouncy {

    static {
        BcjsseLogging.quietByDefault();
    }

    static final Provider JCA = new BouncyCastleProvider();
    static final JcaTlsCryptoProvider CRYPTO = new JcaTlsCryptoProvider().setProvider(JCA);
    static final Provider JSSE = new BouncyCastleJsseProvider(false, CRYPTO);

    private Bouncy() {
    }
}
