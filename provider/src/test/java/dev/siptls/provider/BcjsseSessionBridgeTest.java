package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class BcjsseSessionBridgeTest {

    @Test
    void findsTheBctlsVersionItWasMeasuredAgainst() {
        assertEquals(BcjsseSessionBridge.REQUIRED_BCTLS, BcjsseSessionBridge.bctlsVersion());
        BcjsseSessionBridge.forInstalledBctls();
    }

    @Test
    void failsNamingBothVersionsWhenTheInternalsDiffer() {
        ClassLoader withoutBctls = new java.net.URLClassLoader(new java.net.URL[0], ClassLoader.getPlatformClassLoader());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BcjsseSessionBridge.forBctlsIn(withoutBctls));
        assertTrue(e.getMessage().startsWith("SIP-TLS needs bctls 1.84 but found bctls 1.84,"), e.getMessage());
        assertTrue(e.getMessage().contains("ProvSSLSessionContext"), e.getMessage());
    }

    private static final BcjsseSessionBridge.Lookups NO_SAS = new BcjsseSessionBridge.Lookups() {
        @Override
        public Optional<ResumableSession> byId(byte[] sessionId) {
            return Optional.empty();
        }

        @Override
        public java.util.List<byte[]> ids() {
            return java.util.List.of();
        }

        @Override
        public void invalidated(byte[] sessionId) {
        }

        @Override
        public long maxAgeMillis() {
            return Long.MAX_VALUE;
        }
    };

    @Test
    void refusesToAttachTwice() throws Exception {
        SSLContext context = SipTlsContexts.client(new InMemoryAssociations());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BcjsseSessionBridge
                .forInstalledBctls().attach(context.getClientSessionContext(), NO_SAS));
        assertTrue(e.getMessage().contains("already attached"), e.getMessage());
    }

    @Test
    void refusesSessionContextsOfOtherProviders() throws Exception {
        SSLContext sunJsse = SSLContext.getInstance("TLS", "SunJSSE");
        sunJsse.init(null, null, null);
        assertThrows(IllegalArgumentException.class, () -> BcjsseSessionBridge.forInstalledBctls()
                .attach(sunJsse.getServerSessionContext(), NO_SAS));
    }

    @Test
    void serverSessionContextShowsTheAssociationsSessionById() throws Exception {
        Associations content = Associations.fresh();
        InMemoryAssociations agent = new InMemoryAssociations().serving(content.forServerAt(443));
        SSLContext context = SipTlsContexts.server(agent, TestPki.keyManager(TestPki.SERVER));

        javax.net.ssl.SSLSession session = context.getServerSessionContext().getSession(content.sessionId());

        assertTrue(session.isValid());
        assertEquals(Associations.SUITE, session.getCipherSuite());
        assertEquals(TestPki.SERVER.certificate(), session.getLocalCertificates()[0]);
    }
}
