package dev.siptls.provider;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The application's trust manager as BCJSSE sees it in a SIP-TLS context. A client consults it only in full
 * handshakes, so each server check is a fallback: {@link HandshakeLedger#clientFullHandshake} counts it, or
 * refuses it under {@code fallback=fail}, before the application's own check runs. Everything else passes
 * through unchanged.
 */
final class MonitoredTrustManager {

    private MonitoredTrustManager() {
    }

    /**
     * The wrapper for {@code trustManager}: an {@code X509ExtendedTrustManager} for an extended one (so that
     * BCJSSE still leaves endpoint identification to it), a plain {@code X509TrustManager} otherwise (so that
     * BCJSSE still does it itself).
     */
    static X509TrustManager wrap(X509TrustManager trustManager, HandshakeLedger ledger) {
        return trustManager instanceof X509ExtendedTrustManager extended
                ? new Extended(extended, ledger) : new Plain(trustManager, ledger);
    }

    private static final class Extended extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final HandshakeLedger ledger;

        Extended(X509ExtendedTrustManager delegate, HandshakeLedger ledger) {
            this.delegate = delegate;
            this.ledger = ledger;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            SSLSession handshake = socket instanceof SSLSocket s ? s.getHandshakeSession() : null;
            if (handshake != null && handshake.getPeerHost() != null) {
                ledger.clientFullHandshake(handshake.getPeerHost(), handshake.getPeerPort());
            } else {
                ledger.clientFullHandshake(null, -1);
            }
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            ledger.clientFullHandshake(engine == null ? null : engine.getPeerHost(),
                    engine == null ? -1 : engine.getPeerPort());
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ledger.clientFullHandshake(null, -1);
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    private static final class Plain implements X509TrustManager {
        private final X509TrustManager delegate;
        private final HandshakeLedger ledger;

        Plain(X509TrustManager delegate, HandshakeLedger ledger) {
            this.delegate = delegate;
            this.ledger = ledger;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ledger.clientFullHandshake(null, -1);
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
