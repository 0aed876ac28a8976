package dev.siptls.provider;

import dev.siptls.protocol.HostPort;

import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The TLS 1.3 PSK engines of one SIP-TLS context ({@link Tls13PskEngine}): a client's for the PSK of the TLS 1.3 SA
 * it offers, a server's for a ClientHello that names a TLS 1.3 SA it may use on that connection. A session made with
 * the PSK carries the SA's id as its {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION} value, as TLS 1.2 SA sessions
 * do. A client whose server declines the PSK completes a full handshake instead, with the context's trust and key
 * managers as BCJSSE has them (monitored: the ledger counts that fallback, or refuses it under {@code fallback=fail}).
 */
final class PskEngines {

    private static final String TLS13 = "TLSv1.3";

    private final AssociationSessions sessions;
    private final AssociationSource source;
    private final HandshakeLedger ledger;
    /**
     * Both sides': Bouncy Castle's own x25519 is the cheaper here (a later TLS 1.3 connection of the demo took about
     * a fifth less CPU than with the JCA crypto); a fallback's client certificate is still signed through the JCA,
     * so that its key may be any JCA private key.
     */
    private final BcTlsCrypto crypto;
    private final CertificateFallback fallback;
    private final Supplier<List<HostPort>> served;

    /**
     * @param trust  the context's trust manager as BCJSSE has it, or null (then a declined PSK fails the handshake)
     * @param keys   the context's key manager as BCJSSE has it, or null
     * @param served the bindings this provider serves (for engines, which know no port)
     */
    PskEngines(AssociationSessions sessions, AssociationSource source, HandshakeLedger ledger, SecureRandom random,
               X509TrustManager trust, X509KeyManager keys, Supplier<List<HostPort>> served) {
        this.sessions = sessions;
        this.source = source;
        this.ledger = ledger;
        this.crypto = new BcTlsCrypto(random);
        this.fallback = trust == null ? null : new CertificateFallback(trust, keys);
        this.served = served;
    }

    /**
     * A client engine that offers {@code psk}, with the connection's parameters (SNI, ALPN, the suites of a full
     * handshake should the server decline the PSK).
     */
    SSLEngine clientEngine(PskAssociation psk, SSLParameters parameters, String host, int port) {
        Tls13PskEngine engine = fallback == null
                ? Tls13PskEngine.client(psk.psk(), parameters, host, port, crypto)
                : Tls13PskEngine.client(psk.psk(), parameters, host, port, crypto, fallback);
        return marked(engine, psk);
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

    /**
     * The engine's PSK session is the SA's: its id, its association value; invalidating it forgets the SA. A full
     * handshake in the PSK's place has another session, which this does not touch.
     */
    private SSLEngine marked(Tls13PskEngine engine, PskAssociation psk) {
        String id = psk.associationId();
        return engine.associate(id, () -> source.invalidated(id));
    }
}
