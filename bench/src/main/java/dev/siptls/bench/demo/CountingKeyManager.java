package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import dev.siptls.bench.demo.Ledger.Side;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A real key manager that counts the private keys it hands to handshakes. SunJSSE and BCJSSE fetch the
 * key once per handshake that needs it, right after choosing the alias, and every suite the demo allows
 * uses it for exactly one signature (ServerKeyExchange or CertificateVerify; TLS 1.3 CertificateVerify
 * for SIP), so each count is one signature. A resumed handshake asks for no key at all.
 */
final class CountingKeyManager extends X509ExtendedKeyManager {

    /** The side the last alias was chosen for on this thread: the key that follows is used on that side. */
    private static final ThreadLocal<Side> CHOSEN_FOR = new ThreadLocal<>();

    private final X509ExtendedKeyManager delegate;
    private final Ledger ledger;
    private final Layer layer;

    CountingKeyManager(X509ExtendedKeyManager delegate, Ledger ledger, Layer layer) {
        this.delegate = delegate;
        this.ledger = ledger;
        this.layer = layer;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        CHOSEN_FOR.set(Side.SERVER);
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        CHOSEN_FOR.set(Side.SERVER);
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        CHOSEN_FOR.set(Side.CLIENT);
        return delegate.chooseClientAlias(keyTypes, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        CHOSEN_FOR.set(Side.CLIENT);
        return delegate.chooseEngineClientAlias(keyTypes, issuers, engine);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        PrivateKey key = delegate.getPrivateKey(alias);
        if (key != null) {
            Side side = CHOSEN_FOR.get();
            // Both engines choose an alias on the handshake's thread first; a bare fetch (never seen) counts as
            // a server's, so that no key use goes uncounted.
            ledger.signed(layer, side != null ? side : Side.SERVER);
        }
        return key;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate.getCertificateChain(alias);
    }
}
