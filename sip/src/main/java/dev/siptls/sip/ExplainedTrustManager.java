package dev.siptls.sip;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager whose refusals name the certificate they refused ({@link UntrustedCertificateException}): a
 * PKIX failure alone says "Signature does not match" and nothing of whose certificate, or which CA, it was.
 */
final class ExplainedTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager checks;

    ExplainedTrustManager(X509ExtendedTrustManager checks) {
        this.checks = checks;
    }

    private interface Check {
        void run() throws CertificateException;
    }

    private static void explained(X509Certificate[] chain, Check check) throws CertificateException {
        try {
            check.run();
        } catch (UntrustedCertificateException e) {
            throw e;
        } catch (CertificateException e) {
            throw new UntrustedCertificateException(chain, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        explained(chain, () -> checks.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        explained(chain, () -> checks.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        explained(chain, () -> checks.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        explained(chain, () -> checks.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        explained(chain, () -> checks.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        explained(chain, () -> checks.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return checks.getAcceptedIssuers();
    }
}
