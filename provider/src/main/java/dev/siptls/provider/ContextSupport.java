package dev.siptls.provider;

import java.security.KeyManagementException;
import javax.net.ssl.KeyManager;

/**
 * What a SIP-TLS {@code SSLContext} shares with the provider instance it came from: where SAs come from,
 * the fallback ledger (and through it the counters), and a say at {@code init} (start the agent, publish the
 * server policy, or refuse because the provider is not configured).
 */
interface ContextSupport {

    AssociationSource source();

    HandshakeLedger ledger();

    /** Called first in every {@code SSLContext.init}, with the application's key managers. */
    void initializing(KeyManager[] keyManagers) throws KeyManagementException;

    /** A context on its own: SAs from {@code source}, fallback=full, counters nobody reads. */
    static ContextSupport standalone(AssociationSource source) {
        HandshakeLedger ledger = new HandshakeLedger("SIP-TLS", SipTlsConfiguration.Fallback.FULL,
                new ProviderStatistics());
        return new ContextSupport() {
            @Override
            public AssociationSource source() {
                return source;
            }

            @Override
            public HandshakeLedger ledger() {
                return ledger;
            }

            @Override
            public void initializing(KeyManager[] keyManagers) {
            }
        };
    }
}
