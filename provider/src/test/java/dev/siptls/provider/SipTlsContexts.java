package dev.siptls.provider;

import java.security.KeyManagementException;
import java.security.Provider;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/** SIP-TLS SSLContexts for tests, before the provider class exists. */
final class SipTlsContexts {

    private static final Provider TEST_PROVIDER = new Provider("SipTlsTest", "0", "SIP-TLS under test") {
        private static final long serialVersionUID = 1L;
    };

    private SipTlsContexts() {
    }

    static SSLContext create(AssociationSource source, KeyManager[] km, TrustManager[] tm)
            throws KeyManagementException {
        SSLContext context = new SSLContext(new SipTlsSSLContextSpi(source), TEST_PROVIDER, "SIP-TLS") {
        };
        context.init(km, tm, null);
        return context;
    }

    /** A server that holds {@code keys} and trusts the test CA. */
    static SSLContext server(AssociationSource source, KeyManager keys) throws KeyManagementException {
        return create(source, new KeyManager[]{keys}, TestPki.trustingCa());
    }

    /** A client with no key of its own that trusts the test CA. */
    static SSLContext client(AssociationSource source) throws KeyManagementException {
        return create(source, null, TestPki.trustingCa());
    }
}
