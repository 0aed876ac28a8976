package dev.siptls.provider;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Vector;
import javax.net.ssl.SNIServerName;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskKeyExchangeMode;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSK;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsSecret;

/**
 * BC's client side of a TLS 1.3 external-PSK handshake: TLS 1.3 only, the PSK's suite only, the one PSK with
 * {@code psk_dhe_ke} only, an x25519 key share. A server that does not select the PSK would authenticate with
 * certificates, which SIP-TLS does not accept here: the handshake fails and {@link #declined()} says so.
 */
final class PskTlsClient extends AbstractTlsClient implements PskPeer {

    static final String DECLINED = "the server did not accept the SIP-TLS PSK";

    private final ExternalPsk psk;
    private final List<String> applicationProtocols;
    private final List<SNIServerName> serverNames;
    private TlsSecret key;
    private boolean declined;
    private boolean complete;
    private String applicationProtocol;

    PskTlsClient(TlsCrypto crypto, ExternalPsk psk, List<String> applicationProtocols,
            List<SNIServerName> serverNames) {
        super(crypto);
        this.psk = psk;
        this.applicationProtocols = List.copyOf(applicationProtocols);
        this.serverNames = List.copyOf(serverNames);
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.TLSv13.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return new int[] {psk.suite().code()};
    }

    @Override
    public Vector getExternalPSKs() {
        byte[] bytes = psk.key();
        try {
            destroyKey();
            key = getCrypto().createSecret(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        Vector<Object> psks = new Vector<>(1);
        psks.add(new BasicTlsPSKExternal(psk.identity(), key, psk.suite().prfAlgorithm()));
        return psks;
    }

    @Override
    public short[] getPskKeyExchangeModes() {
        return new short[] {PskKeyExchangeMode.psk_dhe_ke};
    }

    @Override
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
        Vector<Integer> groups = new Vector<>(2);
        groups.add(NamedGroup.x25519);
        groups.add(NamedGroup.secp256r1);
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

    @Override
    public void notifySelectedPSK(TlsPSK selectedPSK) throws IOException {
        if (selectedPSK == null) {
            declined = true;
            throw new TlsFatalAlert(AlertDescription.handshake_failure, DECLINED);
        }
    }

    @Override
    public TlsAuthentication getAuthentication() {
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
        ProtocolName selected = context.getSecurityParametersConnection().getApplicationProtocol();
        applicationProtocol = selected == null ? "" : selected.getUtf8Decoding();
        complete = true;
        destroyKey();
    }

    @Override
    public void notifyConnectionClosed() {
        super.notifyConnectionClosed();
        destroyKey();
    }

    @Override
    public boolean handshakeComplete() {
        return complete;
    }

    @Override
    public String applicationProtocol() {
        return applicationProtocol;
    }

    @Override
    public List<SNIServerName> requestedServerNames() {
        return serverNames;
    }

    @Override
    public boolean declined() {
        return declined;
    }

    @Override
    public void destroyKey() {
        if (key != null) {
            key.destroy();
            key = null;
        }
    }

    @Override
    public String toString() {
        return "PskTlsClient[" + psk.suiteName() + "]";
    }
}
