package dev.siptls.sip;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A SIP endpoint's TLS identity: its key and certificate chain, and the trust anchors it checks its peers
 * against. Held in memory, so several identities live in one JVM; the JVM-wide {@code javax.net.ssl}
 * properties are never read.
 */
public final class TlsIdentity {

    private final KeyStore keyStore;
    private final char[] password;
    private final KeyStore trustStore;
    private final String alias;

    private TlsIdentity(KeyStore keyStore, char[] password, KeyStore trustStore) throws GeneralSecurityException {
        this.keyStore = keyStore;
        this.password = password.clone();
        this.trustStore = trustStore;
        this.alias = keyAlias(keyStore);
    }

    /** An identity from a key store holding exactly one private key, and a trust store of CA certificates. */
    public static TlsIdentity of(KeyStore keyStore, char[] password, KeyStore trustStore)
            throws GeneralSecurityException {
        return new TlsIdentity(keyStore, password, trustStore);
    }

    public static TlsIdentity fromPkcs12(Path keyStore, char[] password, Path trustStore, char[] trustPassword)
            throws IOException, GeneralSecurityException {
        return new TlsIdentity(load(keyStore, password), password, load(trustStore, trustPassword));
    }

    public static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    public X509Certificate certificate() {
        return chain().get(0);
    }

    /** The certificate chain, leaf first. */
    public List<X509Certificate> chain() {
        try {
            Certificate[] chain = keyStore.getCertificateChain(alias);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : chain) {
                out.add((X509Certificate) c);
            }
            return Collections.unmodifiableList(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("key store unreadable", e);
        }
    }

    public PrivateKey privateKey() {
        try {
            return (PrivateKey) keyStore.getKey(alias, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("private key unreadable", e);
        }
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    public KeyStore trustStore() {
        return trustStore;
    }

    /** The trust manager for peers: PKIX against this identity's trust anchors. */
    public X509ExtendedTrustManager trustManager() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trustStore);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) tm;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager for PKIX");
    }

    /** For a server: accepts any client whose chain verifies (who it is, the application decides). */
    public SSLContext serverContext() throws GeneralSecurityException {
        return context(new ExplainedTrustManager(trustManager()));
    }

    /**
     * For a client of exactly one server: its chain must verify and its certificate carry
     * {@code serverName} as a dNSName or iPAddress ({@link CertificateNames#matchesHost}).
     */
    public SSLContext clientContext(String serverName) throws GeneralSecurityException {
        return context(new ExplainedTrustManager(new NamedPeerTrustManager(trustManager(), serverName)));
    }

    private SSLContext context(X509ExtendedTrustManager trust) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), new TrustManager[] {trust}, null);
        return context;
    }

    private static String keyAlias(KeyStore store) throws GeneralSecurityException {
        String found = null;
        for (Enumeration<String> e = store.aliases(); e.hasMoreElements();) {
            String alias = e.nextElement();
            if (store.isKeyEntry(alias)) {
                if (found != null) {
                    throw new GeneralSecurityException("key store holds more than one key: " + found + ", " + alias);
                }
                found = alias;
            }
        }
        if (found == null) {
            throw new GeneralSecurityException("key store holds no private key");
        }
        return found;
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + certificate().getSubjectX500Principal().getName() + "]";
    }

    /** Trusts a server only if its chain verifies and its certificate names the expected server. */
    static final class NamedPeerTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;
        private final String serverName;

        NamedPeerTrustManager(X509ExtendedTrustManager pkix, String serverName) {
            this.pkix = pkix;
            this.serverName = serverName;
        }

        private void checkName(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !CertificateNames.matchesHost(chain[0], serverName)) {
                throw new CertificateException("peer certificate does not name the key server " + serverName);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            checkName(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
            checkName(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
            checkName(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a key-server client accepts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

}
