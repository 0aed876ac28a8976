package dev.siptls.provider;

import dev.siptls.protocol.HostPort;
import java.security.KeyManagementException;
import java.time.Duration;
import java.util.List;
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

    /**
     * A context's sessions once it is initialised, so that client SAs obtained ahead of a connection (prefetched,
     * renewed) can be prepared for it; held weakly, so that a context the application drops can go.
     */
    default void initialized(AssociationSessions sessions) {
    }

    /**
     * The {@code host:port}s this provider's TLS servers serve, so that a server engine, which knows no port,
     * can tell whether an SA's binding is the only one it could be serving; empty if not known.
     */
    default List<HostPort> servedBindings() {
        return List.of();
    }

    /**
     * The longest any session of a context may be resumed after its creation, native ones included: the
     * configured {@code maxLifetime}, else the key server's default bound on SA lifetimes.
     */
    default Duration sessionLifetimeBound() {
        return DEFAULT_LIFETIME_BOUND;
    }

    /** The protocols the context's sockets and engines enable unless the application says otherwise. */
    default List<String> protocols() {
        return DEFAULT_PROTOCOLS;
    }

    /** TLS 1.3 for TLS 1.3 SAs (external PSKs with (EC)DHE) and full handshakes, TLS 1.2 for TLS 1.2 SAs. */
    List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The key server's default longest SA lifetime. */
    Duration DEFAULT_LIFETIME_BOUND = Duration.ofHours(1);

    /**
     * A server connection (socket or engine) of this provider starts a handshake with these enabled suites, so
     * that the server policy can list only suites its connections resume. Called in every server handshake, on
     * the handshake's thread: must be cheap and must not block.
     */
    default void serverConnectionSuites(String[] enabledSuites) {
    }

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

            @Override
            public void serverConnectionSuites(String[] enabledSuites) {
                // no agent, no policy to follow the connections
            }
        };
    }
}
