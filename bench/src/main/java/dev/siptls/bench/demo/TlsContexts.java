package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * The terminals' TLS key and trust managers, counted ({@link Layer#TLS}), and the plain TLS contexts of the
 * traditional and resumption ways. Those run on the engine and crypto SIP-TLS runs on (BCJSSE over the
 * Bouncy Castle JCA provider, both private instances), so that the three ways differ only in how the
 * session comes about.
 */
final class TlsContexts {

    /** BCJSSE over Bouncy Castle's JCA provider, as the SIP-TLS provider's contexts are. */
    static final Provider BCJSSE = new BouncyCastleJsseProvider(false,
            new JcaTlsCryptoProvider().setProvider(new BouncyCastleProvider()));

    private final Ledger ledger;
    private final KeyStore trustStore;

    TlsContexts(Ledger ledger, KeyStore trustStore) {
        this.ledger = ledger;
        this.trustStore = trustStore;
    }

    /** A terminal's key, counted: BCJSSE's own PKIX key manager (it knows BCJSSE's key type names). */
    KeyManager[] keyManagers(KeyStore keys) throws GeneralSecurityException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX", BCJSSE);
        factory.init(keys, DemoPki.password());
        for (KeyManager km : factory.getKeyManagers()) {
            if (km instanceof X509ExtendedKeyManager x) {
                return new KeyManager[] {new CountingKeyManager(x, ledger, Layer.TLS)};
            }
        }
        throw new GeneralSecurityException("no X.509 key manager");
    }

    /** The demo CA as trust anchor, counted: SunJSSE's PKIX trust manager, named explicitly. */
    TrustManager[] trustManagers() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX", "SunJSSE");
        factory.init(trustStore);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return new TrustManager[] {new CountingTrustManager(x, ledger, Layer.TLS)};
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** A plain BCJSSE context for one application of a terminal. */
    SSLContext plain(KeyStore keys) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS", BCJSSE);
        context.init(keyManagers(keys), trustManagers(), new SecureRandom());
        return context;
    }
}
