package dev.siptls.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.NameType;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.ServerOnlyTlsAuthentication;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Bouncy Castle's own TLS 1.3 client offering one external PSK (or none) with the key exchange modes a test
 * chooses, TLS_AES_128_GCM_SHA256 only: the client an attacker or another implementation would be, written once for
 * the tests that send such hellos. By default it fails a handshake in which the server authenticates with a
 * certificate, since it came to use the PSK.
 */
public final class RawPskClient extends AbstractTlsClient {

    private final byte[] identity;
    private final byte[] key;
    private final short[] modes;
    private String serverName;
    private boolean acceptsCertificates;

    /**
     * @param key   the PSK (32 bytes), or null to offer none
     * @param modes the {@code psk_key_exchange_modes} to offer, or null for BC's default ({@code psk_dhe_ke})
     */
    public RawPskClient(byte[] identity, byte[] key, short... modes) {
        super(new BcTlsCrypto(new SecureRandom()));
        this.identity = identity.clone();
        this.key = key == null ? null : key.clone();
        this.modes = modes == null || modes.length == 0 ? null : modes.clone();
    }

    /** Sends this host name as SNI. */
    public RawPskClient serverName(String host) {
        this.serverName = host;
        return this;
    }

    /** Completes a handshake in which the server authenticates with any certificate instead. */
    public RawPskClient acceptingCertificates() {
        this.acceptsCertificates = true;
        return this;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.TLSv13.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return new int[] {CipherSuite.TLS_AES_128_GCM_SHA256};
    }

    @Override
    protected Vector getSNIServerNames() {
        if (serverName == null) {
            return null;
        }
        Vector<Object> names = new Vector<>();
        names.add(new ServerName(NameType.host_name, serverName.getBytes(StandardCharsets.US_ASCII)));
        return names;
    }

    @Override
    public Vector getExternalPSKs() {
        if (key == null) {
            return null;
        }
        Vector<Object> psks = new Vector<>();
        psks.add(new BasicTlsPSKExternal(identity, getCrypto().createSecret(key), PRFAlgorithm.tls13_hkdf_sha256));
        return psks;
    }

    @Override
    public short[] getPskKeyExchangeModes() {
        return modes == null ? super.getPskKeyExchangeModes() : modes.clone();
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new ServerOnlyTlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate certificate) throws IOException {
                if (!acceptsCertificates) {
                    throw new TlsFatalAlert(AlertDescription.handshake_failure, "the server did not take the PSK");
                }
            }
        };
    }
}
