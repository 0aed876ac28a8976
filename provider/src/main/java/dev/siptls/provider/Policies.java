package dev.siptls.provider;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.CertificateNames;

import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;

/**
 * The security policy a provider's agent publishes: the protocol versions and suites SAs may use, the longest
 * lifetime, and for a TLS server the {@code host:port}s it serves with the certificate chain its key manager
 * holds for them. The versions are those of {@link SipTlsConfiguration#protocols()} that the suites belong to.
 */
final class Policies {

    private static final System.Logger LOG = System.getLogger(Policies.class.getName());
    private static final String[] KEY_TYPES = {"EC", "RSA", "RSASSA-PSS", "DSA"};
    /** The TLS 1.3 suites a default policy lists first, in the order OpenSSL and BCJSSE prefer them. */
    static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    private Policies() {
    }

    /**
     * The policy for {@code config}: with {@code chain} (from {@link #chain}) if given, binding the served
     * {@code host:port}s that its certificate names.
     */
    static SecurityPolicy policy(SipTlsConfiguration config, List<X509Certificate> chain) {
        return policy(config, chain, new ServerSuites());
    }

    /**
     * As {@link #policy(SipTlsConfiguration, List)}; a server policy with the default suites lists only those
     * {@code accepted} holds, unless that leaves none ({@link #serverSuites} tells).
     */
    static SecurityPolicy policy(SipTlsConfiguration config, List<X509Certificate> chain, ServerSuites accepted) {
        SecurityPolicy.Builder policy = SecurityPolicy.builder();
        config.maxLifetime().ifPresent(policy::maxLifetime);
        List<HostPort> bound = chain.isEmpty() ? List.of() : boundBy(chain.get(0), config);
        if (!chain.isEmpty()) {
            policy.bindings(bound).certificateChain(chain);
        }
        List<String> suites = config.suites().isEmpty()
                ? ofVersions(defaultSuites(bound.isEmpty() ? null : chain.get(0)), config.protocols())
                : config.suites();
        if (config.suites().isEmpty() && !bound.isEmpty() && !accepted.filter(suites).isEmpty()) {
            suites = accepted.filter(suites);
        }
        return policy.protocolVersions(versionsOf(suites, config.protocols())).cipherSuites(suites).build();
    }

    /** {@code suites} in their order, less those of a version not in {@code versions}. */
    private static List<String> ofVersions(List<String> suites, List<String> versions) {
        return suites.stream().filter(s -> versions.contains(CipherSuites.protocolVersion(s))).toList();
    }

    /** The {@code versions}, in their order, that one of {@code suites} belongs to. */
    static List<String> versionsOf(List<String> suites, List<String> versions) {
        return versions.stream()
                .filter(v -> suites.stream().anyMatch(s -> CipherSuites.protocolVersion(s).equals(v))).toList();
    }

    /**
     * The default suites a server policy with {@code chain} lists given what its connections accepted (may be
     * empty: no SA can be resumed by them); null where the policy is no server's or its suites are configured.
     */
    static List<String> serverSuites(SipTlsConfiguration config, List<X509Certificate> chain,
                                     ServerSuites accepted) {
        if (!config.suites().isEmpty() || chain.isEmpty() || config.serve().stream()
                .noneMatch(hp -> CertificateNames.matchesHost(chain.get(0), hp.host()))) {
            return null;
        }
        return accepted.filter(ofVersions(defaultSuites(chain.get(0)), config.protocols()));
    }

    /**
     * The certificate chain to publish, from the application's key managers: for a TLS server ({@code serve}
     * given) one for the served hosts (naming them all if one does, else most), for a client the first client
     * chain, so that servers that need client authentication can resume (the SA carries it). Read with
     * {@code get*Aliases}/{@code getCertificateChain} only: no handshake asks for a key here, and the chain's
     * key is read later only if the agent must prove possession of it ({@link KeyedChain#privateKey}).
     */
    static KeyedChain chain(KeyManager[] keyManagers, List<HostPort> serve) {
        if (keyManagers == null) {
            return KeyedChain.NONE;
        }
        KeyedChain best = KeyedChain.NONE;
        long bestCount = -1;
        for (KeyManager km : keyManagers) {
            if (!(km instanceof X509KeyManager x509)) {
                continue;
            }
            for (String keyType : KEY_TYPES) {
                String[] aliases = serve.isEmpty() ? x509.getClientAliases(keyType, null)
                        : x509.getServerAliases(keyType, null);
                for (String alias : aliases == null ? new String[0] : aliases) {
                    X509Certificate[] chain = x509.getCertificateChain(alias);
                    if (chain == null || chain.length == 0) {
                        continue;
                    }
                    long count = serve.stream().filter(hp -> CertificateNames.matchesHost(chain[0], hp.host())).count();
                    if (count == serve.size()) {
                        return new KeyedChain(List.of(chain), x509, alias);
                    }
                    if (count > bestCount) {
                        best = new KeyedChain(List.of(chain), x509, alias);
                        bestCount = count;
                    }
                }
            }
        }
        return best;
    }

    /** The served {@code host:port}s the certificate names; warns about the others (the key server would refuse them). */
    private static List<HostPort> boundBy(X509Certificate leaf, SipTlsConfiguration config) {
        List<HostPort> bound = new ArrayList<>();
        for (HostPort hp : config.serve()) {
            if (CertificateNames.matchesHost(leaf, hp.host())) {
                bound.add(hp);
            } else {
                LOG.log(Level.WARNING, "{0}: not publishing {1}: the key manager''s certificate ({2}) does not name"
                        + " {3}", config.aor(), hp, leaf.getSubjectX500Principal().getName(), hp.host());
            }
        }
        return bound;
    }

    /**
     * The three TLS 1.3 suites (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305: a TLS 1.3 SA is a PSK, usable whatever
     * the server's key), then BCJSSE's enabled TLS 1.2 suites that a key server issues by default (AEAD with
     * forward secrecy, {@link CipherSuites#isAeadWithForwardSecrecy}), in BCJSSE's order of preference; for a
     * server with {@code leaf}, the TLS 1.2 ones its key can serve in a full handshake too (ECDSA suites for an EC
     * key, RSA suites for an RSA key), so that an SA's suite is one the server would negotiate itself.
     */
    static List<String> defaultSuites(X509Certificate leaf) {
        List<String> known = Holder.ENABLED_TLS12;
        String algorithm = leaf == null ? null : leaf.getPublicKey().getAlgorithm();
        String marker = "EC".equals(algorithm) ? "_ECDSA_" : "RSA".equals(algorithm) ? "_RSA_" : null;
        List<String> matching = marker == null ? known
                : known.stream().filter(s -> s.contains(marker)).toList();
        List<String> suites = new ArrayList<>(TLS13_SUITES);
        suites.addAll(matching.isEmpty() ? known : matching);
        return List.copyOf(suites);
    }


    /** Computed once: a throw-away BCJSSE context's default TLS 1.2 suites that are issuable by default. */
    private static final class Holder {
        static final List<String> ENABLED_TLS12 = enabled();

        private static List<String> enabled() {
            try {
                SSLContext context = SSLContext.getInstance("TLS", Bouncy.JSSE);
                context.init(new KeyManager[0], new TrustManager[0], null);
                List<String> suites = Arrays.stream(context.getDefaultSSLParameters().getCipherSuites())
                        .filter(s -> CipherSuites.isAeadWithForwardSecrecy(s) && !CipherSuites.isTls13(s)).toList();
                if (!suites.isEmpty()) {
                    return suites;
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot read BCJSSE''s default cipher suites; using every issuable one SIP-TLS"
                        + " knows", e);
            }
            return CipherSuites.names().stream()
                    .filter(s -> CipherSuites.isAeadWithForwardSecrecy(s) && !CipherSuites.isTls13(s)).toList();
        }
    }
}
