package dev.siptls.protocol;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one agent tells the key server about itself (paper figure 4): the protocol versions and cipher suites
 * it accepts, the longest SA lifetime it wants, and, for a TLS server, the {@code host:port}s it serves with the
 * certificate chain that proves them; with a chain, optionally the {@link PossessionProof} signature that
 * shows the agent holds its key. The key server builds every SA from two of these.
 *
 * <p>A policy that names no protocol version (every body written before TLS 1.3 SAs existed) accepts TLS 1.2
 * only. The versions are kept in the order given (preference, newest first by convention); the key server issues
 * the newest version both policies list, as a TLS handshake negotiates the highest common version.
 *
 * <p>Immutable, with value equality. {@link Builder#build()} refuses an empty or unknown or repeated
 * suite, an unknown or repeated version, a suite of a version the policy does not list, a lifetime outside (0, 1 day], bindings without a certificate chain, and a possession proof
 * without a chain or longer than {@value PossessionProof#MAX_SIGNATURE_BYTES} bytes.
 */
public final class SecurityPolicy {

    private final List<String> protocolVersions;
    private final List<String> cipherSuites;
    private final Duration maxLifetime;
    private final List<HostPort> bindings;
    private final List<X509Certificate> certificateChain;
    private final byte[] possession;

    private SecurityPolicy(Builder b) {
        if (b.cipherSuites.isEmpty()) {
            throw new IllegalArgumentException("a policy needs at least one cipher suite");
        }
        List<String> versions = b.protocolVersions.isEmpty() ? List.of(CipherSuites.TLS_1_2) : b.protocolVersions;
        Set<String> seenVersions = new HashSet<>();
        for (String version : versions) {
            if (!CipherSuites.isKnownVersion(version)) {
                throw new IllegalArgumentException("unknown protocol version " + Texts.quote(version) + ", only "
                        + String.join(" or ", CipherSuites.PROTOCOL_VERSIONS));
            }
            if (!seenVersions.add(version)) {
                throw new IllegalArgumentException("duplicate protocol version: " + version);
            }
        }
        Set<String> seen = new HashSet<>();
        for (String suite : b.cipherSuites) {
            if (!seen.add(Checks.cipherSuite(suite))) {
                throw new IllegalArgumentException("duplicate cipher suite: " + suite);
            }
            if (!seenVersions.contains(CipherSuites.protocolVersion(suite))) {
                throw new IllegalArgumentException("cipher suite " + suite + " is a " + CipherSuites.protocolVersion(suite)
                        + " suite, but the policy does not list " + CipherSuites.protocolVersion(suite));
            }
        }
        Set<HostPort> bound = new HashSet<>();
        for (HostPort binding : b.bindings) {
            if (!bound.add(Objects.requireNonNull(binding, "binding"))) {
                throw new IllegalArgumentException("duplicate binding: " + binding);
            }
        }
        if (!b.bindings.isEmpty() && b.certificateChain.isEmpty()) {
            throw new IllegalArgumentException("bindings need a certificate chain");
        }
        this.protocolVersions = List.copyOf(versions);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.maxLifetime = b.maxLifetime == null ? null : Checks.lifetime(b.maxLifetime, "max lifetime");
        this.bindings = List.copyOf(b.bindings);
        this.certificateChain = Checks.chain(b.certificateChain);
        if (b.possession != null && (b.possession.length == 0
                || b.possession.length > PossessionProof.MAX_SIGNATURE_BYTES)) {
            throw new IllegalArgumentException("possession proof of " + b.possession.length + " bytes, expected 1 to "
                    + PossessionProof.MAX_SIGNATURE_BYTES);
        }
        if (b.possession != null && certificateChain.isEmpty()) {
            throw new IllegalArgumentException("a possession proof needs a certificate chain");
        }
        this.possession = b.possession == null ? null : b.possession.clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code "TLSv1.3"} and/or {@code "TLSv1.2"}, in the order given; {@code ["TLSv1.2"]} for a policy that named
     * none.
     */
    public List<String> protocolVersions() {
        return protocolVersions;
    }

    /** Whether this policy lists {@code version}. */
    public boolean accepts(String version) {
        return protocolVersions.contains(version);
    }

    /** IANA names, most preferred first. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** The longest SA lifetime this peer accepts; empty if it leaves it to the key server. */
    public Optional<Duration> maxLifetime() {
        return Optional.ofNullable(maxLifetime);
    }

    /** The {@code host:port}s this TLS server serves; empty for a pure client. */
    public List<HostPort> bindings() {
        return bindings;
    }

    /** The TLS certificate chain, leaf first; may be empty. */
    public List<X509Certificate> certificateChain() {
        return certificateChain;
    }

    /** The chain key's signature over the key server's nonce ({@link PossessionProof}); empty if none. */
    public Optional<byte[]> possession() {
        return Optional.ofNullable(possession).map(byte[]::clone);
    }

    /** This policy with {@code signature} as its possession proof, replacing any it had. */
    public SecurityPolicy withPossession(byte[] signature) {
        return builder().protocolVersions(protocolVersions).cipherSuites(cipherSuites).bindings(bindings).certificateChain(certificateChain)
                .maxLifetimeOrNone(maxLifetime).possession(Objects.requireNonNull(signature, "signature")).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecurityPolicy p
                && protocolVersions.equals(p.protocolVersions)
                && cipherSuites.equals(p.cipherSuites)
                && Objects.equals(maxLifetime, p.maxLifetime)
                && bindings.equals(p.bindings)
                && certificateChain.equals(p.certificateChain)
                && Arrays.equals(possession, p.possession);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocolVersions, cipherSuites, maxLifetime, bindings, certificateChain) * 31 + Arrays.hashCode(possession);
    }

    @Override
    public String toString() {
        return "SecurityPolicy[protocolVersions=" + protocolVersions
                + ", cipherSuites=" + cipherSuites
                + ", maxLifetime=" + (maxLifetime == null ? "-" : maxLifetime.getSeconds() + "s")
                + ", bindings=" + bindings
                + ", certificates=" + certificateChain.size()
                + (possession == null ? "" : ", possession proof") + "]";
    }

    /** Collects the parts of a policy; {@link #build()} validates them together. */
    public static final class Builder {
        private final List<String> protocolVersions = new ArrayList<>();
        private final List<String> cipherSuites = new ArrayList<>();
        private Duration maxLifetime;
        private final List<HostPort> bindings = new ArrayList<>();
        private List<X509Certificate> certificateChain = List.of();
        private byte[] possession;

        private Builder() {
        }

        /** Replaces the protocol versions, most preferred first; none given means TLS 1.2 only. */
        public Builder protocolVersions(List<String> versions) {
            protocolVersions.clear();
            protocolVersions.addAll(Objects.requireNonNull(versions, "protocol versions"));
            return this;
        }

        /** Replaces the suites, most preferred first. */
        public Builder cipherSuites(List<String> suites) {
            cipherSuites.clear();
            cipherSuites.addAll(Objects.requireNonNull(suites, "cipher suites"));
            return this;
        }

        /** Adds a suite after those already given. */
        public Builder cipherSuite(String suite) {
            cipherSuites.add(Objects.requireNonNull(suite, "cipher suite"));
            return this;
        }

        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = Objects.requireNonNull(maxLifetime, "max lifetime");
            return this;
        }

        /** Adds a binding after those already given. */
        public Builder binding(HostPort binding) {
            bindings.add(Objects.requireNonNull(binding, "binding"));
            return this;
        }

        /** Replaces the bindings. */
        public Builder bindings(List<HostPort> bindings) {
            this.bindings.clear();
            this.bindings.addAll(Objects.requireNonNull(bindings, "bindings"));
            return this;
        }

        /** Replaces the certificate chain, leaf first. */
        public Builder certificateChain(List<X509Certificate> chain) {
            this.certificateChain = Checks.chain(chain);
            return this;
        }

        /** The signature of {@link PossessionProof#signedBytes} by the chain's private key. */
        public Builder possession(byte[] signature) {
            this.possession = Objects.requireNonNull(signature, "possession proof").clone();
            return this;
        }

        private Builder maxLifetimeOrNone(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
            return this;
        }

        public SecurityPolicy build() {
            return new SecurityPolicy(this);
        }
    }
}
