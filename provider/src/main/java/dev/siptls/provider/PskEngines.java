package dev.siptls.provider;

import dev.siptls.protocol.HostPort;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.security.SecureRandom;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The TLS 1.3 PSK engines of one SIP-TLS context ({@link Tls13PskEngine}): a client's for the PSK of the TLS 1.3 SA
 * it offers, a server's for a ClientHello that names a TLS 1.3 SA it may use on that connection. Each session
 * carries the SA's id as its {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION} value, as TLS 1.2 SA sessions do.
 */
final class PskEngines {

    private static final String TLS13 = "TLSv1.3";

    private final AssociationSessions sessions;
    private final AssociationSource source;
    private final HandshakeLedger ledger;
    private final BcTlsCrypto crypto;
    private final Supplier<List<HostPort>> served;

    /** @param served the bindings this provider serves (for engines, which know no port) */
    PskEngines(AssociationSessions sessions, AssociationSource source, HandshakeLedger ledger, SecureRandom random,
               Supplier<List<HostPort>> served) {
        this.sessions = sessions;
        this.source = source;
        this.ledger = ledger;
        this.crypto = new BcTlsCrypto(random);
        this.served = served;
    }

    /** A client engine that offers {@code psk}, with the connection's parameters (SNI, ALPN). */
    SSLEngine clientEngine(PskAssociation psk, SSLParameters parameters, String host, int port) {
        return marked(Tls13PskEngine.client(psk.psk(), parameters, host, port, crypto), psk);
    }

    /**
     * A server engine for {@code hello} if it names a TLS 1.3 SA this connection may use: the connection enables
     * TLS 1.3 and the SA's suite, matches no SNI itself, and the SA was issued for this binding; else {@code null}
     * (BCJSSE answers, and the ledger knows why for the full handshake that follows).
     *
     * @param localPort the port the connection was accepted on, or -1 (an engine)
     */
    SSLEngine engine(ClientHelloPeek.Result hello, SSLParameters parameters, int localPort, String peerHost,
                     int peerPort) {
        ServerEndpoint here = new ServerEndpoint(localPort, hello.serverName(),
                localPort > 0 ? List.of() : served.get(), peerHost, peerPort);
        Optional<PskAssociation> found = sessions.forServerPsk(hello.identities(), here);
        if (found.isEmpty()) {
            return null;
        }
        PskAssociation psk = found.get();
        boolean matchesSni = parameters.getSNIMatchers() != null && !parameters.getSNIMatchers().isEmpty();
        if (!List.of(parameters.getProtocols()).contains(TLS13) || matchesSni // as BCJSSE on TLS 1.2 SAs
                || !List.of(parameters.getCipherSuites()).contains(psk.psk().suiteName())) {
            psk.psk().destroy();
            ledger.serverFound(psk.associationId()); // found, but not for this connection: server-not-resumable
            return null;
        }
        return marked(Tls13PskEngine.server(psk.psk(), parameters, peerHost, peerPort, crypto, null), psk);
    }

    /** The engine's session is the SA's: its id, its association value; invalidating it forgets the SA. */
    private SSLEngine marked(Tls13PskEngine engine, PskAssociation psk) {
        String id = psk.associationId();
        return engine.associate(id, () -> source.invalidated(id));
    }
}
