package dev.siptls.provider;

import java.io.IOException;
import java.util.List;
import java.util.Vector;
import java.util.stream.IntStream;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.NamedGroupRole;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskKeyExchangeMode;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSK;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * BC's client side of a TLS 1.3 external-PSK handshake: the one PSK with {@code psk_dhe_ke} only, an x25519 key
 * share, no early data.
 *
 * <p>With a {@link Fallback}, the ClientHello also allows a full certificate-based handshake, as a client offering a
 * resumption PSK does (RFC 8446 §4.2.11): the PSK's suite first (a server selecting the PSK must pick a suite of its
 * hash, which BC checks), then the other TLS 1.3 suites the connection enables; signature_algorithms as BC's default
 * (it governs certificates too, signature_algorithms_cert being absent, as from BCJSSE). If the connection enables
 * TLS 1.2, the ClientHello offers it too, with its TLS 1.2 suites last, so that a server speaking only TLS 1.2 gets
 * the one full handshake the TLS 1.2 path would have made; BC adds what TLS 1.2 needs (extended_master_secret, the
 * renegotiation SCSV, encrypt_then_mac, ec_point_formats) and checks the TLS 1.3 downgrade sentinel. The PSK stays a
 * TLS 1.3 offer: a TLS 1.2 server ignores it. A server that does not select the PSK then authenticates with its
 * certificate, checked by the application's trust manager ({@link FallbackAuthentication}), and the connection gets
 * a session of its own ({@link #fullSession()}). Without a fallback such a handshake fails and {@link #declined()}
 * says so.
 */
final class PskTlsClient extends AbstractTlsClient implements PskPeer {

    static final String DECLINED = "the server did not accept the SIP-TLS PSK";

    /**
     * What a declined PSK falls back to.
     *
     * @param certificates the application's trust and key managers
     * @param suites       the other TLS 1.3 suites to offer after the PSK's
     * @param tls12Suites  the TLS 1.2 suites to offer after those (BC's codes); empty: TLS 1.3 only
     * @param engine       the engine the managers are given
     * @param sessions     the full handshake's session for the protocol, suite name and server's session id
     * @param signing      signs a client CertificateVerify with a JCA private key
     */
    record Fallback(CertificateFallback certificates, List<Tls13Suite> suites, List<Integer> tls12Suites,
                    SSLEngine engine, FullSessions sessions, JcaTlsCrypto signing) {
    }

    /** Makes the session of a full handshake. */
    interface FullSessions {
        PskSession create(String protocol, String suite, byte[] serverSessionId);
    }

    private final ExternalPsk psk;
    private final List<String> applicationProtocols;
    private final List<SNIServerName> serverNames;
    private final Fallback fallback;
    private boolean declined;
    private final PskHandshake handshake;
    private volatile PskSession fullSession;

    PskTlsClient(TlsCrypto crypto, ExternalPsk psk, List<String> applicationProtocols,
            List<SNIServerName> serverNames) {
        this(crypto, psk, applicationProtocols, serverNames, null);
    }

    /** @param fallback what a declined PSK falls back to, or null: the handshake fails */
    PskTlsClient(TlsCrypto crypto, ExternalPsk psk, List<String> applicationProtocols,
            List<SNIServerName> serverNames, Fallback fallback) {
        super(crypto);
        this.psk = psk;
        this.handshake = new PskHandshake(psk);
        this.applicationProtocols = List.copyOf(applicationProtocols);
        this.serverNames = List.copyOf(serverNames);
        this.fallback = fallback;
    }

    /** TLS 1.3; then TLS 1.2 for a fallback to a server that speaks only that (BC checks the downgrade sentinel). */
    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return offersTls12() ? ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12) : ProtocolVersion.TLSv13.only();
    }

    private boolean offersTls12() {
        return fallback != null && !fallback.tls12Suites().isEmpty();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        IntStream others = fallback == null ? IntStream.empty()
                : fallback.suites().stream().filter(suite -> suite != psk.suite()).mapToInt(Tls13Suite::code);
        IntStream tls12 = offersTls12() ? fallback.tls12Suites().stream().mapToInt(Integer::intValue)
                : IntStream.empty();
        int[] suites = IntStream.concat(IntStream.concat(IntStream.of(psk.suite().code()), others), tls12).toArray();
        return TlsUtils.getSupportedCipherSuites(getCrypto(), suites);
    }

    @Override
    public Vector getExternalPSKs() {
        Vector<Object> psks = new Vector<>(1);
        psks.add(handshake.external(getCrypto()));
        return psks;
    }

    @Override
    public short[] getPskKeyExchangeModes() {
        return new short[] {PskKeyExchangeMode.psk_dhe_ke};
    }

    /**
     * x25519 first (the one key share), secp256r1; offering TLS 1.2 also the curves a TLS 1.2 server's ECDSA
     * certificate may be on (there supported_groups governs them too) and, with a DHE suite, the FFDHE groups, as
     * BCJSSE offers them.
     */
    @Override
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
        Vector<Integer> groups = new Vector<>();
        groups.add(NamedGroup.x25519);
        groups.add(NamedGroup.secp256r1);
        if (offersTls12()) {
            TlsUtils.addIfSupported(groups, getCrypto(), new int[] {NamedGroup.secp384r1, NamedGroup.secp521r1});
            if (namedGroupRoles.contains(NamedGroupRole.dh)) {
                TlsUtils.addIfSupported(groups, getCrypto(),
                        new int[] {NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096});
            }
        }
        return groups;
    }

    @Override
    protected Vector getProtocolNames() {
        if (applicationProtocols.isEmpty()) {
            return null;
        }
        Vector<ProtocolName> names = new Vector<>();
        applicationProtocols.forEach(name -> names.add(ProtocolName.asUtf8Encoding(name)));
        return names;
    }

    @Override
    protected Vector getSNIServerNames() {
        if (serverNames.isEmpty()) {
            return null;
        }
        Vector<ServerName> names = new Vector<>();
        serverNames.forEach(name -> names.add(new ServerName((short) name.getType(), name.getEncoded())));
        return names;
    }

    /** A TLS 1.2 server cannot select the PSK (BC does not call {@link #notifySelectedPSK} then). */
    @Override
    public void notifyServerVersion(ProtocolVersion serverVersion) throws IOException {
        super.notifyServerVersion(serverVersion);
        if (!TlsUtils.isTLSv13(serverVersion)) {
            handshake.destroyKey();
        }
    }

    @Override
    public void notifySelectedPSK(TlsPSK selectedPSK) throws IOException {
        if (selectedPSK == null) {
            handshake.destroyKey();
            if (fallback == null) {
                declined = true;
                throw new TlsFatalAlert(AlertDescription.handshake_failure, DECLINED);
            }
        }
    }

    @Override
    public TlsAuthentication getAuthentication() {
        if (fallback != null) {
            // the server declined the PSK (or spoke TLS 1.2) and sent its certificate: a full handshake, with a
            // session of its own
            SecurityParameters parameters = context.getSecurityParametersHandshake();
            boolean tls13 = TlsUtils.isTLSv13(parameters.getNegotiatedVersion());
            String suite = Tls13Suite.byCode(parameters.getCipherSuite()).map(Tls13Suite::name)
                    .orElseGet(() -> Tls12Suites.name(parameters.getCipherSuite()));
            PskSession session = fallback.sessions().create(tls13 ? "TLSv1.3" : "TLSv1.2", suite,
                    parameters.getSessionID());
            session.setRequestedServerNames(serverNames);
            session.signatureAlgorithms(SignatureSchemes.jcaNames(supportedSignatureAlgorithms),
                    SignatureSchemes.jcaNames(parameters.getServerSigAlgsCert() != null
                            ? parameters.getServerSigAlgsCert() : parameters.getServerSigAlgs()));
            fullSession = session;
            return new FallbackAuthentication(context, fallback.signing(), fallback.certificates(),
                    fallback.engine(), session, supportedSignatureAlgorithms);
        }
        // Reached only if the server went on without the PSK; notifySelectedPSK refuses that first.
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                declined = true;
                throw new TlsFatalAlert(AlertDescription.handshake_failure, DECLINED);
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) {
                return null;
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        handshake.completed(context);
    }

    @Override
    public void notifyConnectionClosed() {
        super.notifyConnectionClosed();
        handshake.destroyKey();
    }

    @Override
    public PskHandshake handshake() {
        return handshake;
    }

    @Override
    public List<SNIServerName> requestedServerNames() {
        return serverNames;
    }

    @Override
    public PskSession fullSession() {
        return fullSession;
    }

    @Override
    public boolean declined() {
        return declined;
    }

    @Override
    public String toString() {
        return "PskTlsClient[" + psk.suiteName() + (fallback == null ? "" : ", with fallback") + "]";
    }
}
