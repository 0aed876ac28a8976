package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.Security;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertPath;
import java.security.cert.CertPathParameters;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorResult;
import java.security.cert.CertPathValidatorSpi;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Counts the authentications of the SIP connections, which the demo cannot reach otherwise: the key
 * server and the agents build their {@code SSLContext}s inside {@code TlsIdentity} from
 * {@code TrustManagerFactory.getInstance("PKIX")} and {@code KeyManagerFactory.getInstance("SunX509")}.
 * While installed (first in the JVM's provider list) this provider answers those names with SunJSSE's own
 * factories whose managers are wrapped in {@link CountingTrustManager} / {@link CountingKeyManager}
 * ({@link Layer#SIP}); and {@code CertPathValidator "PKIX"} with SUN's, counting the validations made
 * outside any trust manager (the key server's checks of TLS server chains in policies). The demo's own
 * TLS contexts name SunJSSE explicitly and never come here. Nothing else changes: same algorithms, same
 * checks, same keys.
 */
final class CountingJsse extends Provider {

    private static final long serialVersionUID = 1L;
    private static final String NAME = "SipTlsDemoCounting";
    private static final Object LOCK = new Object();

    private final transient Ledger ledger;

    private CountingJsse(Ledger ledger) {
        super(NAME, "1.0", "SIP-TLS demo: counting wrappers around SunJSSE's PKIX managers");
        this.ledger = ledger;
        putService(new CountingService(this, "TrustManagerFactory", "PKIX", List.of("SunPKIX", "X509", "X.509")));
        putService(new CountingService(this, "KeyManagerFactory", "SunX509", List.of()));
        putService(new CountingService(this, "KeyManagerFactory", "NewSunX509", List.of("PKIX")));
        putService(new CountingService(this, "CertPathValidator", "PKIX", List.of()));
    }

    /**
     * Installs the counting provider first in the provider list until the returned handle is closed; one
     * installation at a time in a JVM.
     */
    static Installation install(Ledger ledger) {
        synchronized (LOCK) {
            if (Security.getProvider(NAME) != null) {
                throw new IllegalStateException("another SIP-TLS demo is counting in this JVM");
            }
            CountingJsse provider = new CountingJsse(ledger);
            Security.insertProviderAt(provider, 1);
            return () -> {
                synchronized (LOCK) {
                    Security.removeProvider(NAME);
                }
            };
        }
    }

    /** Removes the counting provider; never throws. */
    interface Installation extends AutoCloseable {
        @Override
        void close();
    }

    private static final class CountingService extends Service {
        private final CountingJsse owner;

        CountingService(CountingJsse owner, String type, String algorithm, List<String> aliases) {
            super(owner, type, algorithm, CountingService.class.getName(), aliases, Map.of());
            this.owner = owner;
        }

        @Override
        public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
            try {
                return switch (getType()) {
                    case "TrustManagerFactory" -> new CountingTrustManagerFactory(
                            TrustManagerFactory.getInstance(getAlgorithm(), "SunJSSE"), owner.ledger);
                    case "KeyManagerFactory" -> new CountingKeyManagerFactory(
                            KeyManagerFactory.getInstance(getAlgorithm(), "SunJSSE"), owner.ledger);
                    case "CertPathValidator" -> new CountingCertPathValidator(
                            CertPathValidator.getInstance(getAlgorithm(), "SUN"), owner.ledger);
                    default -> throw new NoSuchAlgorithmException(getType());
                };
            } catch (NoSuchProviderException e) {
                throw new NoSuchAlgorithmException("the JDK provider behind " + getAlgorithm() + " is missing", e);
            }
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            return false;
        }
    }

    private static final class CountingTrustManagerFactory extends TrustManagerFactorySpi {
        private final TrustManagerFactory delegate;
        private final Ledger ledger;

        CountingTrustManagerFactory(TrustManagerFactory delegate, Ledger ledger) {
            this.delegate = delegate;
            this.ledger = ledger;
        }

        @Override
        protected void engineInit(KeyStore ks) throws KeyStoreException {
            delegate.init(ks);
        }

        @Override
        protected void engineInit(ManagerFactoryParameters spec) throws InvalidAlgorithmParameterException {
            delegate.init(spec);
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            TrustManager[] managers = delegate.getTrustManagers().clone();
            for (int i = 0; i < managers.length; i++) {
                if (managers[i] instanceof X509ExtendedTrustManager x) {
                    managers[i] = new CountingTrustManager(x, ledger, Layer.SIP);
                }
            }
            return managers;
        }
    }

    private static final class CountingKeyManagerFactory extends KeyManagerFactorySpi {
        private final KeyManagerFactory delegate;
        private final Ledger ledger;

        CountingKeyManagerFactory(KeyManagerFactory delegate, Ledger ledger) {
            this.delegate = delegate;
            this.ledger = ledger;
        }

        @Override
        protected void engineInit(KeyStore ks, char[] password)
                throws KeyStoreException, NoSuchAlgorithmException, UnrecoverableKeyException {
            delegate.init(ks, password);
        }

        @Override
        protected void engineInit(ManagerFactoryParameters spec) throws InvalidAlgorithmParameterException {
            delegate.init(spec);
        }

        @Override
        protected KeyManager[] engineGetKeyManagers() {
            KeyManager[] managers = delegate.getKeyManagers().clone();
            for (int i = 0; i < managers.length; i++) {
                if (managers[i] instanceof X509ExtendedKeyManager x) {
                    managers[i] = new CountingKeyManager(x, ledger, Layer.SIP);
                }
            }
            return managers;
        }
    }

    private static final class CountingCertPathValidator extends CertPathValidatorSpi {
        private final CertPathValidator delegate;
        private final Ledger ledger;

        CountingCertPathValidator(CertPathValidator delegate, Ledger ledger) {
            this.delegate = delegate;
            this.ledger = ledger;
        }

        @Override
        public CertPathValidatorResult engineValidate(CertPath path, CertPathParameters params)
                throws CertPathValidatorException, InvalidAlgorithmParameterException {
            if (!Ledger.isInsideTrustManager()) {
                ledger.policyChainVerified();
            }
            return delegate.validate(path, params);
        }

        @Override
        public java.security.cert.CertPathChecker engineGetRevocationChecker() {
            return delegate.getRevocationChecker();
        }
    }
}
