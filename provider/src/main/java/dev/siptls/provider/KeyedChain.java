package dev.siptls.provider;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.X509KeyManager;

/**
 * A certificate chain found in the application's key manager, and where its private key is: the agent needs
 * the key to prove possession of a chain that is not its own SIP identity. The key is read only on demand,
 * since a key manager may count (or meter) every key it hands out.
 */
final class KeyedChain {

    static final KeyedChain NONE = new KeyedChain(List.of(), null, null);

    private final List<X509Certificate> chain;
    private final X509KeyManager keyManager;
    private final String alias;

    KeyedChain(List<X509Certificate> chain, X509KeyManager keyManager, String alias) {
        this.chain = List.copyOf(chain);
        this.keyManager = keyManager;
        this.alias = alias;
    }

    /** Leaf first; empty if none was found. */
    List<X509Certificate> chain() {
        return chain;
    }

    /** The chain's private key as the key manager gives it; null if it gives none (or there is no chain). */
    PrivateKey privateKey() {
        return keyManager == null ? null : keyManager.getPrivateKey(alias);
    }

    @Override
    public String toString() {
        return "KeyedChain[" + (chain.isEmpty() ? "none" : chain.get(0).getSubjectX500Principal().getName()) + "]";
    }
}
