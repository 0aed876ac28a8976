package dev.siptls.provider;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Vector;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.NameType;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.OfferedPsks;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.PskKeyExchangeMode;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * BC's server side of a TLS 1.3 external-PSK handshake: TLS 1.3 only, the PSK's suite only, and no credentials,
 * so a ClientHello without this PSK's identity, or offering only {@code psk_ke}, or with a wrong binder (which BC
 * checks), fails. ALPN is chosen as JSSE chooses it.
 */
final class PskTlsServer extends AbstractTlsServer implements PskPeer {

    private final ExternalPsk psk;
    private final List<String> applicationProtocols;
    /** The application's ALPN selector over the client's list, or null. */
    private final Function<List<String>, String> selector;
    /** Told the client's SNI names before ALPN is chosen, so that a selector can read them. */
    private final Consumer<List<SNIServerName>> serverNamesSink;
    private boolean pskOffered;
    private final PskHandshake handshake;
    private List<SNIServerName> requestedServerNames = List.of();

    PskTlsServer(TlsCrypto crypto, ExternalPsk psk, List<String> applicationProtocols,
            Function<List<String>, String> selector, Consumer<List<SNIServerName>> serverNamesSink) {
        super(crypto);
        this.psk = psk;
        this.handshake = new PskHandshake(psk);
        this.applicationProtocols = List.copyOf(applicationProtocols);
        this.selector = selector;
        this.serverNamesSink = serverNamesSink;
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
    public int[] getSupportedGroups() {
        return new int[] {NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.x448};
    }

    @Override
    public TlsPSKExternal getExternalPSK(Vector identities) {
        if (psk.isDestroyed()) {
            return null;
        }
        for (Object element : identities) {
            if (psk.hasIdentity(((PskIdentity) element).getIdentity())) {
                pskOffered = true;
                return handshake.external(getCrypto());
            }
        }
        return null;
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        // BC selected the PSK (binder checked) before this; without it there is nothing to authenticate with.
        if (!pskOffered) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, refusal(clientExtensions));
        }
        requestedServerNames = serverNames(clientExtensions);
        serverNamesSink.accept(requestedServerNames);
        super.processClientExtensions(clientExtensions);
    }

    private static String refusal(Hashtable clientExtensions) throws IOException {
        OfferedPsks offered = TlsExtensionsUtils.getPreSharedKeyClientHello(clientExtensions);
        if (offered == null) {
            return "the ClientHello offers no PSK";
        }
        short[] modes = TlsExtensionsUtils.getPSKKeyExchangeModesExtension(clientExtensions);
        if (modes == null || Arrays.binarySearch(sorted(modes), PskKeyExchangeMode.psk_dhe_ke) < 0) {
            return "the ClientHello does not offer psk_dhe_ke (PSK without (EC)DHE is refused)";
        }
        return "the ClientHello offers no PSK identity this server holds";
    }

    private static short[] sorted(short[] values) {
        short[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static List<SNIServerName> serverNames(Hashtable clientExtensions) throws IOException {
        Vector names = TlsExtensionsUtils.getServerNameExtensionClient(clientExtensions);
        if (names == null) {
            return List.of();
        }
        List<SNIServerName> result = new ArrayList<>();
        for (Object element : names) {
            ServerName name = (ServerName) element;
            if (name.getNameType() == NameType.host_name) {
                try {
                    result.add(new SNIHostName(name.getNameData()));
                } catch (IllegalArgumentException e) {
                    throw new TlsFatalAlert(AlertDescription.illegal_parameter, "invalid SNI host name");
                }
            }
        }
        return List.copyOf(result);
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
        // Only reached for a handshake without the PSK (e.g. after a HelloRetryRequest that dropped it).
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "the ClientHello offers no usable SIP-TLS PSK");
    }

    /** JSSE's choice: the application's selector if set, else the first of our protocols the client offers. */
    @Override
    protected ProtocolName selectProtocolName() throws IOException {
        List<String> offered = new ArrayList<>();
        for (Object name : clientProtocolNames) {
            offered.add(((ProtocolName) name).getUtf8Decoding());
        }
        String chosen;
        if (selector != null) {
            chosen = selector.apply(offered);
            if (chosen != null && chosen.isEmpty()) {
                return null;
            }
        } else {
            if (applicationProtocols.isEmpty()) {
                return null;
            }
            chosen = applicationProtocols.stream().filter(offered::contains).findFirst().orElse(null);
        }
        if (chosen == null || !offered.contains(chosen)) {
            throw new TlsFatalAlert(AlertDescription.no_application_protocol, "no application protocol in common");
        }
        handshake.chose(chosen);
        return ProtocolName.asUtf8Encoding(chosen);
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
        return requestedServerNames;
    }

    @Override
    public boolean declined() {
        return false;
    }

    @Override
    public String toString() {
        return "PskTlsServer[" + psk.suiteName() + "]";
    }
}
