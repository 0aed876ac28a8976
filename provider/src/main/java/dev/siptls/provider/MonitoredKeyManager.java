package dev.siptls.provider;

import org.bouncycastle.jsse.BCX509ExtendedKeyManager;
import org.bouncycastle.jsse.BCX509Key;

import java.net.InetAddress;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The application's key manager as BCJSSE sees it in a SIP-TLS context. A server asks it for a key only in
 * full handshakes, so each server key choice is a fallback: refused under {@code fallback=fail} (the
 * {@link HandshakeLedger} throws), otherwise counted once the key is taken. Client-side calls pass through.
 */
final class MonitoredKeyManager extends X509ExtendedKeyManager {

    private final X509ExtendedKeyManager delegate;
    private final HandshakeLedger ledger;

    private MonitoredKeyManager(X509ExtendedKeyManager delegate, HandshakeLedger ledger) {
        this.delegate = delegate;
        this.ledger = ledger;
    }

    /** The key managers with every X.509 one monitored (after {@link StandardNamesKeyManager#adapt}). */
    static KeyManager[] wrap(KeyManager[] keyManagers, HandshakeLedger ledger) {
        if (keyManagers == null) {
            return null;
        }
        KeyManager[] wrapped = keyManagers.clone();
        for (int i = 0; i < wrapped.length; i++) {
            if (wrapped[i] instanceof BCX509ExtendedKeyManager bc) {
                wrapped[i] = new Bc(bc, ledger);
            } else if (wrapped[i] instanceof X509ExtendedKeyManager extended) {
                wrapped[i] = new MonitoredKeyManager(extended, ledger);
            }
        }
        return wrapped;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        ledger.serverKeyChosen(socket, describe(socket));
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        ledger.serverKeyChosen(engine, engine == null || engine.getPeerHost() == null ? "(unknown)"
                : engine.getPeerHost() + ":" + engine.getPeerPort());
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        ledger.serverKeyTaken();
        return delegate.getPrivateKey(alias);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate.getCertificateChain(alias);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        ledger.clientKeyChosen();
        return delegate.chooseClientAlias(keyTypes, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        ledger.clientKeyChosen();
        return delegate.chooseEngineClientAlias(keyTypes, issuers, engine);
    }

    private static String describe(Socket socket) {
        InetAddress address = socket == null ? null : socket.getInetAddress();
        return address == null ? "(unknown)" : address.getHostAddress() + ":" + socket.getPort();
    }

    /**
     * The same for BCJSSE's own key managers, which BCJSSE asks for whole keys ({@code choose*KeyBC}) rather
     * than aliases; wrapping them as plain JSSE key managers would change how BCJSSE selects keys.
     */
    private static final class Bc extends BCX509ExtendedKeyManager {
        private final BCX509ExtendedKeyManager delegate;
        private final HandshakeLedger ledger;

        Bc(BCX509ExtendedKeyManager delegate, HandshakeLedger ledger) {
            this.delegate = delegate;
            this.ledger = ledger;
        }

        @Override
        public BCX509Key chooseServerKeyBC(String[] keyTypes, Principal[] issuers, Socket socket) {
            ledger.serverKeyChosen(socket, describe(socket));
            return taken(delegate.chooseServerKeyBC(keyTypes, issuers, socket));
        }

        @Override
        public BCX509Key chooseEngineServerKeyBC(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            ledger.serverKeyChosen(engine, engine == null || engine.getPeerHost() == null ? "(unknown)"
                    : engine.getPeerHost() + ":" + engine.getPeerPort());
            return taken(delegate.chooseEngineServerKeyBC(keyTypes, issuers, engine));
        }

        private BCX509Key taken(BCX509Key key) {
            if (key != null) {
                ledger.serverKeyTaken();
            }
            return key;
        }

        @Override
        public BCX509Key chooseClientKeyBC(String[] keyTypes, Principal[] issuers, Socket socket) {
            ledger.clientKeyChosen();
            return delegate.chooseClientKeyBC(keyTypes, issuers, socket);
        }

        @Override
        public BCX509Key chooseEngineClientKeyBC(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            ledger.clientKeyChosen();
            return delegate.chooseEngineClientKeyBC(keyTypes, issuers, engine);
        }

        @Override
        protected BCX509Key getKeyBC(String keyType, String alias) {
            return null; // only the choose*KeyBC methods above use it, and they delegate
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyTypes, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineClientAlias(keyTypes, issuers, engine);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }
}
