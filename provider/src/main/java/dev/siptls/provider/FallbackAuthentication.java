package dev.siptls.provider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.Principal;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Vector;
import java.util.stream.IntStream;
import javax.net.ssl.SSLEngine;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.SignatureScheme;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * BC's side of the full handshake a PSK client completes when its server declines the PSK (TLS 1.3) or speaks only
 * TLS 1.2: the server's chain goes to the application's trust manager ({@link CertificateFallback}, with the authType
 * JSSE passes for the version) and into the handshake session first, where JSSE trust managers read it; a
 * CertificateRequest is answered with the key the application's key manager chooses for the schemes (and, in TLS 1.2,
 * the certificate types) the server allows, signed through BC's JCA crypto (any JCA {@code PrivateKey}, extractable
 * or not), or with an empty Certificate if it chooses none, as JSSE does.
 */
final class FallbackAuthentication implements TlsAuthentication {

    private static final System.Logger LOG = System.getLogger(FallbackAuthentication.class.getName());

    private final TlsContext context;
    private final JcaTlsCrypto signing;
    private final CertificateFallback fallback;
    private final SSLEngine engine;
    private final PskSession session;
    private final Vector<?> local;

    /**
     * @param engine  what the trust and key managers are given (its handshake session is {@code session})
     * @param session the full handshake's session, which this fills in
     * @param local   the signature algorithms this client offered (BC's {@code SignatureAndHashAlgorithm}s)
     */
    FallbackAuthentication(TlsContext context, JcaTlsCrypto signing, CertificateFallback fallback, SSLEngine engine,
            PskSession session, Vector<?> local) {
        this.context = context;
        this.local = local;
        this.signing = signing;
        this.fallback = fallback;
        this.engine = engine;
        this.session = session;
    }

    @Override
    public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
        X509Certificate[] chain = x509(serverCertificate.getCertificate());
        session.peerCertificates(List.of(chain));
        SecurityParameters parameters = context.getSecurityParametersHandshake();
        String authType = TlsUtils.isTLSv13(parameters.getNegotiatedVersion()) ? CertificateFallback.TLS13_AUTH_TYPE
                : CertificateFallback.authType(parameters.getKeyExchangeAlgorithm());
        try {
            // under fallback=fail the monitored trust manager throws a RefusedHandshakeException (an IOException)
            // past this: BC lets it through, and the engine hands it to the application as it is
            fallback.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw new TlsFatalAlert(AlertDescription.certificate_unknown, String.valueOf(e.getMessage()), e);
        }
    }

    @Override
    public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
        Vector<?> asked = request.getSupportedSignatureAlgorithms();
        Vector<?> askedCert = request.getSupportedSignatureAlgorithmsCert();
        session.signatureAlgorithms(null, SignatureSchemes.jcaNames(askedCert != null ? askedCert : asked));
        boolean tls13 = TlsUtils.isTLSv13(context.getSecurityParametersHandshake().getNegotiatedVersion());
        List<Integer> schemes = new ArrayList<>();
        List<String> keyTypes = new ArrayList<>();
        for (Object algorithm : asked == null ? List.of() : asked) {
            int scheme = SignatureScheme.from((SignatureAndHashAlgorithm) algorithm);
            String keyType = tls13 ? SignatureSchemes.keyType13(scheme) : keyType12(scheme, request, algorithm);
            if (keyType != null) {
                schemes.add(scheme);
                if (!keyTypes.contains(keyType)) {
                    keyTypes.add(keyType);
                }
            }
        }
        CertificateFallback.ClientKey chosen = fallback.chooseClientKey(keyTypes.toArray(new String[0]),
                issuers(request.getCertificateAuthorities()), engine);
        if (chosen == null) {
            return null; // an empty Certificate: the server decides whether it needed one
        }
        java.security.PublicKey publicKey = chosen.chain().get(0).getPublicKey();
        Integer scheme = schemes.stream()
                .filter(s -> tls13 ? SignatureSchemes.fits(s, publicKey) : SignatureSchemes.fits12(s, publicKey))
                .findFirst().orElse(null);
        if (scheme == null) {
            LOG.log(System.Logger.Level.DEBUG, "the client key {0} fits none of the server''s signature schemes",
                    chosen);
            return null;
        }
        CertificateEntry[] entries = new CertificateEntry[chosen.chain().size()];
        for (int i = 0; i < entries.length; i++) {
            try {
                entries[i] = new CertificateEntry(signing.createCertificate(chosen.chain().get(i).getEncoded()), null);
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new TlsFatalAlert(AlertDescription.internal_error, "the client certificate cannot be encoded",
                        e);
            }
        }
        Certificate certificate = new Certificate(request.getCertificateRequestContext(), entries);
        session.localCertificates(chosen.chain());
        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), signing, chosen.key(),
                certificate, SignatureScheme.getSignatureAndHashAlgorithm(scheme));
    }

    /**
     * As BCJSSE for TLS 1.2: a scheme this client signs with ({@link SignatureSchemes#keyType12}) and offered itself,
     * whose certificate type the CertificateRequest lists; its key type, or null.
     */
    private String keyType12(int scheme, CertificateRequest request, Object algorithm) {
        String keyType = SignatureSchemes.keyType12(scheme);
        short certificateType = SignatureAlgorithm.getClientCertificateType(
                SignatureScheme.getSignatureAlgorithm(scheme));
        short[] types = request.getCertificateTypes();
        boolean listed = types != null && certificateType >= 0
                && IntStream.range(0, types.length).anyMatch(i -> types[i] == certificateType);
        return keyType != null && listed && local != null && local.contains(algorithm) ? keyType : null;
    }

    private static Principal[] issuers(Vector<?> authorities) throws IOException {
        if (authorities == null) {
            return null;
        }
        Principal[] issuers = new Principal[authorities.size()];
        for (int i = 0; i < issuers.length; i++) {
            issuers[i] = new X500Principal(((X500Name) authorities.get(i)).getEncoded());
        }
        return issuers;
    }

    /** The chain as the JDK's X.509 certificates, as trust managers expect them. */
    private static X509Certificate[] x509(Certificate certificate) throws IOException {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            X509Certificate[] chain = new X509Certificate[certificate.getLength()];
            for (int i = 0; i < chain.length; i++) {
                chain[i] = (X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(certificate.getCertificateAt(i).getEncoded()));
            }
            return chain;
        } catch (CertificateException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "the server certificate cannot be parsed", e);
        }
    }
}
