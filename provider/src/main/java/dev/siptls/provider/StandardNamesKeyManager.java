package dev.siptls.provider;

import org.bouncycastle.jsse.BCX509ExtendedKeyManager;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * An application key manager that also understands the key type names BCJSSE asks for.
 *
 * <p>BCJSSE 1.84 asks a TLS 1.2 server key manager for an ECDSA key as {@code "ECDHE_ECDSA"} and a
 * TLS 1.3 one as {@code "EC/secp256r1"}: names only its own key manager knows. SunJSSE's key managers
 * (what {@code KeyManagerFactory.getInstance("PKIX")} gives an application) answer {@code null}, so a full
 * handshake with an EC certificate finds no key (measured). This adapter asks with the standard JSSE name
 * ({@code "EC"}, {@code "RSA"}, {@code "DSA"}) first, then with BCJSSE's; BCJSSE still checks the key it
 * gets against its own key type.
 */
final class StandardNamesKeyManager extends X509ExtendedKeyManager {

    private final X509KeyManager delegate;

    private StandardNamesKeyManager(X509KeyManager delegate) {
        this.delegate = delegate;
    }

    /** The key managers with every foreign X.509 one adapted; BCJSSE's own are left alone. */
    static KeyManager[] adapt(KeyManager[] keyManagers) {
        if (keyManagers == null) {
            return null;
        }
        KeyManager[] adapted = keyManagers.clone();
        for (int i = 0; i < adapted.length; i++) {
            if (adapted[i] instanceof X509KeyManager && !(adapted[i] instanceof BCX509ExtendedKeyManager)) {
                adapted[i] = new StandardNamesKeyManager((X509KeyManager) adapted[i]);
            }
        }
        return adapted;
    }

    /** JSSE's standard key type for one of BCJSSE's: {@code ECDHE_ECDSA} and {@code EC/secp256r1} are {@code EC}. */
    static String standard(String keyType) {
        int slash = keyType.indexOf('/');
        if (slash > 0) {
            return keyType.substring(0, slash);
        }
        return switch (keyType) {
            case "ECDHE_ECDSA", "ECDH_ECDSA" -> "EC";
            case "ECDHE_RSA", "DHE_RSA", "ECDH_RSA" -> "RSA";
            case "DHE_DSS" -> "DSA";
            default -> keyType;
        };
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        String alias = delegate.chooseServerAlias(standard(keyType), issuers, socket);
        return alias != null || standard(keyType).equals(keyType) ? alias
                : delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        if (!(delegate instanceof X509ExtendedKeyManager)) {
            return chooseServerAlias(keyType, issuers, null);
        }
        X509ExtendedKeyManager extended = (X509ExtendedKeyManager) delegate;
        String alias = extended.chooseEngineServerAlias(standard(keyType), issuers, engine);
        return alias != null || standard(keyType).equals(keyType) ? alias
                : extended.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return delegate.chooseClientAlias(withStandard(keyTypes), issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return delegate instanceof X509ExtendedKeyManager
                ? ((X509ExtendedKeyManager) delegate).chooseEngineClientAlias(withStandard(keyTypes), issuers, engine)
                : delegate.chooseClientAlias(withStandard(keyTypes), issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String[] aliases = delegate.getServerAliases(standard(keyType), issuers);
        return aliases != null || standard(keyType).equals(keyType) ? aliases
                : delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String[] aliases = delegate.getClientAliases(standard(keyType), issuers);
        return aliases != null || standard(keyType).equals(keyType) ? aliases
                : delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate.getPrivateKey(alias);
    }

    /** Each key type in standard form, then the originals, without repeats, in order of preference. */
    private static String[] withStandard(String[] keyTypes) {
        if (keyTypes == null) {
            return null;
        }
        return Arrays.stream(keyTypes).flatMap(k -> Stream.of(standard(k), k))
                .distinct().toArray(String[]::new);
    }
}
