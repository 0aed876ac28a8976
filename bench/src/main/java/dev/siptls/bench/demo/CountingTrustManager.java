package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import dev.siptls.bench.demo.Ledger.Side;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A real PKIX trust manager that counts every chain it is asked to verify, so that the demo's
 * authentication figures are counted where the verification happens rather than computed.
 */
final class CountingTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;
    private final Ledger ledger;
    private final Layer layer;

    CountingTrustManager(X509ExtendedTrustManager delegate, Ledger ledger, Layer layer) {
        this.delegate = delegate;
        this.ledger = ledger;
        this.layer = layer;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        ledger.chainVerified(layer, Side.CLIENT);
        Ledger.insideTrustManager(() -> delegate.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        ledger.chainVerified(layer, Side.CLIENT);
        Ledger.insideTrustManager(() -> delegate.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        ledger.chainVerified(layer, Side.CLIENT);
        Ledger.insideTrustManager(() -> delegate.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        ledger.chainVerified(layer, Side.SERVER);
        Ledger.insideTrustManager(() -> delegate.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        ledger.chainVerified(layer, Side.SERVER);
        Ledger.insideTrustManager(() -> delegate.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        ledger.chainVerified(layer, Side.SERVER);
        Ledger.insideTrustManager(() -> delegate.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
