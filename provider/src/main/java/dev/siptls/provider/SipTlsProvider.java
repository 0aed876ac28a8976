package dev.siptls.provider;

import dev.siptls.agent.AssociationStore;

import java.io.IOException;
import java.nio.file.Path;
import java.security.InvalidParameterException;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;

/**
 * The {@code java.security.Provider} "SipTls". It registers one service, {@code SSLContext} "SIP-TLS", and
 * nothing under a standard name ("TLS", "Default"...), so installing it changes no other code's TLS.
 * Unmodified JSSE code that uses a SIP-TLS context resumes with master secrets a SIP key server distributed,
 * and falls back to a full handshake (or fails, {@code fallback=fail}) where it cannot.
 *
 * <p><b>Configuration</b>, as with SunPKCS11: the public no-arg constructor (what
 * {@code META-INF/services/java.security.Provider} and {@code Security.getProvider("SipTls")} give) makes an
 * unconfigured provider, whose SIP-TLS contexts refuse {@code init} with a message saying how to configure
 * it. {@link #configure(String)} returns a <em>new</em>, configured instance for a properties file
 * ({@link SipTlsConfiguration}); the JDK calls it for
 * <pre>security.provider.N=SipTls /path/to/sip-tls.properties</pre>
 * Differently configured instances live side by side in one JVM (each with its own agent and identity); only
 * one of them can be registered with {@code Security}, so pass instances to
 * {@code SSLContext.getInstance("SIP-TLS", provider)}.
 *
 * <p><b>Lifecycle</b>: a configured provider's SIP agent starts at exactly one of these moments, whichever
 * comes first: {@link #start()}, or the first {@code SSLContext.init} of a SIP-TLS context of this instance
 * (which fails with a {@code KeyManagementException} if the agent cannot start). Never in a constructor, a
 * static initialiser or {@code configure}. If {@code serve} is configured, the server policy (those
 * {@code host:port}s and the certificate chain of the key managers given to {@code init}) is published with
 * the first registration when that init starts the agent, else as soon as that init runs. {@link #close()}
 * unregisters, stops the agent and its threads, destroys its SAs and removes the JMX bean; contexts of a
 * closed provider then fall back (or fail) on every handshake. A closed provider cannot be started again.
 *
 * <p><b>Start-up check</b>, as ACCP's {@code assertHealthy()}: {@link #health()} reports the bctls version,
 * whether the session bridge fits it, and the agent's registration; {@link #assertHealthy()} throws when
 * SIP-TLS resumptions cannot happen.
 */
public final class SipTlsProvider extends Provider implements AutoCloseable {

    /** The provider's name. */
    public static final String NAME = "SipTls";
    /** The {@code SSLContext} protocol name it registers. */
    public static final String PROTOCOL = "SIP-TLS";
    /**
     * The {@code SSLSession} value that sessions built from a security association carry: the SA's session
     * id in hex ({@code session.getValue(SESSION_VALUE_ASSOCIATION)}); absent on sessions of full handshakes.
     */
    public static final String SESSION_VALUE_ASSOCIATION = "dev.siptls.association";

    static final String HOW_TO_CONFIGURE = "add 'security.provider.N=SipTls /path/to/sip-tls.properties' to"
            + " java.security (or a -Djava.security.properties file), or use"
            + " new SipTlsProvider().configure(\"/path/to/sip-tls.properties\") and pass the returned provider to"
            + " SSLContext.getInstance(\"SIP-TLS\", provider); the keys are documented in SipTlsConfiguration and"
            + " in dev/siptls/provider/sip-tls.properties.template";

    private static final long serialVersionUID = 1L;
    private static final String VERSION = "0.1";
    private static final System.Logger LOG = System.getLogger(SipTlsProvider.class.getName());

    private final transient ProviderRuntime runtime;

    /** An unconfigured provider; see {@link #configure(String)}. */
    public SipTlsProvider() {
        this((ProviderRuntime) null);
    }

    private SipTlsProvider(ProviderRuntime runtime) {
        super(NAME, VERSION, "SIP-TLS: SSLContext \"SIP-TLS\", TLS 1.2 resumption with master secrets from a"
                + " SIP key server" + (runtime == null ? " (unconfigured)" : " for " + runtime.config().aor()));
        this.runtime = runtime;
        putService(new ContextService(this));
    }

    /** A configured provider, for applications that build the configuration themselves. */
    public static SipTlsProvider withConfiguration(SipTlsConfiguration configuration) {
        return new SipTlsProvider(new ProviderRuntime(Objects.requireNonNull(configuration, "configuration")));
    }

    /**
     * A new provider configured by the properties file at {@code configArg} ({@link SipTlsConfiguration});
     * this instance is left as it is. Starts nothing.
     *
     * @throws InvalidParameterException if the file cannot be read or its configuration is wrong; the message
     *                                   names the file and the key at fault
     */
    @Override
    public Provider configure(String configArg) {
        Objects.requireNonNull(configArg, "configArg");
        try {
            return withConfiguration(SipTlsConfiguration.load(Path.of(configArg.trim())));
        } catch (IllegalArgumentException e) {
            // The JDK drops a provider whose configure() fails without a word (java.security.debug=jca aside)
            LOG.log(System.Logger.Level.ERROR, "SipTls provider not configured: {0}", e.getMessage());
            InvalidParameterException invalid = new InvalidParameterException("SipTls: " + e.getMessage());
            invalid.initCause(e);
            throw invalid;
        }
    }

    @Override
    public boolean isConfigured() {
        return runtime != null;
    }

    public Optional<SipTlsConfiguration> configuration() {
        return runtime == null ? Optional.empty() : Optional.of(runtime.config());
    }

    /**
     * Starts the SIP agent: it registers with the key server in the background (see {@link #health()},
     * {@link #assertHealthy(Duration)}). Idempotent.
     *
     * @throws IOException           if the agent cannot start (not if the key server is down: it keeps retrying)
     * @throws IllegalStateException if not configured, or closed
     */
    public void start() throws IOException {
        configured().start();
    }

    /** A snapshot of the bridge check and the agent's registration. */
    public SipTlsHealth health() {
        if (runtime == null) {
            BridgeCheck bridge = BridgeCheck.get();
            return new SipTlsHealth(false, null, bridge.bctlsVersion(), bridge.compatible(), bridge.message(),
                    dev.siptls.agent.RegistrationState.STOPPED, "not configured", 0);
        }
        return runtime.health();
    }

    /**
     * Throws unless SIP-TLS resumptions can happen now: configured, the session bridge fits the bctls found,
     * and the agent registered.
     *
     * @return the health, when healthy
     * @throws IllegalStateException listing every problem and what to do
     */
    public SipTlsHealth assertHealthy() {
        SipTlsHealth health = health();
        List<String> problems = health.problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("SIP-TLS is not healthy: " + String.join("; ", problems));
        }
        return health;
    }

    /** As {@link #assertHealthy()}, after waiting up to {@code registration} for the agent to register. */
    public SipTlsHealth assertHealthy(Duration registration) throws InterruptedException {
        if (runtime != null) {
            runtime.awaitRegistered(registration);
        }
        return assertHealthy();
    }

    /** The counters (also in JMX as {@code dev.siptls:type=Provider,name="<AOR>"} while started). */
    public SipTlsProviderMXBean statistics() {
        return configured().bean();
    }

    /**
     * The security associations the agent holds (as TLS client and as TLS server), e.g. to find the SA a
     * session was resumed with ({@link #SESSION_VALUE_ASSOCIATION}).
     *
     * @throws IllegalStateException if not configured or not started
     */
    public AssociationStore associations() {
        return configured().associations().orElseThrow(
                () -> new IllegalStateException("the SipTls provider's agent is not started"));
    }

    /** Stops the agent and removes the JMX bean; idempotent, and nothing to do if unconfigured. */
    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private ProviderRuntime configured() {
        if (runtime == null) {
            throw new IllegalStateException("the SipTls provider is not configured: " + HOW_TO_CONFIGURE);
        }
        return runtime;
    }

    /** What a SIP-TLS context of this instance shares with it. */
    private ContextSupport support() {
        return runtime != null ? runtime : Unconfigured.INSTANCE;
    }

    // Provider is a Hashtable: equality by contents would make differently configured instances equal.
    @Override
    public synchronized boolean equals(Object o) {
        return this == o;
    }

    @Override
    public synchronized int hashCode() {
        return System.identityHashCode(this);
    }

    /** {@code SSLContext} "SIP-TLS", bound to the provider instance that registered it. */
    private static final class ContextService extends Provider.Service {

        ContextService(SipTlsProvider provider) {
            super(provider, "SSLContext", PROTOCOL, SipTlsSSLContextSpi.class.getName(), List.of(), Map.of());
        }

        @Override
        public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
            if (constructorParameter != null) {
                throw new InvalidParameterException("SSLContext takes no constructor parameter");
            }
            return new SipTlsSSLContextSpi(((SipTlsProvider) getProvider()).support());
        }
    }

    /** The contexts of an unconfigured provider: they refuse init and say how to configure. */
    private static final class Unconfigured implements ContextSupport {
        static final Unconfigured INSTANCE = new Unconfigured();
        private final HandshakeLedger ledger = new HandshakeLedger(NAME, SipTlsConfiguration.Fallback.FAIL,
                new ProviderStatistics());

        @Override
        public AssociationSource source() {
            return new AssociationSource() {
                @Override
                public Optional<dev.siptls.protocol.SecurityAssociation> bySessionId(byte[] sessionId) {
                    return Optional.empty();
                }

                @Override
                public Optional<dev.siptls.protocol.SecurityAssociation> forPeer(String host, int port) {
                    return Optional.empty();
                }
            };
        }

        @Override
        public HandshakeLedger ledger() {
            return ledger;
        }

        @Override
        public void initializing(KeyManager[] keyManagers) throws KeyManagementException {
            throw new KeyManagementException("the SipTls provider is not configured: " + HOW_TO_CONFIGURE);
        }
    }
}
