package dev.siptls.provider;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager that counts how often a handshake asked it for a key ({@code chooseServerAlias},
 * {@code getPrivateKey}): zero after a handshake means it was resumed. Reading aliases and chains (what the
 * provider does to publish the server policy) is not counted, nor the one key read at {@code init} for the
 * agent's proof of possession ({@link KeyedChain#privateKey}), which signs a nonce, not a handshake.
 */
public final class CountingKeyManager extends X509ExtendedKeyManager {

    private final X509ExtendedKeyManager delegate;
    public final AtomicInteger serverKeyRequests = new AtomicInteger();
    /** The key reads for proofs of possession, counted apart from handshakes. */
    public final AtomicInteger proofKeyReads = new AtomicInteger();

    public CountingKeyManager(X509ExtendedKeyManager delegate) {
        this.delegate = delegate;
    }

    /** Counts for the first X.509 key manager among {@code managers} (what a KeyManagerFactory returns). */
    public static CountingKeyManager wrap(KeyManager[] managers) {
        for (KeyManager km : managers) {
            if (km instanceof X509ExtendedKeyManager x) {
                return new CountingKeyManager(x);
            }
        }
        throw new IllegalArgumentException("no X509ExtendedKeyManager among " + managers.length);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        serverKeyRequests.incrementAndGet();
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        serverKeyRequests.incrementAndGet();
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        (readForProof() ? proofKeyReads : serverKeyRequests).incrementAndGet();
        return delegate.getPrivateKey(alias);
    }

    private static boolean readForProof() {
        return StackWalker.getInstance().walk(frames -> frames.limit(8)
                .anyMatch(f -> f.getClassName().equals(KeyedChain.class.getName())));
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return delegate.chooseEngineClientAlias(keyType, issuers, engine);
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
