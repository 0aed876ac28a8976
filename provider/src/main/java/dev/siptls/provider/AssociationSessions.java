package dev.siptls.provider;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;

import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SessionParameters;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Builds, for one handshake, a fresh resumable TLS session from the SA the {@link AssociationSource}
 * holds, or nothing if the SA must not be used (then the handshake is a full one).
 *
 * <p>A TLS 1.3 SA gives a fresh external PSK ({@link PskAssociation}) instead, on the same conditions; a TLS 1.2 SA's
 * session id and a TLS 1.3 SA's PSK identity each name their SA only to the handshake of their own version.
 *
 * <p>An SA is used only if it is live (not destroyed, not expired) and of a known suite, only at
 * the binding it was issued for (a server: the connection's port and SNI host, {@link ServerEndpoint}; a
 * client: the {@code host:port} it looks up), and, on the client side, if the application's trust manager
 * accepts its server chain. An SA refused for its binding is left as it is: it still serves its own. The
 * session gets its own copy of the master secret; the copy read from the SA is zeroed at once. Errors of the source count
 * as "no SA". Every outcome goes to the {@link HandshakeLedger}, which under {@code fallback=fail} refuses a
 * client handshake that has no SA right here, before its ClientHello.
 */
final class AssociationSessions {

    private static final System.Logger LOG = System.getLogger(AssociationSessions.class.getName());

    private final AssociationSource source;
    private final TlsCrypto crypto;
    private final PeerTrust trust;
    private final Clock clock;
    private final HandshakeLedger ledger;
    private final AssociationFacts facts;
    private final Duration bound;
    /** The longest lifetime of the SAs sessions were built from, once there was one. */
    private final AtomicLong longestLifetime = new AtomicLong(Long.MAX_VALUE);

    /**
     * @param bound the longest any session of the context may be resumed after its creation, whatever the SAs say:
     *              {@code maxLifetime}, or the key server's default bound
     */
    AssociationSessions(AssociationSource source, TlsCrypto crypto, PeerTrust trust, Clock clock,
                        HandshakeLedger ledger, Duration bound) {
        this.bound = bound;
        this.source = source;
        this.crypto = crypto;
        this.trust = trust;
        this.clock = clock;
        this.ledger = ledger;
        this.facts = new AssociationFacts(crypto);
    }

    /**
     * Client side, ahead of a connection to {@code host}: derives what the first lookup of {@code sa} would (its
     * server chain in BCJSSE's form, the trust manager's verdict on it), so that the first connection with an SA
     * obtained in advance costs what a later one does. Nothing is counted or logged; a problem shows at the lookup.
     */
    void prepareClient(SecurityAssociation sa, String host) {
        if (problem(sa) != null) {
            return;
        }
        AssociationFacts.Facts known = facts.of(sa);
        known.serverVerdict(host, clock.millis(), () -> trust.server(sa, host));
        try {
            known.serverCertificate();
            known.clientCertificate();
        } catch (IOException | java.security.cert.CertificateEncodingException | RuntimeException e) {
            // the lookup meets it again and says why
        }
    }

    /**
     * Server side, ahead of a connection: derives the chains of {@code sa} in BCJSSE's form as its first lookup
     * would. The client chain's trust verdict is left to that lookup (it logs an untrusted one).
     */
    void prepareServer(SecurityAssociation sa) {
        if (problem(sa) != null) {
            return;
        }
        AssociationFacts.Facts known = facts.of(sa);
        try {
            known.serverCertificate();
            known.clientCertificate();
        } catch (IOException | java.security.cert.CertificateEncodingException | RuntimeException e) {
            // the lookup meets it again and says why
        }
    }

    /** Server side, where the connection is not known: a session for the TLS 1.2 SA with this id. */
    Optional<ResumableSession> forServer(byte[] sessionId) {
        return forServer(sessionId, ServerEndpoint.UNKNOWN);
    }

    /**
     * Server side, for BCJSSE: a session for the TLS 1.2 SA with this session id if it may resume at {@code here};
     * the peer is its client. A TLS 1.3 SA's id names nothing here: its secret is a PSK, never a master secret.
     */
    Optional<ResumableSession> forServer(byte[] sessionId, ServerEndpoint here) {
        Optional<AssociationSession> session = serverSession(sessionId, here, false);
        session.ifPresent(s -> ledger.serverFound(s.associationId()));
        return session.map(ResumableSession.class::cast);
    }

    /**
     * Server side, for a ClientHello that offers these PSK identities: the first that names a TLS 1.3 SA this server
     * may use at {@code here}. Identities that are not SA identities (64 hex digits) are skipped unlooked-up.
     */
    Optional<PskAssociation> forServerPsk(List<byte[]> identities, ServerEndpoint here) {
        for (byte[] identity : identities) {
            byte[] sessionId = PskAssociation.sessionIdOf(identity);
            if (sessionId == null) {
                continue;
            }
            Optional<AssociationSession> session = serverSession(sessionId, here, true);
            if (session.isPresent()) {
                return session.map(PskAssociation.class::cast); // no full handshake follows: nothing to explain
            }
        }
        return Optional.empty();
    }

    private Optional<AssociationSession> serverSession(byte[] sessionId, ServerEndpoint here, boolean tls13) {
        Optional<SecurityAssociation> found = ask(() -> source.bySessionId(sessionId.clone()));
        if (found.isEmpty()) {
            ledger.serverMissed(new HandshakeLedger.Miss(FallbackReason.UNKNOWN_SESSION, "the client offered "
                    + (tls13 ? "PSK identity " : "session ") + abbreviate(sessionId)
                    + ", which is no live security association of this server"));
        }
        return found.flatMap(sa -> {
            if (!Arrays.equals(sa.sessionId(), sessionId)) {
                return notUsed(sa, "the source answered with another session id", System.Logger.Level.WARNING,
                        FallbackReason.SERVER_ASSOCIATION_UNUSABLE, null, -1);
            }
            String problem = problem(sa);
            if (problem == null && sa.isTls13() != tls13) {
                problem = tls13 ? "a TLS 1.2 SA was offered as a TLS 1.3 PSK"
                        : "a TLS 1.3 SA's id was offered as a TLS 1.2 session";
            }
            if (problem != null) {
                // DEBUG: whoever saw the session id can offer it; the ledger's rate-limited line says why
                return notUsed(sa, problem, System.Logger.Level.DEBUG, FallbackReason.SERVER_ASSOCIATION_UNUSABLE,
                        null, -1);
            }
            String elsewhere = here.refusal(sa);
            if (elsewhere != null) {
                return notUsed(sa, elsewhere, System.Logger.Level.DEBUG, FallbackReason.ASSOCIATION_FOR_OTHER_BINDING,
                        null, -1);
            }
            AssociationFacts.Facts known = facts.of(sa);
            List<X509Certificate> clientChain = known.trustedClientChain(clock.millis(), () -> {
                List<X509Certificate> trusted = trust.client(sa);
                if (trusted.isEmpty() && !sa.client().certificateChain().isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "SA {0}: client certificate chain not trusted, resuming "
                            + "without a peer certificate", sa.sessionIdHex());
                }
                return trusted;
            });
            Optional<HostPort> named = sa.client().address();
            String peerHost = here.peerHost() != null ? here.peerHost() : named.map(HostPort::host).orElse(null);
            int peerPort = here.peerHost() != null ? here.peerPort() : named.map(HostPort::port).orElse(-1);
            return build(sa, known::serverCertificate,
                    clientChain.isEmpty() ? () -> null : known::clientCertificate, peerHost, peerPort, null,
                    FallbackReason.SERVER_ASSOCIATION_UNUSABLE, sa.server().certificateChain(), clientChain);
        });
    }

    /**
     * Client side: a session for {@code host:port} from the SA the source has or gets for it, of one of the
     * suites the connection offers. May wait for the key server: never call it under a lock.
     *
     * @param endpointIdentification the connection's endpoint identification algorithm, or null: a TLS 1.3 SA is
     *                               used only if its server chain passes it (BCJSSE checks a TLS 1.2 SA's itself)
     */
    Optional<AssociationSession> forClient(String host, int port, List<String> offeredSuites,
                                           String endpointIdentification) {
        Optional<SecurityAssociation> found = ask(() -> source.forPeer(host, port, offeredSuites));
        if (found.isEmpty()) {
            ledger.clientMissed(host, port, explainMiss(host, port));
            return Optional.empty();
        }
        SecurityAssociation sa = found.get();
        String problem = problem(sa);
        if (problem == null) {
            problem = otherServer(sa, host, port);
        }
        if (problem == null && !offeredSuites.contains(sa.cipherSuite())) {
            problem = "its suite " + sa.cipherSuite() + " is not one the connection offers";
        }
        if (problem != null) {
            return notUsed(sa, problem, System.Logger.Level.INFO, FallbackReason.CLIENT_ASSOCIATION_UNUSABLE,
                    host, port);
        }
        AssociationFacts.Facts known = facts.of(sa);
        PeerTrust.Verdict verdict = known.serverVerdict(host, clock.millis(), () -> trust.server(sa, host));
        if (!verdict.trusted()) {
            return notUsed(sa, verdict.refusal(), System.Logger.Level.WARNING,
                    FallbackReason.CLIENT_ASSOCIATION_UNUSABLE, host, port);
        }
        if (sa.isTls13() && endpointIdentification != null && !endpointIdentification.isEmpty()
                && verdict.endpointIdAlgorithm() == null) {
            return notUsed(sa, "its server chain does not name " + host + ", as the connection's "
                    + endpointIdentification + " endpoint identification requires", System.Logger.Level.WARNING,
                    FallbackReason.CLIENT_ASSOCIATION_UNUSABLE, host, port);
        }
        Optional<AssociationSession> session = build(sa, known::clientCertificate, known::serverCertificate, host,
                port, verdict.endpointIdAlgorithm(), FallbackReason.CLIENT_ASSOCIATION_UNUSABLE,
                sa.client().certificateChain(), sa.server().certificateChain());
        session.ifPresent(s -> ledger.clientOffered(host, port, s.associationId()));
        return session;
    }

    /**
     * Client side, for {@code SSLSessionContext.getSession(id)}: a session for the TLS 1.2 SA with this id held as
     * the TLS client, or nothing; no handshake uses it, so nothing is counted.
     */
    Optional<ResumableSession> clientById(byte[] sessionId) {
        Optional<SecurityAssociation> found = ask(() -> source.clientBySessionId(sessionId.clone()));
        return found.filter(sa -> problem(sa) == null && !sa.isTls13()).flatMap(sa -> {
            AssociationFacts.Facts known = facts.of(sa);
            Optional<HostPort> server = sa.server().address();
            return build(sa, known::clientCertificate, known::serverCertificate,
                    server.map(HostPort::host).orElse(null), server.map(HostPort::port).orElse(-1), null, null,
                    List.of(), List.of());
        }).map(ResumableSession.class::cast);
    }

    /** The longest any session may be resumed after its creation: the shortest of the bounds known, in ms. */
    long maxAgeMillis() {
        return Math.min(bound.toMillis(), longestLifetime.get());
    }

    private HandshakeLedger.Miss explainMiss(String host, int port) {
        Optional<HandshakeLedger.Miss> explained = source instanceof ExplainsMisses e ? e.lastMiss() : Optional.empty();
        return explained.orElseGet(() -> new HandshakeLedger.Miss(FallbackReason.NO_ASSOCIATION,
                "no security association for " + host + ":" + port));
    }

    /** Why an SA must not be offered to {@code host:port}: it was issued for another server, or none named. */
    private static String otherServer(SecurityAssociation sa, String host, int port) {
        Optional<HostPort> issuedFor = sa.server().address();
        if (issuedFor.isEmpty()) {
            return "the SA names no server address, so it cannot be offered to " + host + ":" + port;
        }
        try {
            if (issuedFor.get().equals(new HostPort(host, port))) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // not a name an SA can carry: it is for another server
        }
        return "the SA was issued for " + issuedFor.get() + ", not for " + host + ":" + port;
    }

    private String problem(SecurityAssociation sa) {
        if (sa.isDestroyed()) {
            return "the SA was destroyed";
        }
        if (sa.isExpired(clock.instant())) {
            return "the SA expired at " + sa.expiryTime();
        }
        if (!CipherSuites.isKnown(sa.cipherSuite())) {
            return "the SA's cipher suite " + sa.cipherSuite() + " is unknown";
        }
        return null;
    }

    /**
     * A fresh session for one handshake: for a TLS 1.3 SA its PSK ({@code localChain}/{@code peerChain} become the
     * session's certificates), for a TLS 1.2 SA a resumable BCJSSE session ({@code local}/{@code peer}).
     */
    private Optional<AssociationSession> build(SecurityAssociation sa, Chain local, Chain peer,
                                               String peerHost, int peerPort,
                                               String endpointIdAlgorithm, FallbackReason unusable,
                                               List<X509Certificate> localChain, List<X509Certificate> peerChain) {
        byte[] masterSecret = null;
        try {
            masterSecret = sa.masterSecret();
            noteLifetime(sa);
            if (sa.isTls13()) {
                ExternalPsk psk = new ExternalPsk(sa.pskIdentity(), masterSecret, sa.cipherSuite(), peerChain,
                        localChain, sa.creationTime().toEpochMilli());
                LOG.log(System.Logger.Level.DEBUG, "SA {0}: fresh PSK for peer {1}:{2}", sa.sessionIdHex(),
                        peerHost, peerPort);
                return Optional.of(new PskAssociation(psk, peerHost, peerPort, sa.sessionIdHex()));
            }
            SessionParameters parameters = new SessionParameters.Builder()
                    .setCipherSuite(CipherSuites.code(sa.cipherSuite()))
                    .setNegotiatedVersion(ProtocolVersion.TLSv12)
                    .setMasterSecret(crypto.createSecret(masterSecret))
                    .setExtendedMasterSecret(sa.extendedMasterSecret())
                    .setLocalCertificate(local.get())
                    .setPeerCertificate(peer.get())
                    .build();
            TlsSession session = TlsUtils.importSession(sa.sessionId(), parameters);
            LOG.log(System.Logger.Level.DEBUG, "SA {0}: fresh session for peer {1}:{2}", sa.sessionIdHex(),
                    peerHost, peerPort);
            return Optional.of(new ResumableSession(session, peerHost, peerPort, sa.creationTime().toEpochMilli(),
                    endpointIdAlgorithm, sa.sessionIdHex()));
        } catch (IOException | CertificateEncodingException | RuntimeException e) {
            if (unusable == null) {
                return Optional.empty();
            }
            return notUsed(sa, "cannot build a TLS session from the SA: " + e, System.Logger.Level.WARNING, unusable,
                    unusable.client() ? peerHost : null, peerPort);
        } finally {
            if (masterSecret != null) {
                Arrays.fill(masterSecret, (byte) 0);
            }
        }
    }

    private void noteLifetime(SecurityAssociation sa) {
        longestLifetime.accumulateAndGet(Duration.between(sa.creationTime(), sa.expiryTime()).toMillis(),
                (known, seen) -> known == Long.MAX_VALUE ? seen : Math.max(known, seen));
    }

    /** One of the SA's chains in BCJSSE's form; {@code null} for none, so that a server that needs client auth declines. */
    @FunctionalInterface
    private interface Chain {
        Certificate get() throws IOException, CertificateEncodingException;
    }

    /**
     * Reports an SA that must not be used; a client ({@code host} given) then falls back or, under
     * {@code fallback=fail}, is refused here.
     */
    private <T> Optional<T> notUsed(SecurityAssociation sa, String reason, System.Logger.Level level,
                                               FallbackReason why, String host, int port) {
        LOG.log(level, "SA {0} not used: {1}", sa.sessionIdHex(), reason);
        try {
            source.notUsed(sa, reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "association source failed to take a notUsed report", e);
        }
        HandshakeLedger.Miss miss = new HandshakeLedger.Miss(why, "security association "
                + sa.sessionIdHex().substring(0, 16) + "… not used: " + reason);
        if (why.client()) {
            ledger.clientMissed(host, port, miss);
        } else {
            ledger.serverMissed(miss);
        }
        return Optional.empty();
    }

    private static String abbreviate(byte[] sessionId) {
        String hex = java.util.HexFormat.of().formatHex(sessionId);
        return hex.length() > 16 ? hex.substring(0, 16) + "…" : hex;
    }

    private static Optional<SecurityAssociation> ask(Supplier<Optional<SecurityAssociation>> lookup) {
        try {
            Optional<SecurityAssociation> found = lookup.get();
            return found == null ? Optional.empty() : found;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "association source failed; full handshake instead", e);
            return Optional.empty();
        }
    }
}
