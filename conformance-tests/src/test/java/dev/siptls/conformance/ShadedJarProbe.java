package dev.siptls.conformance;

import dev.siptls.provider.SipTlsProvider;
import java.security.KeyManagementException;
import javax.net.ssl.SSLContext;

/**
 * Run in a child JVM on {@code sip-tls.jar} alone: prints the bctls version SIP-TLS reports, then checks the
 * BCJSSE session bridge as a start-up check and two context inits do (an unconfigured provider's init refuses
 * after that check).
 */
public final class ShadedJarProbe {

    private ShadedJarProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("bctls version: " + new SipTlsProvider().health().bctlsVersion());
        for (int i = 0; i < 2; i++) {
            try {
                SSLContext.getInstance(SipTlsProvider.PROTOCOL, new SipTlsProvider()).init(null, null, null);
            } catch (KeyManagementException notConfigured) {
                // expected: the bridge was checked first
            }
        }
    }
}
