package dev.siptls.provider;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;

import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SessionParameters;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds, for one handshake, a fresh resumable TLS session from the SA the {@link AssociationSource}
 * holds, or nothing if the SA must not be used (then the handshake is a full one).
 *
 * <p>An SA is used only if it is live (not destroyed, not expired), TLS 1.2 and of a known suite, and,
 * on the client side, if the application's trust manager accepts its server chain. The session gets its
 * own copy of the master secret; the copy read from the SA is zeroed at once. Errors of the source count
 * as "no SA".
 */
final class AssociationSessions {

    private static final System.Logger LOG = System.getLogger(AssociationSessions.class.getName());
    private static final String TLS12 = "TLSv1.2";

    private final AssociationSource source;
    private final TlsCrypto crypto;
    private final PeerTrust trust;
    private final Clock clock;

    AssociationSessions(AssociationSource source, TlsCrypto crypto, PeerTrust trust, Clock clock) {
        this.source = source;
        this.crypto = crypto;
        this.trust = trust;
        this.clock = clock;
    }

    /** Server side: a session for the SA with this id; the peer is the SA's client. */
    Optional<ResumableSession> forServer(byte[] sessionId) {
        return ask(() -> source.bySessionId(sessionId.clone())).flatMap(sa -> {
            if (!Arrays.equals(sa.sessionId(), sessionId)) {
                return notUsed(sa, "the source answered with another session id", System.Logger.Level.WARNING);
            }
            String problem = problem(sa);
            if (problem != null) {
                return notUsed(sa, problem, System.Logger.Level.INFO);
            }
            List<X509Certificate> clientChain = trust.client(sa);
            if (clientChain.isEmpty() && !sa.client().certificateChain().isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "SA {0}: client certificate chain not trusted, resuming "
                        + "without a peer certificate", sa.sessionIdHex());
            }
            Optional<HostPort> peer = sa.client().address();
            return build(sa, sa.server().certificateChain(), clientChain,
                    peer.map(HostPort::host).orElse(null), peer.map(HostPort::port).orElse(-1), null);
        });
    }

    /** Client side: a session for {@code host:port} from the SA the source has or gets for it. */
    Optional<ResumableSession> forClient(String host, int port) {
        return ask(() -> source.forPeer(host, port)).flatMap(sa -> {
            String problem = problem(sa);
            if (problem != null) {
                return notUsed(sa, problem, System.Logger.Level.INFO);
            }
            PeerTrust.Verdict verdict = trust.server(sa, host);
            if (!verdict.trusted()) {
                return notUsed(sa, verdict.refusal(), System.Logger.Level.WARNING);
            }
            return build(sa, sa.client().certificateChain(), sa.server().certificateChain(), host, port,
                    verdict.endpointIdAlgorithm());
        });
    }

    private String problem(SecurityAssociation sa) {
        if (sa.isDestroyed()) {
            return "the SA was destroyed";
        }
        if (sa.isExpired(clock.instant())) {
            return "the SA expired at " + sa.expiryTime();
        }
        if (!TLS12.equals(sa.protocolVersion())) {
            return "the SA is for " + sa.protocolVersion() + ", SIP-TLS resumes only " + TLS12;
        }
        if (!CipherSuites.isKnown(sa.cipherSuite())) {
            return "the SA's cipher suite " + sa.cipherSuite() + " is unknown";
        }
        return null;
    }

    private Optional<ResumableSession> build(SecurityAssociation sa, List<X509Certificate> local,
                                             List<X509Certificate> peer, String peerHost, int peerPort,
                                             String endpointIdAlgorithm) {
        byte[] masterSecret = null;
        try {
            masterSecret = sa.masterSecret();
            SessionParameters parameters = new SessionParameters.Builder()
                    .setCipherSuite(CipherSuites.code(sa.cipherSuite()))
                    .setNegotiatedVersion(ProtocolVersion.TLSv12)
                    .setMasterSecret(crypto.createSecret(masterSecret))
                    .setExtendedMasterSecret(sa.extendedMasterSecret())
                    .setLocalCertificate(certificate(local))
                    .setPeerCertificate(certificate(peer))
                    .build();
            TlsSession session = TlsUtils.importSession(sa.sessionId(), parameters);
            LOG.log(System.Logger.Level.DEBUG, "SA {0}: fresh session for peer {1}:{2}", sa.sessionIdHex(),
                    peerHost, peerPort);
            return Optional.of(new ResumableSession(session, peerHost, peerPort, sa.creationTime().toEpochMilli(),
                    endpointIdAlgorithm));
        } catch (IOException | CertificateEncodingException | RuntimeException e) {
            return notUsed(sa, "cannot build a TLS session from the SA: " + e, System.Logger.Level.WARNING);
        } finally {
            if (masterSecret != null) {
                Arrays.fill(masterSecret, (byte) 0);
            }
        }
    }

    /** BCJSSE's form of a chain; {@code null} for none, so that a server that needs client auth declines. */
    private Certificate certificate(List<X509Certificate> chain) throws IOException, CertificateEncodingException {
        if (chain.isEmpty()) {
            return null;
        }
        TlsCertificate[] certificates = new TlsCertificate[chain.size()];
        for (int i = 0; i < certificates.length; i++) {
            certificates[i] = crypto.createCertificate(chain.get(i).getEncoded());
        }
        return new Certificate(certificates);
    }

    private Optional<ResumableSession> notUsed(SecurityAssociation sa, String reason, System.Logger.Level level) {
        LOG.log(level, "SA {0} not used, full handshake instead: {1}", sa.sessionIdHex(), reason);
        try {
            source.notUsed(sa, reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "association source failed to take a notUsed report", e);
        }
        return Optional.empty();
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
